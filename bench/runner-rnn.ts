// The run part of the RNN's first graph (measured, not asserted): the 10,000-node
// examples/unrolled-rnn.ts launched as the extension launches it (no size limit in the runner,
// the view collapses), from launch to the snapshot's arrival in the host, with the snapshot's
// size as it crossed the pipe. `--child PATH` (repeatable) compares builds' runner children,
// taken in turn round by round so that load on the machine falls on all of them alike.
// Usage: npm run build && node bench/runner-rnn.mjs (bundled by bench/run.mjs) [--quick]
//   [--child OTHER/dist/runner/child.cjs ...]
import * as path from 'node:path';
import { encodeFrame } from '../src/protocol/frames';
import { launchRunner } from '../src/runner/launch';

const ROOT = process.cwd();
const script = path.join(ROOT, 'examples', 'unrolled-rnn.ts');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const given = argv.flatMap((a, i) => (argv[i - 1] === '--child' ? [path.resolve(a)] : []));
const children = given.length > 0 ? given : [path.join(ROOT, 'dist', 'runner', 'child.cjs')];

/** Milliseconds from launch to the graph's arrival, and the snapshot frame's bytes. */
async function toGraph(childPath: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  let ms = NaN;
  let bytes = 0;
  const r = await launchRunner(
    { script, childPath, maxNodes: 50_000 },
    {
      onMessage: (m) => {
        if (m.type !== 'graph/snapshot') return;
        ms = performance.now() - t0;
        bytes = encodeFrame(m).length;
      },
    },
  ).done;
  if (r.errors.length > 0) throw new Error(r.errors[0].message);
  return { ms, bytes };
}

const runs = children.map(() => [] as number[]);
const bytes = children.map(() => 0);
for (let round = 0; round < (quick ? 2 : 5); round++) {
  for (const [i, child] of children.entries()) {
    const r = await toGraph(child);
    runs[i].push(r.ms);
    bytes[i] = r.bytes;
  }
}
console.log('unrolled RNN, launch to graph in the host (median; rounds sorted):');
for (const [i, child] of children.entries()) {
  const s = [...runs[i]].sort((a, b) => a - b);
  console.log(
    `  ${path.relative(ROOT, child)}: ${s[s.length >> 1].toFixed(0)} ms ` +
      `(${s.map((t) => t.toFixed(0)).join(', ')}); snapshot ${(bytes[i] / 1e6).toFixed(2)} MB`,
  );
}
