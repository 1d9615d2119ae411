// Runs a fixture program (the same steps scripts/gen_fixtures.py ran with PyTorch) on our
// engine, and describes a graph the way the generator does.
import * as torch from '../../src/engine/index';
import type { Arg, Step } from '../../src/engine/ops/table/programs';
import { calls } from '../../src/engine/ops/table';
import { decode, type Encoded } from './fixtures';

export type { Step };

export interface GraphNode {
  name: string;
  next: [number | null, number][];
  leaf?: string;
}

export interface ProgramCase {
  name: string;
  inputs: Record<string, Encoded>;
  steps: Step[];
  output: string;
  gradient?: Encoded;
  backward?: boolean;
  expect?: { value: Encoded; graph: GraphNode[] | null; grads?: Record<string, Encoded | null> };
  error?: { contains: string; torch: string };
}

type Value = torch.Tensor | number | boolean | null | string | Value[];
type OpFn = (...args: Value[]) => unknown;

/** The step names the programs use, from the op table: our call for each. */
const OPS = new Map<string, OpFn>(calls.map((c) => [c.name, c.ours as OpFn]));

export interface ProgramRun {
  env: Map<string, torch.Tensor>;
  leaves: Map<string, torch.Tensor>;
  output: torch.Tensor;
}

function resolve(a: Arg, env: Map<string, torch.Tensor>): Value {
  if (typeof a === 'string' && a.startsWith('$')) {
    const t = env.get(a.slice(1));
    if (t === undefined) throw new Error(`program refers to unknown tensor ${a}`);
    return t;
  }
  if (Array.isArray(a)) return a.map((x) => resolve(x, env));
  return a;
}

/** Runs the steps; throws what the engine throws. */
export function runProgram(c: ProgramCase): ProgramRun {
  const env = new Map<string, torch.Tensor>();
  const leaves = new Map<string, torch.Tensor>();
  torch.manualSeed(0);
  for (const [name, spec] of Object.entries(c.inputs)) {
    const t = decode(spec);
    env.set(name, t);
    leaves.set(name, t);
  }
  for (const [out, op, ...args] of c.steps) {
    const fn = OPS.get(op);
    if (fn === undefined) throw new Error(`test interpreter has no op '${op}'`);
    const r = fn(...args.map((a) => resolve(a, env)));
    if (r instanceof torch.Tensor) env.set(out, r);
  }
  const output = env.get(c.output);
  if (output === undefined) throw new Error(`program has no output ${c.output}`);
  return { env, leaves, output };
}

/** The graph below `t`, numbered breadth-first from its gradFn, as the generator records it. */
export function describeGraph(
  t: torch.Tensor,
  leaves: Map<string, torch.Tensor>,
): GraphNode[] | null {
  if (t.gradFn === null) return null;
  const leafName = new Map<torch.Tensor, string>();
  for (const [k, v] of leaves) leafName.set(v, k);
  const ids = new Map<torch.autograd.Node, number>([[t.gradFn, 0]]);
  const order: torch.autograd.Node[] = [t.gradFn];
  const nodes: GraphNode[] = [];
  for (let i = 0; i < order.length; i++) {
    const fn = order[i];
    const rec: GraphNode = { name: fn.name(), next: [] };
    if (fn instanceof torch.autograd.AccumulateGrad) rec.leaf = leafName.get(fn.variable) ?? '?';
    for (const [nxt, nr] of fn.nextFunctions) {
      if (nxt === null) {
        rec.next.push([null, nr]);
        continue;
      }
      let id = ids.get(nxt);
      if (id === undefined) {
        id = order.length;
        ids.set(nxt, id);
        order.push(nxt);
      }
      rec.next.push([id, nr]);
    }
    nodes.push(rec);
  }
  return nodes;
}
