// Warming the capture path while a runner started ahead waits for its script. A capture runs
// once per graph, so its code (the node-created hook, summaries, building and encoding the
// snapshot) and the engine's ops and backward meet the user's first graph cold, interpreted
// before V8 compiles them: for the 10,000-node RNN about a third of the capture's time. Here
// they run first on small graphs of the runner's own, in slices that leave the host's start
// message waiting for at most one of them. Nothing of it stays: no random numbers are drawn,
// no module is called, the graphs are dropped, and node numbering starts again where it was.
import * as torch from '../engine/index';
import { encodeFrame } from '../protocol/frames';
import type { RunOptions } from '../protocol/messages';
import { GraphCapture } from './graph-capture';
import { LeafNames } from './leaf-names';
import { structure } from './structure';

/** Steps of each warm-up graph (about a dozen nodes a step), and how many graphs. */
const STEPS = 40;
const GRAPHS = 8;

/**
 * Captures GRAPHS small graphs, one per event-loop turn, until `stopped()` (a run began).
 *
 * @example
 * void warmCapture(() => capture !== null);
 */
export async function warmCapture(stopped: () => boolean): Promise<void> {
  for (let i = 0; i < GRAPHS; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    // A run may have begun meanwhile (its hooks are in place): nothing more to do.
    if (stopped()) return;
    const seq = torch._nextSequenceNumber();
    try {
      captureOne(i === 0 ? 'always' : 'never');
    } finally {
      torch._setNextSequenceNumber(seq);
    }
  }
}

/** One capture as a run makes it, of an unrolled RNN cell, its snapshot encoded and dropped. */
function captureOne(flow: RunOptions['flow']): void {
  const options: RunOptions = {
    script: '',
    cwd: '',
    captureAt: 1,
    maxNodes: Number.MAX_SAFE_INTEGER,
    savedTensors: false,
    flow,
    stopAfter: null,
    args: [],
  };
  const graph = new GraphCapture(options, new LeafNames(), () => null);
  torch._setNodeCreatedHook(graph.onNode);
  let loss: torch.Tensor;
  try {
    loss = unrolled();
  } finally {
    torch._setNodeCreatedHook(null);
  }
  const pending = graph.begin(1, 'backward', [loss], null, true);
  graph.during(pending, () => {
    loss.backward();
  });
  const { snapshot } = graph.complete(pending, null, undefined);
  encodeFrame({ type: 'graph/snapshot', snapshot });
  structure([loss], new Map());
}

/** An Elman cell over STEPS steps with a squared error at each, from fixed numbers. */
function unrolled(): torch.Tensor {
  const param = (rows: number, cols: number): torch.Tensor =>
    torch.tensor(
      Array.from({ length: rows }, (_, i) =>
        Array.from({ length: cols }, (_, j) => Math.sin(i * cols + j) / cols),
      ),
      { requiresGrad: true },
    );
  const [wx, wh, wy] = [param(8, 2), param(8, 8), param(1, 8)];
  const [bx, bh, by] = [param(1, 8), param(1, 8), param(1, 1)];
  let h = torch.zeros([1, 8]);
  let loss = torch.zeros([]);
  for (let t = 0; t < STEPS; t++) {
    const x = torch.tensor([[Math.sin(t), Math.cos(t)]]);
    h = torch
      .addmm(bx, x, wx.t())
      .add(torch.addmm(bh, h, wh.t()))
      .tanh();
    const y = torch.addmm(by, h, wy.t());
    loss = loss.add(
      y
        .sub(Math.sin(t + 1))
        .pow(2)
        .sum(),
    );
  }
  return loss.div(STEPS);
}
