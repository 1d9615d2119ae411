// Warming the extension host's read of a graph while a runner started ahead waits. A window's
// first graph is read (frame, JSON, field-by-field check) and copied for the view (slim, JSON,
// gzip) by code that never ran before, interpreted until V8 compiles it. Here the same code
// runs first on small snapshots of its own, one an event-loop turn, and stops as soon as a run
// begins; nothing of it is kept.
import { FrameReader, encodeFrame } from '../protocol/frames';
import {
  validateChildMessage,
  type GraphNode,
  type GraphSnapshot,
  type TensorSummary,
} from '../protocol/messages';
import { snapshotGzip } from './snapshot-gzip';

/** Nodes of each warm-up snapshot, and how many snapshots. */
const NODES = 500;
const SNAPSHOTS = 4;
/** The frame reader is fed as a pipe hands the host a large frame. */
const CHUNK_BYTES = 65_536;

/**
 * Reads SNAPSHOTS small snapshots as a run's would be read, one per event-loop turn, until
 * `stopped()` (a run began).
 *
 * @example
 * void warmGraphRead(() => runsStarted > 0);
 */
export async function warmGraphRead(stopped: () => boolean): Promise<void> {
  const frame = encodeFrame({ type: 'graph/snapshot', snapshot: warmSnapshot(NODES) });
  for (let i = 0; i < SNAPSHOTS; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (stopped()) return;
    try {
      readGraphFrame(frame);
    } catch {
      // A warm-up that no longer reads (its snapshot out of step with the protocol) only
      // warms less; its test says so.
      return;
    }
  }
}

/** What the host does with a runner's snapshot frame until the view's copy is ready: that copy's size. */
export function readGraphFrame(frame: Buffer): number {
  let message: unknown;
  const reader = new FrameReader({
    frame: (v) => (message = v),
    problem: (p) => {
      throw new Error(`warm-up frame: ${p.kind}`);
    },
  });
  for (let at = 0; at < frame.length; at += CHUNK_BYTES)
    reader.push(frame.subarray(at, at + CHUNK_BYTES));
  const m = validateChildMessage(message);
  if (m.type !== 'graph/snapshot') throw new Error(`warm-up frame: read as ${m.type}`);
  return snapshotGzip(m.snapshot).length;
}

/**
 * One step of an unrolled recurrent net: node name, output shape, module path below the root,
 * and inputs: a node of the step, of the step before (from STEP.length on), or none (-1).
 */
const STEP: readonly [string, number[], string[], number[]][] = [
  ['AddBackward0', [], [], [12, 1]],
  ['SumBackward0', [], [], [2]],
  ['PowBackward0', [1, 1], [], [3]],
  ['SubBackward0', [1, 1], [], [4, -1]],
  ['AddmmBackward0', [1, 1], ['head'], [-1, 6, 5]],
  ['TBackward0', [8, 1], ['head'], [-1]],
  ['TanhBackward0', [1, 8], ['cell'], [7]],
  ['AddBackward0', [1, 8], ['cell'], [8, 10]],
  ['AddmmBackward0', [1, 8], ['cell', 'cell.ih'], [-1, -1, 9]],
  ['TBackward0', [2, 8], ['cell', 'cell.ih'], [-1]],
  ['AddmmBackward0', [1, 8], ['cell', 'cell.hh'], [-1, 18, 11]],
  ['TBackward0', [8, 8], ['cell', 'cell.hh'], [-1]],
];

/**
 * About `count` function nodes of an unrolled recurrent net as a run captures it (the loss's
 * chain first, a step's ops inside its module calls, float32 summaries, fractional and whole
 * numbers), with one parameter and its output.
 */
export function warmSnapshot(count: number): GraphSnapshot {
  const nodes: GraphNode[] = [];
  const steps = Math.max(1, Math.ceil(count / STEP.length));
  const total = steps * STEP.length;
  for (let t = 0; t < steps; t++) {
    STEP.forEach(([name, shape, modules, inputs], k) => {
      const i = t * STEP.length + k;
      // The step before is the next one in the list: the walk from the loss goes back in time.
      const next = inputs.map((j) => {
        const target = j < 0 ? -1 : t * STEP.length + j;
        return target < 0 || target >= total ? null : { id: `n${target}`, inputNr: 0 };
      });
      nodes.push({
        id: `n${i}`,
        kind: 'function',
        name,
        next,
        value: summary(i, shape),
        grad: summary(i + 0.5, shape),
        location: { file: '/warm-up/model.ts', line: 20 + k, column: 5 + (k % 7) },
        modulePath: ['Model', ...modules.map((m) => `Model.${m}`)],
        moduleCalls: [0, ...modules.map((_, j) => 2 * t + j + 1)],
        attachedTo: null,
        sequenceNr: (steps - t) * STEP.length - k,
        ...(k === 0 ? { varName: 'loss' } : {}),
      });
    });
  }
  nodes.push(...parameterNodes());
  nodes.push({
    id: 'out0',
    kind: 'output',
    name: 'loss',
    next: [],
    value: summary(0.125, []),
    grad: null,
    location: { file: '/warm-up/model.ts', line: 40, column: 1 },
    modulePath: [],
    attachedTo: 'n0',
    sequenceNr: -1,
  });
  return {
    index: 1,
    trigger: 'backward',
    nodes,
    outputs: ['out0'],
    anomalies: [],
    collapsed: false,
    detail: 'full',
  };
}

/** A parameter's AccumulateGrad node and the parameter. */
function parameterNodes(): GraphNode[] {
  const acc = 'a0';
  return [
    {
      id: acc,
      kind: 'accumulate',
      name: 'torch::autograd::AccumulateGrad',
      next: [],
      value: null,
      grad: null,
      location: null,
      modulePath: [],
      attachedTo: null,
      sequenceNr: -1,
    },
    {
      id: `${acc}:leaf`,
      kind: 'leaf',
      name: 'w',
      next: [],
      value: summary(0.25, [8, 8]),
      grad: summary(0.75, [8, 8]),
      location: null,
      modulePath: [],
      attachedTo: acc,
      sequenceNr: -1,
    },
  ];
}

/**
 * A float32 summary of a tensor of `shape` with numbers drawn from `seed`: fractional, every
 * fifth whole (a loss's gradient of 1, zeros), as a run's are; V8 then lays out the objects and
 * arrays JSON.parse makes for any of them alike.
 */
function summary(seed: number, shape: number[]): TensorSummary {
  const numel = shape.reduce((a, b) => a * b, 1);
  const whole = Math.round(seed) % 5 === 0;
  // + 0: no -0, which JSON writes as 0.
  const num = (k: number): number =>
    whole ? Math.round(Math.sin(seed + k)) + 0 : Number(Math.sin(seed * 7 + k).toPrecision(8));
  const first = Array.from({ length: Math.min(numel, 6) }, (_, k) => num(k));
  return {
    shape: shape.slice(),
    dtype: 'float32',
    numel,
    first,
    min: Math.min(...first),
    max: Math.max(...first),
    mean: num(6),
    nanCount: 0,
    infCount: 0,
  };
}
