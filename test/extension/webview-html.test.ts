// The HTML shell of both webviews: the CSP each page gets, directive by directive, a nonce on
// every script and nothing inline but the graph view's fixed early-messages script.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  contentSecurityPolicy,
  webviewHtml,
  type WebviewPage,
} from '../../src/extension/webview-html';
import { EARLY_MESSAGES_SCRIPT } from '../../src/protocol/early-messages';

/** The CSP of a page as VS Code reads it: directive name -> its sources. */
function directives(html: string): Map<string, string[]> {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  expect(content).toBeDefined();
  return new Map(
    content!.split(';').map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

const ORIGIN = 'https://x.vscode-cdn.net';
const ROOT = resolve(__dirname, '../..');
const page = (kind: WebviewPage, nonce = 'N0NCE'): string =>
  webviewHtml(kind, {
    cspSource: ORIGIN,
    script: { uri: `${ORIGIN}/a.js` },
    style: { uri: `${ORIGIN}/a.css` },
    nonce,
  });

describe.each([
  [
    'graph' as const,
    {
      'default-src': ["'none'"],
      'style-src': [ORIGIN, "'nonce-N0NCE'"],
      'img-src': [ORIGIN, 'data:'],
      'font-src': [ORIGIN],
      'script-src': ["'nonce-N0NCE'"],
      'worker-src': ['blob:'],
    },
  ],
  [
    'monitor' as const,
    {
      'default-src': ["'none'"],
      'style-src': [ORIGIN, "'nonce-N0NCE'"],
      'img-src': [ORIGIN],
      'font-src': [ORIGIN],
      'script-src': ["'nonce-N0NCE'"],
    },
  ],
])('the %s page', (kind, expected) => {
  test('has exactly the audited CSP, with nothing unsafe', () => {
    const csp = directives(page(kind));
    expect(Object.fromEntries(csp)).toEqual(expected);
    expect(contentSecurityPolicy(kind, ORIGIN, 'N0NCE')).not.toMatch(/unsafe|\*/);
  });

  test('runs its script with the nonce; inline, only the fixed early-messages script of the graph view, and no handler', () => {
    const html = page(kind, 'abc');
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    const early = kind === 'graph' ? ['<script nonce="abc">'] : [];
    expect(scripts).toEqual([...early, `<script nonce="abc" src="${ORIGIN}/a.js">`]);
    const inline = [...html.matchAll(/<script[^>]*>([^<]+)<\/script>/g)].map((m) => m[1]);
    expect(inline).toEqual(kind === 'graph' ? [EARLY_MESSAGES_SCRIPT] : []);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).not.toMatch(/\sstyle=|<style/);
  });

  test('gets a fresh nonce each time', () => {
    const nonceOf = (html: string): string => /nonce="([^"]+)"/.exec(html)![1];
    const shell = { cspSource: 'x', script: { uri: 's' }, style: { uri: 'c' } };
    expect(nonceOf(webviewHtml(kind, shell))).not.toBe(nonceOf(webviewHtml(kind, shell)));
  });
});

test('URIs are escaped in attributes', () => {
  const html = webviewHtml('monitor', {
    cspSource: 'https://x',
    script: { uri: 'https://x/m.js?a=1&b="2"><script>' },
    style: { uri: 'https://x/m.css' },
  });
  expect(html).toContain('src="https://x/m.js?a=1&amp;b=&quot;2&quot;&gt;&lt;script&gt;"');
});

test('scripts the page loads later are only addresses in meta elements; its own script is the one script', () => {
  const html = webviewHtml('graph', {
    cspSource: ORIGIN,
    script: { uri: `${ORIGIN}/a.js` },
    style: { uri: `${ORIGIN}/a.css` },
    lateScripts: [{ name: 'gradlens-elk-worker-source', uri: `${ORIGIN}/b.js?x=1&y="2"` }],
    nonce: 'abc',
  });
  expect(html.match(/<script[^>]*src=[^>]*>/g)).toEqual([
    `<script nonce="abc" src="${ORIGIN}/a.js">`,
  ]);
  expect(html).toContain(
    `<meta name="gradlens-elk-worker-source" content="${ORIGIN}/b.js?x=1&amp;y=&quot;2&quot;">`,
  );
});

test('a page opened for a run says so as text until its script runs; otherwise it invites a run', () => {
  const shell = {
    cspSource: ORIGIN,
    script: { uri: `${ORIGIN}/a.js` },
    style: { uri: `${ORIGIN}/a.css` },
  };
  const running = webviewHtml('graph', { ...shell, placeholder: 'Running /ws/<b>x</b>.ts…' });
  expect(running).toContain(
    '<p class="empty" role="status">Running /ws/&lt;b&gt;x&lt;/b&gt;.ts…</p>',
  );
  expect(running).not.toContain('Visualize Graph');
  expect(webviewHtml('graph', shell)).toContain(
    'Run <b>Gradlens: Visualize Graph</b> on a script to see its autograd graph.',
  );
});

test("a page's script and stylesheet can be written in, with the nonce, and the CSP lets only them in", () => {
  const html = webviewHtml('graph', {
    cspSource: ORIGIN,
    script: { text: 'console.log(1 < 2);' },
    style: { text: 'p { color: red; }' },
    nonce: 'abc',
  });
  expect(html).toContain('<script nonce="abc">console.log(1 < 2);</script>');
  expect(html).toContain('<style nonce="abc">p { color: red; }</style>');
  expect(html).not.toMatch(/<link|src=/);
  expect(directives(html).get('style-src')).toEqual([ORIGIN, "'nonce-abc'"]);
});

test("head scripts run after the early-messages script and before the page's own", () => {
  const html = webviewHtml('graph', {
    cspSource: ORIGIN,
    headScripts: [{ text: 'startWorker();' }],
    script: { uri: `${ORIGIN}/a.js` },
    style: { uri: `${ORIGIN}/a.css` },
    nonce: 'abc',
  });
  const scripts = [...html.matchAll(/<script[^>]*>([^<]*)<\/script>/g)].map((m) => m[0]);
  expect(scripts).toEqual([
    `<script nonce="abc">${EARLY_MESSAGES_SCRIPT}</script>`,
    '<script nonce="abc">startWorker();</script>',
    `<script nonce="abc" src="${ORIGIN}/a.js"></script>`,
  ]);
});

test('text that would end its element early is refused, not written in', () => {
  const shell = { cspSource: ORIGIN, style: { uri: `${ORIGIN}/a.css` } };
  expect(() => webviewHtml('graph', { ...shell, script: { text: 'x = "</SCRIPT>"' } })).toThrow();
  expect(() => webviewHtml('graph', { ...shell, script: { text: 'x = "<!--"' } })).toThrow();
  expect(() =>
    webviewHtml('graph', {
      cspSource: ORIGIN,
      script: { uri: `${ORIGIN}/a.js` },
      style: { text: 'p {} </style><script>' },
    }),
  ).toThrow();
});

// The built page, its worker's start and its stylesheet, as the host writes them in (after `npm run build`).
test.runIf(existsSync(join(ROOT, 'dist/webview/graph-view.js')))(
  "the graph view's bundles and stylesheet can be written in",
  () => {
    const text = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
    expect(() =>
      webviewHtml('graph', {
        cspSource: ORIGIN,
        headScripts: [{ text: text('dist/webview/graph-fast-worker.js') }],
        script: { text: text('dist/webview/graph-view.js') },
        style: { text: text('media/graph-view.css') },
      }),
    ).not.toThrow();
  },
);
