// Runs a fixture program (the same steps scripts/gen_fixtures.py ran with PyTorch) on our
// engine, and describes a graph the way the generator does.
import * as torch from '../../src/engine/index';
import { decode, type Encoded } from './fixtures';

type Arg = number | string | boolean | null | Arg[];
/** `[out, op, ...args]`; a string argument "$name" names an earlier tensor. */
export type Step = [string, string, ...Arg[]];

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
type OpFn = (...args: any[]) => torch.Tensor | void | number;
const F = torch.nn.functional;
const reduction = (r?: string) => ({ reduction: (r ?? 'mean') as 'mean' | 'sum' | 'none' });

/** The ops the generator's programs use, PyTorch name -> our call. */
const OPS: Record<string, OpFn> = {
  add: (x, y) => x.add(y),
  sub: (x, y) => x.sub(y),
  mul: (x, y) => x.mul(y),
  div: (x, y) => x.div(y),
  pow: (x, y) => x.pow(y),
  neg: (x) => x.neg(),
  exp: (x) => x.exp(),
  log: (x) => x.log(),
  sqrt: (x) => x.sqrt(),
  abs: (x) => x.abs(),
  sin: (x) => x.sin(),
  cos: (x) => x.cos(),
  tanh: (x) => x.tanh(),
  sigmoid: (x) => x.sigmoid(),
  relu: (x) => x.relu(),
  sign: (x) => x.sign(),
  square: (x) => x.square(),
  clamp: (x, lo, hi) => x.clamp(lo, hi ?? null),
  maximum: (x, y) => x.maximum(y),
  minimum: (x, y) => x.minimum(y),
  sum: (x, dim, keepdim) => x.sum(dim ?? undefined, keepdim ?? false),
  mean: (x, dim, keepdim) => x.mean(dim ?? undefined, keepdim ?? false),
  max: (x) => x.max(),
  min: (x) => x.min(),
  softmax: (x, d) => x.softmax(d),
  log_softmax: (x, d) => x.logSoftmax(d),
  view: (x, ...s) => x.view(...s),
  reshape: (x, ...s) => x.reshape(...s),
  flatten: (x, s, e) => x.flatten(s, e),
  t: (x) => x.t(),
  transpose: (x, a, b) => x.transpose(a, b),
  permute: (x, ...d) => x.permute(...d),
  expand: (x, ...s) => x.expand(...s),
  squeeze: (x, d) => x.squeeze(d),
  unsqueeze: (x, d) => x.unsqueeze(d),
  select: (x, d, i) => x.select(d, i),
  narrow: (x, d, s, l) => x.narrow(d, s, l),
  index_select: (x, d, i) => x.indexSelect(d, i),
  clone: (x) => x.clone(),
  contiguous: (x) => x.contiguous(),
  mm: (x, y) => x.mm(y),
  matmul: (x, y) => x.matmul(y),
  dot: (x, y) => x.dot(y),
  mv: (x, y) => x.mv(y),
  detach: (x) => x.detach(),
  gt: (x, y) => x.gt(y),
  lt: (x, y) => x.lt(y),
  ge: (x, y) => x.ge(y),
  le: (x, y) => x.le(y),
  eq: (x, y) => x.eq(y),
  add_: (x, y) => x.add_(y),
  sub_: (x, y) => x.sub_(y),
  mul_: (x, y) => x.mul_(y),
  div_: (x, y) => x.div_(y),
  zero_: (x) => x.zero_(),
  fill_: (x, v) => x.fill_(v),
  copy_: (x, s) => x.copy_(s),
  normal_: (x, m, s) => x.normal_(m, s),
  uniform_: (x, a, b) => x.uniform_(a, b),
  'torch.manual_seed': (s) => torch.manualSeed(s),
  backward: (x) => x.backward(),
  to: (x, d) => x.to(d),
  'torch.add': torch.add,
  'torch.sub': torch.sub,
  'torch.mul': torch.mul,
  'torch.div': torch.div,
  'torch.pow': torch.pow,
  'torch.rsub': torch.rsub,
  'torch.where': torch.where,
  'torch.cat': torch.cat,
  'torch.stack': torch.stack,
  'torch.addmm': torch.addmm,
  'F.mse_loss': (a, b, r) => F.mseLoss(a, b, reduction(r)),
  'F.nll_loss': (a, b, r) => F.nllLoss(a, b, reduction(r)),
  'F.binary_cross_entropy': (a, b, r) => F.binaryCrossEntropy(a, b, reduction(r)),
  'F.cross_entropy': (a, b, r) => F.crossEntropy(a, b, reduction(r)),
  'F.l1_loss': (a, b, r) => F.l1Loss(a, b, reduction(r)),
  'F.linear': (x, w, b) => F.linear(x, w, b),
  grad: (out, inp, g) => torch.autograd.grad(out, inp, { gradOutputs: g, createGraph: true })[0]!,
};

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
    const fn = OPS[op];
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
