import { expect, test } from 'vitest';
import { contentSecurityPolicy, graphViewHtml } from '../../src/extension/webview-html';

test('the CSP allows only nonce scripts, the webview origin and blob: workers', () => {
  const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'N0NCE');
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'nonce-N0NCE'");
  expect(csp).toContain('worker-src blob:');
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
});

test('every script element carries the nonce; attributes are escaped', () => {
  const html = graphViewHtml({
    cspSource: 'https://x',
    scriptUri: 'https://x/a.js?"><script>',
    styleUri: 'https://x/a.css',
    title: '<T>',
    nonce: 'abc',
  });
  const scripts = html.match(/<script[^>]*>/g) ?? [];
  expect(scripts.length).toBe(1);
  expect(scripts[0]).toContain('nonce="abc"');
  expect(html).toContain('&quot;&gt;&lt;script&gt;');
  expect(html).toContain('<title>&lt;T&gt;</title>');
});
