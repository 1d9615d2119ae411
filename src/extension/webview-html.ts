// The one HTML shell of both Gradlens webviews (graph view and training monitor): a strict CSP
// with a fresh nonce, one bundled script (and the addresses of scripts it loads later), one
// stylesheet, a placeholder until the script runs. The graph view's script and stylesheet are
// written into its HTML, and it keeps the host's messages that come before its script runs
// (src/protocol/early-messages.ts): a window's first graph waits on neither a fetch nor a
// 'ready' round trip (README, "First graph of a window").
// The theme reaches the pages through VS Code's --vscode-* variables, which the stylesheets
// use. Kept free of `vscode` so its security properties are unit-tested without VS Code.
import { randomBytes } from 'node:crypto';
import { EARLY_MESSAGES_SCRIPT } from '../protocol/early-messages';

export type WebviewPage = 'graph' | 'monitor';

/**
 * The bundled script or the stylesheet of a page: fetched from its webview URI (as a string),
 * or its text written into the page, with the nonce.
 */
export type PageAsset = { readonly uri: string } | { readonly text: string };

export interface WebviewHtmlInput {
  /** `webview.cspSource`: the origin VS Code serves local resources from. */
  readonly cspSource: string;
  readonly script: PageAsset;
  readonly style: PageAsset;
  /**
   * Scripts run in the page's head, before its own: the graph view's starts its layout worker
   * there (src/protocol/fast-worker-start.ts), which then boots while the page's script is parsed.
   */
  readonly headScripts?: readonly PageAsset[];
  /**
   * Scripts the page loads itself when it needs them, with its own nonce: the graph view's
   * ELK worker source, needed only once a first graph is on screen. The page holds their URIs
   * as `<meta name content>`: loaded with it, they would share the CPU with its start.
   */
  readonly lateScripts?: readonly { readonly name: string; readonly uri: string }[];
  /** Fixed only in tests; a fresh random nonce otherwise. */
  readonly nonce?: string;
  /**
   * Text shown in place of the page's placeholder until its script runs (the graph view opened
   * for a run says that it runs from its first paint on).
   */
  readonly placeholder?: string;
}

/** What differs between the pages: their title, the element their script fills and what it holds until then. */
const PAGES: Record<WebviewPage, { title: string; root: string; placeholder: string }> = {
  graph: {
    title: 'Gradlens Graph',
    root: '<div id="app" data-gradlens="graph-view">',
    placeholder: 'Run <b>Gradlens: Visualize Graph</b> on a script to see its autograd graph.',
  },
  monitor: {
    title: 'Training Monitor',
    root: '<div id="monitor" data-gradlens="monitor" data-status="idle" data-rows="0">',
    placeholder:
      'Run a script that calls <code>backward()</code> on a loss to see its training here.',
  },
};

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The CSP of a page, audited: no 'unsafe-inline' and no 'unsafe-eval' in either. Scripts run
 * only with the nonce; styles come only from the extension's stylesheets, fetched or written
 * in with the nonce (the pages set styles through CSSOM, as uPlot does, which CSP does not
 * restrict; the graph's SVG carries no style attributes or elements). Fonts and images come from the extension only, except:
 * - graph, `img-src data:`: a PNG export draws the SVG, loaded as a data: URL, on a canvas;
 * - graph, `worker-src blob:`: the layout workers (one with ELK, one without) are started from
 *   Blobs of their bundled sources, because webview workers loaded by URL are broken in recent
 *   VS Code. A blob worker inherits this policy; ELK's bundled build uses neither eval nor
 *   Function, so it runs under it as it is.
 * Nothing is fetched (`connect-src` stays 'none' through default-src).
 */
export function contentSecurityPolicy(page: WebviewPage, cspSource: string, nonce: string): string {
  const graph = page === 'graph';
  return [
    "default-src 'none'",
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource}${graph ? ' data:' : ''}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    ...(graph ? ['worker-src blob:'] : []),
  ].join('; ');
}

export function webviewHtml(page: WebviewPage, input: WebviewHtmlInput): string {
  const nonce = input.nonce ?? makeNonce();
  const { title, root } = PAGES[page];
  const placeholder =
    input.placeholder === undefined ? PAGES[page].placeholder : escapeAttr(input.placeholder);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(page, input.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${page === 'graph' ? earlyMessages(nonce) : ''}${(input.headScripts ?? [])
    .map((h) => `${scriptElement(h, nonce)}\n`)
    .join('')}${styleElement(input.style, nonce)}
${(input.lateScripts ?? [])
  .map((s) => `<meta name="${escapeAttr(s.name)}" content="${escapeAttr(s.uri)}">\n`)
  .join('')}<title>${title}</title>
</head>
<body>
${root}<p class="empty" role="status">${placeholder}</p></div>
${scriptElement(input.script, nonce)}
</body>
</html>`;
}

function styleElement(style: PageAsset, nonce: string): string {
  return 'uri' in style
    ? `<link rel="stylesheet" href="${escapeAttr(style.uri)}">`
    : `<style nonce="${nonce}">${inlineText('style', style.text)}</style>`;
}

function scriptElement(script: PageAsset, nonce: string): string {
  return 'uri' in script
    ? `<script nonce="${nonce}" src="${escapeAttr(script.uri)}"></script>`
    : `<script nonce="${nonce}">${inlineText('script', script.text)}</script>`;
}

/**
 * Text written between `<tag>` and `</tag>`, where HTML does not escape: one that would end the
 * element early (or, in a script, start an HTML comment that hides its end) is refused, not
 * rewritten. The bundles hold neither (test/extension/webview-html.test.ts reads them).
 */
function inlineText(tag: 'script' | 'style', text: string): string {
  if (text.toLowerCase().includes(`</${tag}`) || text.includes('<!--'))
    throw new Error(`a page's inline ${tag} holds </${tag} or <!--`);
  return text;
}

/** The graph view's inline script that keeps the host's messages until its own script runs. */
function earlyMessages(nonce: string): string {
  return `<script nonce="${nonce}">${EARLY_MESSAGES_SCRIPT}</script>\n`;
}

/** Escapes a value for a double-quoted HTML attribute (or for text). */
function escapeAttr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
