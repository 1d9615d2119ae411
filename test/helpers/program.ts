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
/** A step's resolved arguments; trailing optional ones may be missing. */
type Given = Value | undefined;
type OpFn = (...args: Given[]) => unknown;
const F = torch.nn.functional;

function fail(v: Given, expected: string): never {
  throw new Error(`program passes ${JSON.stringify(v)} where ${expected} is expected`);
}
function tensor(v: Given): torch.Tensor {
  return v instanceof torch.Tensor ? v : fail(v, 'a tensor');
}
function like(v: Given): torch.Tensor | number {
  return typeof v === 'number' ? v : tensor(v);
}
function num(v: Given): number {
  return typeof v === 'number' ? v : fail(v, 'a number');
}
/** A number PyTorch's optional argument takes, or undefined (PyTorch's None) for its default. */
function optNum(v: Given): number | undefined {
  return v === null || v === undefined ? undefined : num(v);
}
function dims(v: Given): number | number[] | undefined {
  return Array.isArray(v) ? v.map(num) : optNum(v);
}
function tensors(v: Given): torch.Tensor[] {
  return Array.isArray(v) ? v.map(tensor) : fail(v, 'a list of tensors');
}
function reduction(v: Given): { reduction: 'mean' | 'sum' | 'none' } {
  if (v === undefined || v === 'mean' || v === 'sum' || v === 'none')
    return { reduction: v ?? 'mean' };
  return fail(v, 'a reduction');
}
function dtype(v: Given): torch.DType {
  if (v === 'float32' || v === 'float64' || v === 'int64' || v === 'bool') return v;
  return fail(v, 'a dtype');
}
/** An op called on a tensor: `x.name(...)`. */
const on =
  (call: (x: torch.Tensor, ...args: Given[]) => unknown): OpFn =>
  (x, ...args) =>
    call(tensor(x), ...args);

/** The ops the generator's programs use, PyTorch name -> our call. */
const OPS: Partial<Record<string, OpFn>> = {
  add: on((x, y) => x.add(like(y))),
  sub: on((x, y) => x.sub(like(y))),
  mul: on((x, y) => x.mul(like(y))),
  div: on((x, y) => x.div(like(y))),
  pow: on((x, y) => x.pow(like(y))),
  neg: on((x) => x.neg()),
  exp: on((x) => x.exp()),
  log: on((x) => x.log()),
  sqrt: on((x) => x.sqrt()),
  abs: on((x) => x.abs()),
  sin: on((x) => x.sin()),
  cos: on((x) => x.cos()),
  tanh: on((x) => x.tanh()),
  sigmoid: on((x) => x.sigmoid()),
  relu: on((x) => x.relu()),
  sign: on((x) => x.sign()),
  square: on((x) => x.square()),
  clamp: on((x, lo, hi) => x.clamp(optNum(lo) ?? null, optNum(hi) ?? null)),
  maximum: on((x, y) => x.maximum(like(y))),
  minimum: on((x, y) => x.minimum(like(y))),
  sum: on((x, dim, keepdim) => x.sum(dims(dim), keepdim === true)),
  mean: on((x, dim, keepdim) => x.mean(dims(dim), keepdim === true)),
  max: on((x) => x.max()),
  min: on((x) => x.min()),
  softmax: on((x, d) => x.softmax(num(d))),
  log_softmax: on((x, d) => x.logSoftmax(num(d))),
  view: on((x, ...s) => x.view(...s.map(num))),
  reshape: on((x, ...s) => x.reshape(...s.map(num))),
  flatten: on((x, s, e) => x.flatten(optNum(s), optNum(e))),
  t: on((x) => x.t()),
  transpose: on((x, a, b) => x.transpose(num(a), num(b))),
  permute: on((x, ...d) => x.permute(...d.map(num))),
  expand: on((x, ...s) => x.expand(...s.map(num))),
  squeeze: on((x, d) => x.squeeze(optNum(d))),
  unsqueeze: on((x, d) => x.unsqueeze(num(d))),
  select: on((x, d, i) => x.select(num(d), num(i))),
  narrow: on((x, d, s, l) => x.narrow(num(d), num(s), num(l))),
  index_select: on((x, d, i) => x.indexSelect(num(d), tensor(i))),
  clone: on((x) => x.clone()),
  contiguous: on((x) => x.contiguous()),
  mm: on((x, y) => x.mm(tensor(y))),
  matmul: on((x, y) => x.matmul(tensor(y))),
  dot: on((x, y) => x.dot(tensor(y))),
  mv: on((x, y) => x.mv(tensor(y))),
  detach: on((x) => x.detach()),
  gt: on((x, y) => x.gt(like(y))),
  lt: on((x, y) => x.lt(like(y))),
  ge: on((x, y) => x.ge(like(y))),
  le: on((x, y) => x.le(like(y))),
  eq: on((x, y) => x.eq(like(y))),
  add_: on((x, y) => x.add_(like(y))),
  sub_: on((x, y) => x.sub_(like(y))),
  mul_: on((x, y) => x.mul_(like(y))),
  div_: on((x, y) => x.div_(like(y))),
  zero_: on((x) => x.zero_()),
  fill_: on((x, v) => x.fill_(num(v))),
  copy_: on((x, s) => x.copy_(tensor(s))),
  normal_: on((x, m, s) => x.normal_(optNum(m), optNum(s))),
  uniform_: on((x, a, b) => x.uniform_(optNum(a), optNum(b))),
  'torch.manual_seed': (s) => {
    torch.manualSeed(num(s));
  },
  backward: on((x) => {
    x.backward();
  }),
  to: on((x, d) => x.to(dtype(d))),
  'torch.add': (a, b) => torch.add(like(a), like(b)),
  'torch.sub': (a, b) => torch.sub(like(a), like(b)),
  'torch.mul': (a, b) => torch.mul(like(a), like(b)),
  'torch.div': (a, b) => torch.div(like(a), like(b)),
  'torch.pow': (a, b) => torch.pow(like(a), like(b)),
  'torch.rsub': (a, b) => torch.rsub(tensor(a), like(b)),
  'torch.where': (c, a, b) => torch.where(tensor(c), like(a), like(b)),
  'torch.cat': (ts, d) => torch.cat(tensors(ts), optNum(d)),
  'torch.stack': (ts, d) => torch.stack(tensors(ts), optNum(d)),
  'torch.addmm': (b, x, w) => torch.addmm(tensor(b), tensor(x), tensor(w)),
  'F.mse_loss': (a, b, r) => F.mseLoss(tensor(a), tensor(b), reduction(r)),
  'F.nll_loss': (a, b, r) => F.nllLoss(tensor(a), tensor(b), reduction(r)),
  'F.binary_cross_entropy': (a, b, r) => F.binaryCrossEntropy(tensor(a), tensor(b), reduction(r)),
  'F.cross_entropy': (a, b, r) => F.crossEntropy(tensor(a), tensor(b), reduction(r)),
  'F.l1_loss': (a, b, r) => F.l1Loss(tensor(a), tensor(b), reduction(r)),
  'F.linear': (x, w, b) =>
    F.linear(tensor(x), tensor(w), b === undefined || b === null ? null : tensor(b)),
  grad: (out, inp, g) =>
    torch.autograd.grad(tensor(out), tensor(inp), { gradOutputs: tensor(g), createGraph: true })[0],
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
