// The graph view's HTML shell. Kept free of `vscode` so its security properties (CSP, nonce on
// every script) are unit-tested without VS Code.
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlInput {
  /** `webview.cspSource`: the origin VS Code serves local resources from. */
  readonly cspSource: string;
  /** Webview URIs (as strings) of the bundled script and stylesheet. */
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly title: string;
  /** Fixed only in tests; a fresh random nonce otherwise. */
  readonly nonce?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The CSP every Gradlens webview uses: local styles, fonts and images, scripts only with the
 * nonce. `img-src data: blob:` lets PNG exports draw on a canvas. With `workers`, ELK runs in
 * a worker created from a Blob (`worker-src blob:`): webview workers loaded by URL are broken
 * in recent VS Code.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string, workers = true): string {
  const rules = [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ];
  if (workers) rules.push('worker-src blob:');
  return rules.join('; ');
}

export function graphViewHtml(input: WebviewHtmlInput): string {
  const nonce = input.nonce ?? makeNonce();
  const csp = contentSecurityPolicy(input.cspSource, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(input.styleUri)}">
<title>${escapeText(input.title)}</title>
</head>
<body>
<div id="app" data-gradlens="graph-view"><p class="empty">Run <b>Gradlens: Visualize Graph</b> on a script to see its autograd graph.</p></div>
<script nonce="${nonce}" src="${escapeAttr(input.scriptUri)}"></script>
</body>
</html>`;
}

/** Escapes a value for a double-quoted HTML attribute. */
export function escapeAttr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
