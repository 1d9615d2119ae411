// The monitor page's shell: scripts only with the nonce, nothing inline, resources from the webview origin.
import { expect, test } from 'vitest';
import { monitorCsp, monitorHtml } from '../../src/extension/monitor/html';

test('CSP allows only the nonce script and the webview origin', () => {
  const csp = monitorCsp('https://webview.test', 'abc');
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("script-src 'nonce-abc'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(csp).toContain('style-src https://webview.test');
});

test('every script tag carries the nonce and the page has no inline handlers', () => {
  const html = monitorHtml({
    cspSource: 'https://webview.test',
    scriptUri: 'https://webview.test/m.js?a=1&b="2"',
    styleUri: 'https://webview.test/m.css',
    nonce: 'n0nce',
  });
  const scripts = html.match(/<script[^>]*>/g) ?? [];
  expect(scripts.length).toBe(1);
  for (const s of scripts) expect(s).toContain('nonce="n0nce"');
  expect(html).not.toMatch(/\son[a-z]+=/);
  expect(html).toContain('src="https://webview.test/m.js?a=1&amp;b=&quot;2&quot;"');
});

test('a fresh nonce per page', () => {
  const a = monitorHtml({ cspSource: 'x', scriptUri: 's', styleUri: 'c' });
  const b = monitorHtml({ cspSource: 'x', scriptUri: 's', styleUri: 'c' });
  expect(a.match(/nonce="([^"]+)"/)![1]).not.toBe(b.match(/nonce="([^"]+)"/)![1]);
});
