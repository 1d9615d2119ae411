// Graph layout and paint costs, measured (not asserted): ELK vs the fast layered layout by graph
// size, a 10,000-node graph opened collapsed, expanding and collapsing its groups, and what the
// browser takes to paint those drawings (Debian's Chromium, as the graph view draws them);
// graphs are real captures made with the CLI. Usage: npm run build && node bench/run.mjs (runs this after the table),
// or: npx esbuild --bundle --platform=node --format=esm bench/graph-layout.ts --outfile=/tmp/gl.mjs && node /tmp/gl.mjs [--quick]
import ELK from 'elkjs/lib/elk.bundled.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import {
  ELK_MAX_NODES,
  GraphView,
  LITE_SCALE,
  WINDOW_MIN_ITEMS,
  fastLayout,
  itemsIn,
  joinSvg,
  renderSvg,
  renderSvgParts,
  toElkGraph,
  type SvgParts,
} from '../src/graph/index';
import type { GraphSnapshot } from '../src/protocol/messages';
import { captureGraph } from './capture-graph';

const ROOT = process.cwd();
const CLI = path.join(ROOT, 'bin', 'gradlens.cjs');
const quick = process.argv.includes('--quick');
const runs = quick ? 1 : 3;
const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-graph-bench-'));

/** The snapshot of `script`'s graph, no node count too large to keep whole. */
function capture(script: string): GraphSnapshot {
  return captureGraph(script, dir, 100_000);
}

/** A chain of `iters` (mul, tanh, add) triples on a vector: about 3 * iters nodes, no modules. */
function chainScript(iters: number): string {
  const file = path.join(dir, `chain-${iters}.ts`);
  writeFileSync(
    file,
    `import * as torch from 'gradlens';
const x = torch.randn(8, { requiresGrad: true });
let h = x;
for (let i = 0; i < ${iters}; i++) h = h.mul(1.01).tanh().add(x);
h.sum().backward();
console.log('END ' + (performance.timeOrigin + performance.now()));
`,
  );
  return file;
}

async function best(f: () => unknown): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

const elk = new ELK();
const rows: string[][] = [];
const ms = (x: number) => `${x.toFixed(0)} ms`;

let chain1k: SvgParts | null = null;

// 1. Flat graphs by size: ELK vs fast, layout + SVG (the policy threshold comes from here).
for (const iters of quick ? [33, 330] : [33, 66, 100, 166, 330]) {
  const snapshot = capture(chainScript(iters));
  const graph = () => toElkGraph(snapshot);
  const boxes = graph().children!.length;
  const tElk = await best(async () => renderSvg(snapshot, await elk.layout(graph())));
  const tFast = await best(() => renderSvg(snapshot, fastLayout(graph())));
  rows.push([
    `flat chain, ${snapshot.nodes.length} nodes (${boxes} boxes)`,
    ms(tElk),
    ms(tFast),
    boxes <= ELK_MAX_NODES ? 'ELK' : 'fast',
  ]);
  if (iters === 330) chain1k = renderSvgParts(snapshot, fastLayout(graph()));
}

// 2. The 10,000-node unrolled RNN (examples/unrolled-rnn.ts).
const rnn = capture(path.join(ROOT, 'examples', 'unrolled-rnn.ts'));
const flat = await best(() => renderSvg(rnn, fastLayout(toElkGraph(rnn))));
rows.push([
  `unrolled RNN flat, ${rnn.nodes.length} nodes`,
  quick ? 'not run' : 'not run (minutes)',
  ms(flat),
  'fast',
]);
let view = new GraphView(rnn, { elk });
const open = await best(async () => {
  view = new GraphView(rnn, { elk });
  await view.open();
});
const opened = view.current!;
rows.push([
  `unrolled RNN open collapsed (${opened.snapshot.nodes.length} boxes shown)`,
  '',
  ms(open),
  `${opened.engine}, goal <= 2000 ms`,
]);

// 3. Expanding: the repeat (800 steps appear), a step, the cell call inside it.
const find = (pred: (name: string) => boolean) =>
  view.current!.snapshot.nodes.find((n) => n.id.startsWith('group:') && pred(n.name))!.id;
const expandTimes: [string, () => string][] = [
  ['expand the repeat block (x800)', () => find((s) => s.includes('×'))],
  ['expand one step', () => find((s) => s.startsWith('step #400 '))],
  ['expand its SeqModel.cell call', () => find((s) => s.startsWith('SeqModel.cell ('))],
];
const expandedIds: string[] = [];
let repeatOpen: { parts: SvgParts; box: { x: number; y: number } } | null = null;
for (const [what, pick] of expandTimes) {
  const id = pick();
  expandedIds.push(id);
  const box = view.current!.layout.children!.find((c) => c.id === id)!;
  const r = view.expand(id);
  repeatOpen ??= { parts: r.parts, box: { x: box.x ?? 0, y: box.y ?? 0 } };
  rows.push([
    `${what} (${r.snapshot.nodes.length} shown)`,
    '',
    ms(r.ms),
    `${r.engine}, goal <= 500 ms`,
  ]);
}

// 4. Collapsing: right after an expand (back to the previous picture), and in place (the box
// where the group was, the gap closing) for a step expanded before another one was; then the
// whole repeat, opened with the graph, after two of its steps were expanded.
const undo = await view.collapse(expandedIds[2]);
rows.push([
  `collapse that call right after (${undo.snapshot.nodes.length} shown)`,
  '',
  ms(undo.ms),
  `${undo.engine}, goal <= 500 ms`,
]);
const other = view.expand(find((s) => s.startsWith('step #10 ')));
rows.push([
  `expand step #10 (${other.snapshot.nodes.length} shown)`,
  '',
  ms(other.ms),
  `${other.engine}, goal <= 500 ms`,
]);
let inPlace = view.current!;
const tInPlace = await best(async () => {
  inPlace = await view.collapse(expandedIds[1]);
  if (inPlace.engine !== 'incremental')
    throw new Error(`collapse of step #400 was ${inPlace.engine}, not in place`);
  view.expand(expandedIds[1]); // undo, so the next round collapses in place again
});
rows.push([
  `collapse step #400, expanded before step #10 (${inPlace.snapshot.nodes.length} shown)`,
  '',
  ms(tInPlace),
  `in place (${inPlace.engine}), goal <= 500 ms`,
]);
const wide = new GraphView(rnn, { elk, openBudget: 2000 });
await wide.open();
const repeat = [...wide.expanded].find((g) => wide.tree.groups.get(g)!.kind === 'repeat')!;
for (const step of ['step #2 ', 'step #600 '])
  wide.expand(wide.current!.snapshot.nodes.find((n) => n.name.startsWith(step))!.id);
const shownBefore = wide.current!.snapshot.nodes.length;
const folded = await wide.collapse(repeat);
rows.push([
  `collapse the repeat block (x800, ${shownBefore} -> ${folded.snapshot.nodes.length} shown)`,
  '',
  ms(folded.ms),
  `${folded.engine}, goal <= 500 ms`,
]);

// 5. Script end -> SVG through the CLI for the RNN (default --max-nodes 2000: collapsed by the runner).
const svgOut = path.join(dir, 'rnn.svg');
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const script = path.join(dir, 'rnn-end.ts');
  writeFileSync(
    script,
    readFileSync(path.join(ROOT, 'examples', 'unrolled-rnn.ts'), 'utf8') +
      "\nconsole.log('END ' + (performance.timeOrigin + performance.now()));\n",
  );
  const r = spawnSync(process.execPath, [CLI, 'run', script, '--graph', svgOut], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  times.push(statSync(svgOut).mtimeMs - Number(/END (\S+)/.exec(r.stdout)![1]));
}
rows.push([
  'CLI: RNN script end -> SVG (--max-nodes 2000)',
  '',
  ms(Math.min(...times)),
  'runner collapse + fast layout',
]);

// 6. Paint: the browser's style, layout and paint of a drawing put into a 1200x800 view, as the
// graph view does it (every element for small drawings; above WINDOW_MIN_ITEMS only those near
// the viewport, lite below LITE_SCALE), in Chromium; from setting the markup to the second
// animation frame.
const paintRows: string[][] = [];
const CHROMIUM = process.env.GRADLENS_CHROMIUM ?? '/usr/bin/chromium';
if (existsSync(CHROMIUM)) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const css = readFileSync(path.join(ROOT, 'media', 'graph-view.css'), 'utf8');
  await page.setContent(
    `<style>${css}</style><div id="view" style="position:absolute;inset:0;overflow:hidden"><div id="canvas"></div></div>`,
  );
  const W = 1200;
  const H = 800;
  /** Paints `parts` at `scale`, with layout point (x, y) at the view's top left. */
  const paint = async (
    parts: SvgParts,
    scale: number,
    x: number,
    y: number,
    all = false,
  ): Promise<{ ms: number; items: number; of: number }> => {
    const tx = -(parts.originX + x) * scale;
    const ty = -(parts.originY + y) * scale;
    let markup = joinSvg(parts);
    let items = parts.items.length;
    if (!all && parts.items.length > WINDOW_MIN_ITEMS) {
      const v = { x0: x, y0: y, x1: x + W / scale, y1: y + H / scale };
      const w = v.x1 - v.x0;
      const h = v.y1 - v.y0;
      const near = itemsIn(parts, { x0: v.x0 - w, y0: v.y0 - h, x1: v.x1 + w, y1: v.y1 + h });
      markup = joinSvg(parts, near, scale < LITE_SCALE);
      items = near.length;
    }
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      await page.evaluate(() => {
        document.getElementById('canvas')!.innerHTML = '';
      });
      const t = await page.evaluate(
        ({ markup, tx, ty, scale }) =>
          new Promise<number>((resolve) => {
            const canvas = document.getElementById('canvas')!;
            const t0 = performance.now();
            canvas.style.transform = `translate(${tx}px, ${ty}px) scale(${scale})`;
            canvas.innerHTML = markup;
            requestAnimationFrame(() =>
              requestAnimationFrame(() => resolve(performance.now() - t0)),
            );
          }),
        { markup, tx, ty, scale },
      );
      best = Math.min(best, t);
    }
    return { ms: best, items, of: parts.items.length };
  };
  const fitScale = (p: SvgParts) => Math.min(1.5, (W - 16) / p.width, (H - 16) / p.height);
  const row = (what: string, r: { ms: number; items: number; of: number }, note: string) =>
    paintRows.push([what, `${r.items} of ${r.of} items`, ms(r.ms), note]);
  if (chain1k !== null)
    row(
      'flat chain ~1,000 nodes, fit to the view',
      await paint(chain1k, fitScale(chain1k), 0, 0),
      'goal <= 1000 ms with layout',
    );
  const collapsedParts = opened.parts;
  row(
    'unrolled RNN open collapsed, fit',
    await paint(collapsedParts, fitScale(collapsedParts), 0, 0),
    'goal <= 2000 ms with layout',
  );
  if (repeatOpen !== null) {
    const { parts, box } = repeatOpen;
    row(
      'x800 repeat expanded: the whole drawing at zoom 1',
      await paint(parts, 1, box.x, box.y, true),
      'what the view drew before windowing',
    );
    row(
      'x800 repeat expanded: near the view at zoom 1',
      await paint(parts, 1, box.x, box.y),
      'what the view draws, goal <= 500 ms with layout',
    );
    row(
      'x800 repeat expanded: fit (boxes without text)',
      await paint(parts, fitScale(parts), 0, 0),
      'zoomed out to the whole graph',
    );
  }
  await browser.close();
} else {
  paintRows.push([`paint not measured: no Chromium at ${CHROMIUM}`, '', '', '']);
}

const head = ['graph', 'ELK layered (thoroughness 3)', 'fast layered', 'policy / note'];
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(
  `\nLayout + SVG, best of ${runs}; policy: ELK up to ${ELK_MAX_NODES} boxes (nodes + fan-out proxies), fast layout above.`,
);
const paintHead = ['paint in Chromium (1200x800 view)', 'drawn', 'paint', 'note'];
console.log(`\n| ${paintHead.join(' | ')} |`);
console.log(`|${paintHead.map(() => '---').join('|')}|`);
for (const r of paintRows) console.log(`| ${r.join(' | ')} |`);
console.log(`\nPaint: markup set to second animation frame, best of ${runs}.`);
