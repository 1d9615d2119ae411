// Frame time of the training monitor page with a million steps, measured in headless Chromium:
// loads the built bundle (dist/webview/monitor.js) in a page with a stand-in for VS Code's API,
// feeds synthetic runs the way the host does (one replay, then appends), and reads the page's
// own 'monitor-frame' measures (reduce + uPlot draw, synchronous).
// Usage: npm run build (or node webview/monitor/build.mjs --production), then
//   node webview/monitor/bench.mjs [--rows 1000000] [--params 6] [--frames 60]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const ROWS = arg('rows', 1_000_000);
const PARAMS = arg('params', 6);
const FRAMES = arg('frames', 60);
const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'gradlens-monitor-bench-'));
writeFileSync(
  join(dir, 'index.html'),
  `<!DOCTYPE html><html><head>
<link rel="stylesheet" href="${pathToFileURL(join(root, 'media/monitor.css'))}">
<style>:root { --vscode-foreground: #ccc; --vscode-sideBar-background: #252526; --vscode-charts-blue: #3794ff; --vscode-charts-red: #f14c4c; --vscode-charts-yellow: #cca700; --vscode-charts-green: #89d185; --vscode-charts-orange: #d18616; --vscode-charts-purple: #b180d7; --vscode-descriptionForeground: #9d9d9d; } body { background: #252526; width: 420px; }</style>
<script>
  window.__posted = [];
  let saved;
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => saved, setState: (s) => { saved = s; } });
</script></head><body>
<div id="monitor" data-status="idle" data-rows="0"></div>
<script src="${pathToFileURL(join(root, 'dist/webview/monitor.js'))}"></script>
</body></html>`,
);

const browser = await chromium.launch({
  executablePath: process.env.GRADLENS_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
});
try {
  const page = await browser.newPage({
    viewport: { width: 440, height: 1000 },
    deviceScaleFactor: 1,
  });
  await page.goto(pathToFileURL(join(dir, 'index.html')).href);
  const result = await page.evaluate(
    async ({ ROWS, PARAMS, FRAMES }) => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
      const synth = (n, from, seed) => {
        const step = new Float64Array(n),
          loss = new Float64Array(n),
          timeMs = new Float64Array(n),
          lr = new Float64Array(n);
        const gradNorms = {};
        for (let p = 0; p < PARAMS; p++)
          gradNorms[`layer${p >> 1}.${p % 2 ? 'bias' : 'weight'}`] = new Float64Array(n);
        const names = Object.keys(gradNorms);
        let s = seed;
        const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
        for (let i = 0; i < n; i++) {
          const k = from + i;
          step[i] = k + 1;
          loss[i] = Math.exp(-k / 200000) + 0.05 * rnd() + (k % 100000 === 5 ? 3 : 0);
          timeMs[i] = k * 0.4 + rnd() * 0.1;
          lr[i] = 0.01 * Math.pow(0.5, Math.floor(k / 250000));
          names.forEach(
            (nm, p) => (gradNorms[nm][i] = Math.pow(10, -p) * (1 + rnd()) * Math.exp(-k / 400000)),
          );
        }
        return { step, loss, timeMs, lr, gradNorms };
      };
      const meta = (id, t) => ({
        id,
        script: '/ws/train.ts',
        startedAt: t,
        status: 'running',
        message: null,
        pid: null,
      });
      const measures = () =>
        performance.getEntriesByName('monitor-frame', 'measure').map((e) => e.duration);
      const stats = (a) => {
        const s = [...a].sort((x, y) => x - y);
        const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
        return {
          n: s.length,
          median: +q(0.5).toFixed(2),
          p95: +q(0.95).toFixed(2),
          max: +s[s.length - 1].toFixed(2),
        };
      };
      const out = {};

      // 1. A million steps arrive at once (replay after the view is shown again).
      const cols = synth(ROWS, 0, 1);
      let t0 = performance.now();
      window.postMessage(
        { type: 'monitor/replay', current: { meta: meta('cur', 2), columns: cols }, previous: [] },
        '*',
      );
      const root = document.getElementById('monitor');
      while (root.dataset.drawnRows !== String(ROWS)) await frame();
      out.replayToFirstFrameMs = +(performance.now() - t0).toFixed(1);
      out.firstFrameMs = +measures().at(-1).toFixed(2);

      // 2. Live: 200 more steps per frame on top of a million (what a fast training loop sends).
      performance.clearMeasures('monitor-frame');
      let next = ROWS;
      for (let f = 0; f < FRAMES; f++) {
        window.postMessage(
          { type: 'monitor/append', runId: 'cur', from: next, columns: synth(200, next, f + 7) },
          '*',
        );
        next += 200;
        await frame();
      }
      out.liveAppend = stats(measures());

      // 3. Zoomed in (drag on a chart) and back out (double-click): the full record is re-reduced.
      performance.clearMeasures('monitor-frame');
      const over = document.querySelector('#chart-loss .u-over');
      const box = over.getBoundingClientRect();
      for (let f = 0; f < 10; f++) {
        const x0 = box.left + 20 + f * 5,
          x1 = box.left + box.width / 2;
        over.dispatchEvent(
          new MouseEvent('mousedown', {
            clientX: x0,
            clientY: box.top + 20,
            bubbles: true,
            button: 0,
          }),
        );
        document.dispatchEvent(
          new MouseEvent('mousemove', { clientX: x1, clientY: box.top + 20, bubbles: true }),
        );
        document.dispatchEvent(
          new MouseEvent('mouseup', {
            clientX: x1,
            clientY: box.top + 20,
            bubbles: true,
            button: 0,
          }),
        );
        await frame();
        over.dispatchEvent(
          new MouseEvent('dblclick', { clientX: x1, clientY: box.top + 20, bubbles: true }),
        );
        await frame();
      }
      out.zoomAndReset = stats(measures());

      // 4. Compare: the live run plus three earlier runs of a million steps each on the loss chart.
      const prev = [1, 2, 3].map((k) => ({
        meta: { ...meta(`p${k}`, 1), status: 'done' },
        columns: synth(ROWS, 0, 100 + k),
      }));
      const all = synth(next, 0, 1);
      window.postMessage(
        {
          type: 'monitor/replay',
          current: { meta: meta('cur2', 3), columns: all },
          previous: prev,
        },
        '*',
      );
      while (root.dataset.drawnRows !== String(next)) await frame();
      performance.clearMeasures('monitor-frame');
      for (let f = 0; f < FRAMES; f++) {
        window.postMessage(
          { type: 'monitor/append', runId: 'cur2', from: next, columns: synth(200, next, f + 99) },
          '*',
        );
        next += 200;
        await frame();
      }
      out.liveAppendWith3Overlays = stats(measures());
      out.errors = window.__posted.filter((m) => m.type === 'error');
      return out;
    },
    { ROWS, PARAMS, FRAMES },
  );
  await page.screenshot({
    path: join(root, 'test-artifacts/monitor-bench-1m.png'),
    fullPage: true,
  });
  console.log(
    JSON.stringify({ rows: ROWS, params: PARAMS, chromium: browser.version(), ...result }, null, 2),
  );
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
