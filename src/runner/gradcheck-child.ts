// The runner child's side of `gradlens run --gradcheck` (src/cli/gradcheck.ts): one rerun of
// the script in which every tensor made by a factory and every leaf that requires grad is
// widened to float64 where the script first uses it (after its initialiser, e.g. nn.Linear's
// uniform_, which must draw the same random numbers as in float32), one element of one leaf
// moved by `delta` there, and the run stopped at the checked backward() with the value of its
// scalar output and its leaves' numbers printed on one stdout line. The run without a move also
// checks each custom autograd.Function of the graph on its own: its backward against central
// differences of its forward, on the inputs the run gave it.
import * as torch from '../engine/index';
import { Tensor } from '../engine/index';
import type { Node } from '../engine/autograd/node';

/** The environment variable that asks for a gradcheck run (JSON, see GradcheckRequest). */
export const GRADCHECK_ENV = 'GRADLENS_GRADCHECK';
/** Starts the stdout line that reports the run (JSON, see GradcheckReport). */
export const GRADCHECK_MARK = 'gradlens-gradcheck:';

export interface GradcheckRequest {
  /** The backward() call to stop at (1-based). */
  at: number;
  /** The leaf to move, by the order the script made leaves that require grad; -1: none. */
  leaf: number;
  /** The element of that leaf (row-major), and by how much. */
  index: number;
  delta: number;
}

export interface GradcheckReport {
  /** The checked backward's output, or null when it is not a single number. */
  loss: number | null;
  dtype: string;
  /** The graph's leaves in the order of the graph's capture (breadth first from the output): their number. */
  leaves: number[];
  /** The custom Functions' own checks (the run without a move only). */
  locals: LocalCheck[];
}

/** A custom Function's node (`n${i}`, as the capture names it) checked on its own function. */
export interface LocalCheck {
  node: string;
  name: string;
  /** Per input element: label, its backward's value, central differences of its forward. */
  rows: [string, number, number][];
  skipped: number;
}

/** Input elements of each custom Function checked on its own (each costs two forward calls). */
const LOCAL_MAX = 64;
const H = 1e-6;

/** Reads the request field by field; throws on anything else. */
export function parseGradcheckRequest(raw: string): GradcheckRequest {
  const o = JSON.parse(raw) as Record<string, unknown>;
  const int = (k: string, min: number): number => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new Error(`${GRADCHECK_ENV}.${k}: expected an integer >= ${String(min)}`);
    return v;
  };
  const delta = o.delta;
  if (typeof delta !== 'number' || !Number.isFinite(delta))
    throw new Error(`${GRADCHECK_ENV}.delta: expected a finite number`);
  return { at: int('at', 1), leaf: int('leaf', -1), index: int('index', 0), delta };
}

/** In-place fills that initialise a leaf: what they read of it is not a use. */
const INITIALISERS = ['uniform_', 'normal_', 'fill_', 'zero_', 'copy_'] as const;
/** The random ones: they draw float64 samples differently from float32 ones, as PyTorch does. */
const RANDOM = new Set<string>(['uniform_', 'normal_']);
/** Inside an initialiser (they do not nest, but count anyway). */
let initialising = 0;
/** The float64 storages made here from float32 ones (a Parameter shares its tensor's). */
const widened = new WeakSet();

/** Installs the widening and the stop; call after the capture's own wrappers. */
export function installGradcheck(req: GradcheckRequest): void {
  const fromFlat = Tensor._fromFlat.bind(Tensor);
  const proto = Tensor.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of INITIALISERS) {
    const fill = proto[name];
    proto[name] = function (this: Tensor, ...args: unknown[]) {
      initialising++;
      try {
        // A widened tensor draws its random numbers as float32 would, so the rerun's
        // parameters are the recorded run's.
        if (!RANDOM.has(name) || !widened.has(this._data) || !this.isContiguous())
          return fill.apply(this, args);
        const draws = fromFlat(new Float32Array(this.numel()), this.shape.slice(), 'float32');
        fill.apply(draws, args);
        (this._data as Float64Array).set(draws._data, this._offset);
        return this;
      } finally {
        initialising--;
      }
    };
  }
  // Every tensor a factory makes (data, targets, leaves) computes in float64: PyTorch's ops,
  // like the engine's, refuse to mix float32 and float64 in a matmul.
  Tensor._fromFlat = (data, shape, dtype) => {
    const t = fromFlat(data, shape, dtype);
    if (dtype === 'float32') widen(t);
    return t;
  };
  const ordinal = new WeakMap<Tensor, number>();
  let made = 0;
  const own = Object.getOwnPropertyDescriptor(Tensor.prototype, 'requiresGrad');
  if (own?.set === undefined || own.get === undefined)
    throw new Error('gradcheck: Tensor.requiresGrad is not an accessor');
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called on each tensor below
  const set = own.set as (this: Tensor, value: boolean) => void;
  Object.defineProperty(Tensor.prototype, 'requiresGrad', {
    ...own,
    set(this: Tensor, value: boolean) {
      set.call(this, value);
      if (!value || ordinal.has(this)) return;
      const k = made++;
      ordinal.set(this, k);
      if (k === req.leaf) moveLeaf(this, req);
      else if (!widenings.has(this)) widen(this);
    },
  });
  const functionCalls = recordFunctionCalls();
  // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to each tensor below
  const backward = Tensor.prototype.backward;
  let calls = 0;
  Tensor.prototype.backward = function (this: Tensor, ...args: Parameters<Tensor['backward']>) {
    if (++calls < req.at) {
      backward.apply(this, args);
      return;
    }
    const order = graphOrder(this);
    const report: GradcheckReport = {
      loss: this.numel() === 1 ? this.item() : null,
      dtype: this.dtype,
      leaves: order
        .filter((n) => n instanceof torch.autograd.AccumulateGrad)
        .map((n) => ordinal.get(n.variable) ?? -1),
      locals:
        req.leaf !== -1
          ? []
          : order.flatMap((n, i) => {
              const call = functionCalls.get(n);
              return call === undefined ? [] : [localCheck(`n${String(i)}`, n.name(), call)];
            }),
    };
    process.stdout.write(`${GRADCHECK_MARK}${JSON.stringify(report)}\n`);
    process.exit(0);
  };
}

/** A float32 tensor that becomes float64 where it is first used; `move` is applied then. */
interface Widening {
  move: GradcheckRequest | null;
  /** Applies `move` now (the tensor is already float64). */
  moveNow: () => void;
  wide: boolean;
}
const widenings = new WeakMap<Tensor, Widening>();

/** Moves leaf `t` by `move` where it is first used (now, if it already was). */
function moveLeaf(t: Tensor, move: GradcheckRequest): void {
  const w = widenings.get(t) ?? widen(t);
  w.move = move;
  if (w.wide) w.moveNow();
}

/**
 * Makes `t` a float64 tensor the first time anything but an initialiser reads its values or
 * dtype (float64 tensors only take their move then).
 */
function widen(t: Tensor): Widening {
  let data = t._data;
  let dtype = t.dtype;
  const w: Widening = {
    move: null,
    wide: false,
    moveNow: () => {
      if (w.move !== null) data[storageIndex(t, w.move.index)] += w.move.delta;
    },
  };
  widenings.set(t, w);
  const now = (): void => {
    if (w.wide || initialising > 0) return;
    w.wide = true;
    if (dtype === 'float32') {
      data = Float64Array.from(data);
      widened.add(data);
      dtype = 'float64';
    }
    w.moveNow();
  };
  Object.defineProperty(t, '_data', {
    configurable: true,
    get: () => {
      now();
      return data;
    },
  });
  Object.defineProperty(t, 'dtype', {
    configurable: true,
    get: () => {
      now();
      return dtype;
    },
  });
  return w;
}

/** Where the `flat`-th element (row-major) of `t` sits in its storage. */
function storageIndex(t: Tensor, flat: number): number {
  let at = t._offset;
  let rest = flat;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    at += (rest % t.shape[d]) * t._strides[d];
    rest = Math.floor(rest / t.shape[d]);
  }
  return at;
}

/** The nodes of `root`'s graph, breadth first as the graph capture walks (and names) them. */
function graphOrder(root: Tensor): Node[] {
  if (root.gradFn === null) return [];
  const seen = new Set<Node>([root.gradFn]);
  const order: Node[] = [root.gradFn];
  for (let i = 0; i < order.length; i++) {
    const n = order[i];
    for (const [m] of n.nextFunctions)
      if (m !== null && !seen.has(m)) {
        seen.add(m);
        order.push(m);
      }
  }
  return order;
}

type FunctionClass = typeof torch.autograd.Function;
interface FunctionCall {
  fn: FunctionClass;
  args: unknown[];
}

/**
 * Records each custom Function call's class and inputs by its node. Copying the inputs reads
 * them, which is their first use (a moved leaf takes its move there), in every rerun alike.
 */
function recordFunctionCalls(): Map<Node, FunctionCall> {
  const calls = new Map<Node, FunctionCall>();
  const Fn = torch.autograd.Function;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with each subclass below
  const apply = Fn.apply;
  Fn.apply = function (this: FunctionClass, ...args: unknown[]): Tensor {
    const inputs = args.map((a) => (a instanceof Tensor ? a.detach().clone() : a));
    const out = apply.apply(this, args);
    if (out.gradFn !== null) calls.set(out.gradFn, { fn: this, args: inputs });
    return out;
  };
  return calls;
}

/**
 * `call.fn`'s backward against central differences of its forward at `call.args`, for the
 * weighted sum of its output (fixed weights, so that every output element counts).
 */
function localCheck(node: string, name: string, call: FunctionCall): LocalCheck {
  const xs = call.args.map((a) =>
    a instanceof Tensor
      ? a
          .detach()
          .clone()
          .requiresGrad_(a.dtype !== 'int64')
      : a,
  );
  const first = call.fn.apply(...xs);
  const weights = torch
    .tensor(
      Array.from({ length: first.numel() }, (_, i) => 0.5 + (i % 7) / 7),
      { dtype: 'float64' },
    )
    .view(...first.shape);
  const f = (out: Tensor): Tensor => out.mul(weights).sum();
  const checked = xs.filter((x): x is Tensor => x instanceof Tensor && x.requiresGrad);
  const grads = torch.autograd.grad([f(first)], checked, { allowUnused: true });
  const rows: [string, number, number][] = [];
  let skipped = 0;
  checked.forEach((x, j) => {
    const g = grads[j]?.reshape(-1).tolist() as number[] | undefined;
    const count = Math.min(x.numel(), Math.max(0, LOCAL_MAX - rows.length));
    skipped += x.numel() - count;
    for (let e = 0; e < count; e++) {
      const at = storageIndex(x, e);
      const value = (): number => torch.noGrad(() => f(call.fn.apply(...xs)).item());
      x._data[at] += H;
      const up = value();
      x._data[at] -= 2 * H;
      const down = value();
      x._data[at] += H;
      rows.push([
        x.dim() === 0
          ? `grad_input ${String(j)}`
          : `grad_input ${String(j)}[${unravel(e, x.shape)}]`,
        g?.[e] ?? 0,
        (up - down) / (2 * H),
      ]);
    }
  });
  return { node, name, rows, skipped };
}

/** `1, 2` for the flat index 6 of a 4-wide matrix. */
function unravel(flat: number, shape: readonly number[]): string {
  const at: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    at.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return at.join(', ');
}
