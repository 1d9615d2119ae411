// The page's side of the RNN's first graph (measured, not asserted): the graph view's real page
// (its HTML as the host writes it, the built script, stylesheet and head-started layout worker)
// in headless Chromium without VS Code, a fresh browser context each round, takes the
// 10,000-node examples/unrolled-rnn.ts snapshot as the host posts it (slim, gzipped JSON) and
// paints its first drawing. Printed per round: arrival to paint and its split (the layout
// worker's read and layout, what its answer took to reach the page, the draw), and the CPU
// seconds Chromium's processes used from the post to the paint.
// Usage: npm run build && node bench/graph-page-open.mjs (bundled by bench/run.mjs)
//   [--quick] [--rounds N] [--snapshot FILE (default: the RNN, run by the CLI)]
//   [--dist OTHER/dist ...] (compares builds' pages, taken in turn round by round)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { snapshotGzip } from '../src/extension/snapshot-gzip';
import { webviewHtml } from '../src/extension/webview-html';
import { ELK_SOURCE_FILE, ELK_SOURCE_META } from '../src/protocol/elk-source';
import { FAST_WORKER_FILE } from '../src/protocol/fast-worker-start';
import type { GraphSnapshot } from '../src/protocol/messages';
import { captureGraph } from './capture-graph';
// @ts-expect-error -- plain .mjs without types, shared with bench/progress-cpu.mjs
import { treeCpu as treeCpuOf } from './process-cpu.mjs';

const treeCpu = treeCpuOf as (pid: number) => number;

const ROOT = process.cwd();
const argv = process.argv.slice(2);
const option = (name: string): string[] =>
  argv.flatMap((a, i) => (argv[i - 1] === name ? [a] : []));
const quick = argv.includes('--quick');
const rounds = Number(option('--rounds')[0] ?? (quick ? 2 : 7));
const given = option('--dist').map((d) => path.resolve(d));
const builds = given.length > 0 ? given : [path.join(ROOT, 'dist')];
const ORIGIN = 'http://gradlens.test';

/** The RNN's snapshot as the CLI writes it. */
function rnnSnapshot(): GraphSnapshot {
  const [given] = option('--snapshot') as (string | undefined)[];
  if (given !== undefined) return JSON.parse(readFileSync(given, 'utf8')) as GraphSnapshot;
  const dir = mkdtempSync(path.join(tmpdir(), 'gradlens-page-open-'));
  try {
    return captureGraph(path.join(ROOT, 'examples', 'unrolled-rnn.ts'), dir, 50_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The page's HTML as the host writes it (src/extension/graph-panel.ts), from one build. */
function pageHtml(dist: string): string {
  const read = (...p: string[]): string => readFileSync(path.join(...p), 'utf8');
  return webviewHtml('graph', {
    cspSource: ORIGIN,
    headScripts: [{ text: read(dist, 'webview', FAST_WORKER_FILE) }],
    script: { text: read(dist, 'webview', 'graph-view.js') },
    style: { text: read(ROOT, 'media', 'graph-view.css') },
    lateScripts: [{ name: ELK_SOURCE_META, uri: `${ORIGIN}/${ELK_SOURCE_FILE}` }],
  });
}

interface Sample {
  /** The graph's arrival in the page to its first paint, ms. */
  open: number;
  /** The worker's read and layout, ms (its own clock). */
  read: number;
  layout: number;
  /** The rest of the page's wait on the worker: its queue, building its answer, the trip back. */
  rest: number;
  draw: number;
  /** Chromium's CPU seconds from the post to the paint. */
  cpu: number;
}

interface Painted {
  worker: { startup: number; read: number; layout: number } | null;
  phases: { layout: number; paint: number } | null;
}

async function openOnce(page: Page, dist: string, gzip: Uint8Array): Promise<Sample> {
  const html = pageHtml(dist);
  const elk = readFileSync(path.join(dist, 'webview', ELK_SOURCE_FILE), 'utf8');
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = route.request().url();
    if (url.endsWith(ELK_SOURCE_FILE))
      return route.fulfill({ contentType: 'text/javascript', body: elk });
    return route.fulfill({ contentType: 'text/html', body: html });
  });
  await page.addInitScript(() => {
    const posted: unknown[] = [];
    (window as unknown as { posted: unknown[] }).posted = posted;
    (window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => posted.push(m),
      getState: () => undefined,
      setState: () => undefined,
    });
  });
  await page.goto(`${ORIGIN}/page.html`);
  await page.waitForFunction(() => performance.getEntriesByName('gradlens/ready').length > 0);
  // The bytes go in first, so that the post below is the host's delivery alone.
  await page.evaluate((b64) => {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    (window as unknown as { gz: Uint8Array }).gz = bytes;
  }, Buffer.from(gzip).toString('base64'));
  // The fast worker booted meanwhile, as it has in a window by the time the RNN's run ends.
  await page.waitForTimeout(500);
  const cpu0 = treeCpu(process.pid);
  await page.evaluate(() => {
    const now = Date.now();
    window.postMessage(
      {
        type: 'graph/show',
        payload: {
          title: 'unrolled-rnn.ts: backward() 1 of 1',
          file: '/w/unrolled-rnn.ts',
          index: 0,
          count: 1,
          source: { kind: 'run', backward: 1 },
          requestedAt: now,
          sentAt: now,
        },
        snapshotGzip: (window as unknown as { gz: Uint8Array }).gz,
      },
      '*',
    );
  });
  const handle = await page.waitForFunction(
    () =>
      (window as unknown as { posted: { type: string }[] }).posted.find(
        (m) => m.type === 'painted',
      ),
    undefined,
    { polling: 5 },
  );
  const cpu = treeCpu(process.pid) - cpu0;
  const painted = (await handle.jsonValue()) as unknown as Painted;
  const open = await page.evaluate(() => {
    const at = (n: string): number => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
    return at('gradlens/painted') - at('gradlens/graph-arrived');
  });
  const w = painted.worker ?? { startup: NaN, read: NaN, layout: NaN };
  const layoutWait = painted.phases?.layout ?? NaN;
  return {
    open,
    read: w.read,
    layout: w.layout,
    rest: layoutWait - w.read - w.layout,
    draw: painted.phases?.paint ?? NaN,
    cpu,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const CHROMIUM = process.env.GRADLENS_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.log(`skipped: no Chromium at ${CHROMIUM} (GRADLENS_CHROMIUM names another)`);
  process.exit(0);
}
const snapshot = rnnSnapshot();
const gzip = snapshotGzip(snapshot);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const samples = new Map<string, Sample[]>(builds.map((b) => [b, []]));
const loads: number[] = [];
try {
  for (let r = 0; r < rounds; r++) {
    for (const dist of builds) {
      loads.push(loadavg()[0]);
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
      try {
        samples.get(dist)?.push(await openOnce(await context.newPage(), dist, gzip));
      } finally {
        await context.close();
      }
    }
  }
} finally {
  await browser.close();
}

const f = (v: number): string => (Number.isNaN(v) ? '-' : String(Math.round(v)));
console.log(
  `RNN (${String(snapshot.nodes.length)} nodes, ${String(Math.round(gzip.length / 1024))} KB gzipped) ` +
    `in the graph view's page, headless Chromium, a fresh context each round, ${String(rounds)} rounds ` +
    `(load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}):`,
);
console.log('');
console.log(
  '| build | arrival to paint, ms | worker read | worker layout | rest of the wait on the worker | draw | Chromium CPU s |',
);
console.log('|---|---|---|---|---|---|---|');
for (const [dist, s] of samples) {
  const col = (k: keyof Sample, digits = 0): string =>
    `${s.map((x) => (digits > 0 ? x[k].toFixed(digits) : f(x[k]))).join(', ')} (median ${
      digits > 0 ? median(s.map((x) => x[k])).toFixed(digits) : f(median(s.map((x) => x[k])))
    })`;
  console.log(
    `| ${path.relative(ROOT, dist) || dist} | ${col('open')} | ${col('read')} | ${col('layout')} | ${col('rest')} | ${col('draw')} | ${col('cpu', 2)} |`,
  );
}
