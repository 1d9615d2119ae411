// Graph layout costs, measured (not asserted): ELK vs the fast layered layout by graph size,
// a 10,000-node graph opened collapsed, expanding and collapsing its groups; graphs are real captures
// made with the CLI. Usage: npm run build && node bench/run.mjs (runs this after the table),
// or: npx esbuild --bundle --platform=node --format=esm bench/graph-layout.ts --outfile=/tmp/gl.mjs && node /tmp/gl.mjs [--quick]
import ELK from 'elkjs/lib/elk.bundled.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ELK_MAX_NODES, GraphView, fastLayout, renderSvg, toElkGraph } from '../src/graph/index';
import type { GraphSnapshot } from '../src/protocol/messages';

const ROOT = process.cwd();
const CLI = path.join(ROOT, 'bin', 'gradlens.cjs');
const quick = process.argv.includes('--quick');
const runs = quick ? 1 : 3;
const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-graph-bench-'));

function capture(script: string, maxNodes = 100000): { snapshot: GraphSnapshot; endToSvgMs: number | null } {
  const out = path.join(dir, `${path.basename(script)}.json`);
  const r = spawnSync(process.execPath, [CLI, 'run', script, '--graph', out, '--max-nodes', String(maxNodes)], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(r.stderr);
  return { snapshot: JSON.parse(readFileSync(out, 'utf8')) as GraphSnapshot, endToSvgMs: null };
}

/** A chain of `iters` (mul, tanh, add) triples on a vector: about 3 * iters nodes, no modules. */
function chainScript(iters: number): string {
  const file = path.join(dir, `chain-${iters}.ts`);
  writeFileSync(file, `import * as torch from 'gradlens';
const x = torch.randn(8, { requiresGrad: true });
let h = x;
for (let i = 0; i < ${iters}; i++) h = h.mul(1.01).tanh().add(x);
h.sum().backward();
console.log('END ' + (performance.timeOrigin + performance.now()));
`);
  return file;
}

async function best(f: () => Promise<unknown> | unknown): Promise<number> {
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

// 1. Flat graphs by size: ELK vs fast, layout + SVG (the policy threshold comes from here).
for (const iters of quick ? [33, 330] : [33, 66, 100, 166, 330]) {
  const { snapshot } = capture(chainScript(iters));
  const graph = () => toElkGraph(snapshot);
  const boxes = graph().children!.length;
  const tElk = await best(async () => renderSvg(snapshot, await elk.layout(graph())));
  const tFast = await best(() => renderSvg(snapshot, fastLayout(graph())));
  rows.push([`flat chain, ${snapshot.nodes.length} nodes (${boxes} boxes)`, ms(tElk), ms(tFast), boxes <= ELK_MAX_NODES ? 'ELK' : 'fast']);
}

// 2. The 10,000-node unrolled RNN (examples/unrolled-rnn.ts).
const { snapshot: rnn } = capture(path.join(ROOT, 'examples', 'unrolled-rnn.ts'));
const flat = await best(() => renderSvg(rnn, fastLayout(toElkGraph(rnn))));
rows.push([`unrolled RNN flat, ${rnn.nodes.length} nodes`, quick ? 'not run' : 'not run (minutes)', ms(flat), 'fast']);
let view = new GraphView(rnn, { elk });
const open = await best(async () => {
  view = new GraphView(rnn, { elk });
  await view.open();
});
const opened = view.current!;
rows.push([`unrolled RNN open collapsed (${opened.snapshot.nodes.length} boxes shown)`, '', ms(open), `${opened.engine}, goal <= 2000 ms`]);

// 3. Expanding: the repeat (800 steps appear), a step, the cell call inside it.
const find = (pred: (name: string) => boolean) => view.current!.snapshot.nodes.find((n) => n.id.startsWith('group:') && pred(n.name))!.id;
const expandTimes: [string, () => string][] = [
  ['expand the repeat block (x800)', () => find((s) => s.includes('×'))],
  ['expand one step', () => find((s) => s.startsWith('step #400 '))],
  ['expand its SeqModel.cell call', () => find((s) => s.startsWith('SeqModel.cell ('))],
];
const expandedIds: string[] = [];
for (const [what, pick] of expandTimes) {
  const id = pick();
  expandedIds.push(id);
  const r = view.expand(id);
  rows.push([`${what} (${r.snapshot.nodes.length} shown)`, '', ms(r.ms), `${r.engine}, goal <= 500 ms`]);
}

// 4. Collapsing: right after an expand (back to the previous picture), and in place (the box
// where the group was, the gap closing) for a step expanded before another one was; then the
// whole repeat, opened with the graph, after two of its steps were expanded.
const undo = await view.collapse(expandedIds[2]);
rows.push([`collapse that call right after (${undo.snapshot.nodes.length} shown)`, '', ms(undo.ms), `${undo.engine}, goal <= 500 ms`]);
const other = view.expand(find((s) => s.startsWith('step #10 ')));
rows.push([`expand step #10 (${other.snapshot.nodes.length} shown)`, '', ms(other.ms), `${other.engine}, goal <= 500 ms`]);
let inPlace = view.current!;
const tInPlace = await best(async () => {
  inPlace = await view.collapse(expandedIds[1]);
  if (inPlace.engine !== 'incremental') throw new Error(`collapse of step #400 was ${inPlace.engine}, not in place`);
  view.expand(expandedIds[1]); // undo, so the next round collapses in place again
});
rows.push([`collapse step #400, expanded before step #10 (${inPlace.snapshot.nodes.length} shown)`, '', ms(tInPlace), `in place (${inPlace.engine}), goal <= 500 ms`]);
const wide = new GraphView(rnn, { elk, openBudget: 2000 });
await wide.open();
const repeat = [...wide.expanded].find((g) => wide.tree.groups.get(g)!.kind === 'repeat')!;
for (const step of ['step #2 ', 'step #600 ']) wide.expand(wide.current!.snapshot.nodes.find((n) => n.name.startsWith(step))!.id);
const shownBefore = wide.current!.snapshot.nodes.length;
const folded = await wide.collapse(repeat);
rows.push([`collapse the repeat block (x800, ${shownBefore} -> ${folded.snapshot.nodes.length} shown)`, '', ms(folded.ms), `${folded.engine}, goal <= 500 ms`]);

// 5. Script end -> SVG through the CLI for the RNN (default --max-nodes 2000: collapsed by the runner).
const svgOut = path.join(dir, 'rnn.svg');
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const script = path.join(dir, 'rnn-end.ts');
  writeFileSync(script, readFileSync(path.join(ROOT, 'examples', 'unrolled-rnn.ts'), 'utf8') + "\nconsole.log('END ' + (performance.timeOrigin + performance.now()));\n");
  const r = spawnSync(process.execPath, [CLI, 'run', script, '--graph', svgOut], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(r.stderr);
  times.push(statSync(svgOut).mtimeMs - Number(/END (\S+)/.exec(r.stdout)![1]));
}
rows.push(['CLI: RNN script end -> SVG (--max-nodes 2000)', '', ms(Math.min(...times)), 'runner collapse + fast layout']);

const head = ['graph', 'ELK layered (thoroughness 3)', 'fast layered', 'policy / note'];
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\nLayout + SVG, best of ${runs}; policy: ELK up to ${ELK_MAX_NODES} boxes (nodes + fan-out proxies), fast layout above.`);
