// The Tensor: typed-array storage viewed through shape, strides and an offset, plus its
// autograd state. Math methods forward to the ops modules, where each primitive keeps its
// forward and backward together.
import { AccumulateGrad, type GradHook, type Node } from './autograd/node';
import { runBackward } from './autograd/engine';
import { MultiOutputNode } from './autograd/multi-output';
import { multiOutputViewError, regeneratedViewNode } from './ops/copy-slices';
import { allocate, isFloating, type DType, type Storage } from './dtype';
import { formatTensor } from './format';
import { isGradEnabled, noGrad } from './grad-mode';
import { fillNormal, fillUniform } from './random';
import { formatShape, numelOf, sameShape, wrapDim } from './shape';
import * as E from './ops/elementwise';
import { castTo, copyInto, Fill, inplace, Normal, overwrite, Uniform, Zero } from './ops/inplace';
import { contiguousData, scatterStrided } from './ops/kernels';
import * as L from './ops/linalg';
import { matrixT, numpyT } from './ops/matrix-t';
import { warnOncePerSite } from './warn';
import { apply } from './ops/op';
import * as R from './ops/reduce';
import type { TensorLike } from './ops/scalar';
import * as V from './ops/views';
import * as A from './ops/activations';
import * as G from './ops/gather';
import * as M from './ops/masks';
import * as S from './ops/statistics';
import * as I from './ops/indexing';
import * as P from './ops/products';
import * as Q from './ops/rearrange';
import * as O from './ops/sorting';
import * as Sp from './ops/split';
import { indexPut_ } from './ops/index-put';
import { multinomial } from './sampling';

/** PyTorch's UserWarning for reading `.grad` of a non-leaf that does not retain it. */
const NON_LEAF_GRAD =
  "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more informations.";

/** Nested arrays of numbers, as `tolist()` returns and `torch.tensor()` accepts. */
export type NestedArray = number | NestedArray[];

/** PyTorch's CreationMeta: views made under no_grad or by a multi-output op refuse in-place writes that record history. */
export type ViewCreation = 'default' | 'noGrad' | 'multiOutput';

interface VersionCounter {
  value: number;
}

interface AutogradMeta {
  grad: Tensor | null;
  retainsGrad: boolean;
  accumulator: AccumulateGrad | null;
  leafHooks: GradHook[] | null;
}

/**
 * A multi-dimensional array that records the operations applied to it, so gradients can
 * flow back through them (PyTorch's `torch.Tensor`).
 *
 * @example
 * const x = torch.tensor([1, 2, 3], { requiresGrad: true });
 * const y = x.mul(x).sum();
 * y.backward();
 * x.grad!.tolist(); // [2, 4, 6]
 */
export class Tensor {
  /** The sizes of each dimension. Treat as read-only. */
  readonly shape: number[];
  /** The element type. */
  readonly dtype: DType;
  /** @internal storage shared with views */
  _data: Storage;
  /** @internal */
  readonly _strides: number[];
  /** @internal */
  readonly _offset: number;
  /** @internal shared by a tensor and all its views; made on first use */
  private _vc: VersionCounter | null;
  /** @internal the tensor this one is a view of */
  readonly _base: Tensor | null;
  /** @internal the node `gradFn` returns (a view's is remade when its base changes in place) */
  _gradFn: Node | null = null;
  /** @internal for a view: the version its history belongs to */
  private _viewVersion = 0;
  /** @internal for a view: how it was made, which decides whether it may be written in place */
  _viewCreation: ViewCreation = 'default';
  /** @internal which output of `gradFn` this tensor is (PyTorch's `output_nr`) */
  _outputNr = 0;
  private _requiresGrad = false;
  /** Autograd state most tensors never need, made on first use (PyTorch's AutogradMeta). */
  private _meta: AutogradMeta | null = null;

  /** @internal Use `torch.tensor` and the factories instead. */
  constructor(
    data: Storage,
    shape: number[],
    strides: number[],
    offset: number,
    dtype: DType,
    versionCounter: VersionCounter | null = null,
    base: Tensor | null = null,
  ) {
    this._data = data;
    this.shape = shape;
    this._strides = strides;
    this._offset = offset;
    this.dtype = dtype;
    this._vc = versionCounter;
    this._base = base;
  }

  /** @internal A 0-d tensor holding `v`. */
  static _scalar(v: number, dtype: DType): Tensor {
    const data = allocate(dtype, 1);
    data[0] = v;
    return new Tensor(data, [], [], 0, dtype);
  }

  /** @internal A view sharing storage and version counter. */
  _view(shape: number[], strides: number[], offset: number): Tensor {
    const vc = this._versionCounter;
    const view = new Tensor(this._data, shape, strides, offset, this.dtype, vc, this._base ?? this);
    view._viewVersion = vc.value;
    // As PyTorch's CreationMeta: a view of a multi-output view is one too.
    view._viewCreation =
      this._viewCreation !== 'default'
        ? this._viewCreation
        : isGradEnabled()
          ? 'default'
          : 'noGrad';
    return view;
  }

  /** @internal */
  get _versionCounter(): VersionCounter {
    return (this._vc ??= { value: 0 });
  }

  /** @internal Attaches the node that produced this tensor, as its output `outputNr`. */
  _setHistory(node: Node, outputNr = 0): void {
    this._gradFn = node;
    this._outputNr = outputNr;
    this._requiresGrad = true;
    if (this._base !== null) {
      this._viewVersion = this._version;
      if (node instanceof MultiOutputNode) this._viewCreation = 'multiOutput';
    }
  }

  /**
   * The node that created this tensor, or null for leaves. A view whose base (or another
   * view of it) was modified in place since takes its history from the base again
   * (AsStridedBackward0), as in PyTorch.
   */
  get gradFn(): Node | null {
    if (this._base !== null && this._viewVersion !== this._version) this._regenerateViewHistory();
    return this._gradFn;
  }

  /** @internal Gives a view the history PyTorch regenerates after an in-place change. */
  _regenerateViewHistory(): void {
    const base = this._base as Tensor;
    if (this._gradFn === null && !base.requiresGrad) {
      this._viewVersion = this._version;
      return;
    }
    if (this._viewCreation === 'multiOutput') throw multiOutputViewError(this, 'base');
    this._viewVersion = this._version;
    this._gradFn = regeneratedViewNode(base, this);
    this._outputNr = 0;
    this._requiresGrad = true;
  }

  /** @internal The AccumulateGrad node of a leaf that requires grad (always the same object). */
  _accumulateGrad(): AccumulateGrad {
    const meta = this._autogradMeta();
    return (meta.accumulator ??= new AccumulateGrad(this));
  }

  private _autogradMeta(): AutogradMeta {
    return (this._meta ??= { grad: null, retainsGrad: false, accumulator: null, leafHooks: null });
  }

  /** @internal hooks on a leaf's gradient, run before it is accumulated */
  get _leafHooks(): GradHook[] | null {
    return this._meta === null ? null : this._meta.leafHooks;
  }

  // ---- autograd state ------------------------------------------------------------------

  /**
   * Whether gradients are computed for this tensor. Settable on leaves only.
   * @example
   * const w = torch.zeros(3);
   * w.requiresGrad = true;
   */
  get requiresGrad(): boolean {
    // A view of a base that started requiring grad through an in-place op does too.
    return this._requiresGrad || (this._base !== null && this.gradFn !== null);
  }

  set requiresGrad(value: boolean) {
    if (this.gradFn !== null) {
      if (value) return;
      throw new Error(
        "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
      );
    }
    if (value && !isFloating(this.dtype)) {
      throw new Error('only Tensors of floating point and complex dtype can require gradients');
    }
    this._requiresGrad = value;
  }

  /** True for tensors created by the user (no `gradFn`). @example torch.ones(2).isLeaf; // true */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /**
   * The gradient accumulated by `backward()`; `null` until then. Assign `null` to clear.
   * @example
   * x.grad = null;
   */
  get grad(): Tensor | null {
    const grad = this._grad;
    if (grad === null && this.gradFn !== null && !this.retainsGrad)
      warnOncePerSite(NON_LEAF_GRAD, 1);
    return grad;
  }

  /** @internal `grad` without PyTorch's non-leaf warning, for tools that read every tensor. */
  get _grad(): Tensor | null {
    return this._meta === null ? null : this._meta.grad;
  }

  set grad(value: Tensor | null) {
    if (value !== null && !sameShape(value.shape, this.shape)) {
      throw new Error(`assigned grad has data of a different size`);
    }
    if (value !== null || this._meta !== null) this._autogradMeta().grad = value;
  }

  /** Whether `retainGrad()` was called on this non-leaf. @example y.retainsGrad; // false */
  get retainsGrad(): boolean {
    return this._meta !== null && this._meta.retainsGrad;
  }

  /** The in-place version counter, bumped by every in-place op. @example x.add_(1)._version; // 1 */
  get _version(): number {
    return this._vc === null ? 0 : this._vc.value;
  }

  /** @internal */
  _bumpVersion(): void {
    this._versionCounter.value++;
  }

  /**
   * A tensor sharing storage with this one but without history or version tracking.
   * @example
   * w.data.mul_(0.5); // changes w without autograd noticing
   */
  get data(): Tensor {
    return new Tensor(this._data, this.shape, this._strides, this._offset, this.dtype);
  }

  set data(value: Tensor) {
    if (!sameShape(value.shape, this.shape) || value.dtype !== this.dtype) {
      throw new Error(
        'data set to a tensor that requires gradients must be of the same shape and dtype',
      );
    }
    scatterStrided(this, contiguousData(value));
  }

  /**
   * Computes the gradient of this tensor with respect to graph leaves.
   * @example
   * const x = torch.tensor(3, { requiresGrad: true });
   * x.pow(2).backward();
   * x.grad!.item(); // 6
   */
  backward(
    gradient?: Tensor | null,
    options: { retainGraph?: boolean; createGraph?: boolean } = {},
  ): void {
    runBackward([this], [gradient ?? null], {
      retainGraph: options.retainGraph ?? options.createGraph ?? false,
      createGraph: options.createGraph ?? false,
    });
  }

  /**
   * Makes a non-leaf keep its `.grad` after backward.
   * @example
   * const q = a.pow(3); q.retainGrad(); q.sum().backward(); q.grad; // ones
   */
  retainGrad(): void {
    if (!this._requiresGrad)
      throw new Error("can't retain_grad on Tensor that has requires_grad=False");
    const meta = this._autogradMeta();
    if (this.gradFn === null || meta.retainsGrad) return;
    meta.retainsGrad = true;
    this.gradFn._registerOutputHook(this._outputNr, (g) => {
      const prev = meta.grad;
      if (prev === null) meta.grad = isGradEnabled() ? g : g.detach().clone();
      else meta.grad = isGradEnabled() ? prev.add(g) : noGrad(() => prev.add(g));
    });
  }

  /**
   * Registers a hook on this tensor's gradient; a returned tensor replaces the gradient.
   * @example
   * const h = x.registerHook((g) => g.mul(2));
   * h.remove();
   */
  registerHook(fn: GradHook): { remove(): void } {
    if (!this._requiresGrad)
      throw new Error("cannot register a hook on a tensor that doesn't require gradient");
    if (this.gradFn !== null) return this.gradFn._registerOutputHook(this._outputNr, fn);
    const hooks = (this._autogradMeta().leafHooks ??= []);
    hooks.push(fn);
    return { remove: () => void hooks.splice(hooks.indexOf(fn) >>> 0, 1) };
  }

  /**
   * A tensor sharing storage and version counter with this one, cut from the graph.
   * @example
   * y.detach().requiresGrad; // false
   */
  detach(): Tensor {
    return new Tensor(
      this._data,
      this.shape,
      this._strides,
      this._offset,
      this.dtype,
      this._versionCounter,
    );
  }

  /**
   * Sets `requiresGrad` in place and returns this tensor.
   * @example
   * const w = torch.randn(3).requiresGrad_();
   */
  requiresGrad_(requiresGrad = true): this {
    this.requiresGrad = requiresGrad;
    return this;
  }

  // ---- inspection ----------------------------------------------------------------------

  /**
   * The value of a one-element tensor as a number.
   * @example
   * torch.tensor([2.5]).item(); // 2.5
   */
  item(): number {
    if (this.numel() !== 1) {
      throw new Error(`a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    }
    return this._data[this._offset];
  }

  /**
   * The values as (nested) arrays of numbers.
   * @example
   * torch.eye(2).tolist(); // [[1, 0], [0, 1]]
   */
  tolist(): NestedArray {
    const flat = contiguousData(this);
    if (this.shape.length === 0) return flat[0];
    let i = 0;
    const build = (d: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let k = 0; k < this.shape[d]; k++)
        out.push(d === this.shape.length - 1 ? flat[i++] : build(d + 1));
      return out;
    };
    return build(0);
  }

  /**
   * The shape, or the size of one dimension.
   * @example
   * torch.zeros(2, 3).size(1); // 3
   */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    return dim === undefined ? this.shape.slice() : this.shape[wrapDim(dim, this.dim())];
  }

  /** Number of dimensions. @example torch.zeros(2, 3).dim(); // 2 */
  dim(): number {
    return this.shape.length;
  }

  /** Number of elements. @example torch.zeros(2, 3).numel(); // 6 */
  numel(): number {
    return numelOf(this.shape);
  }

  /** Whether the elements lie in row-major order. @example torch.zeros(2, 3).t().isContiguous(); // false */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this._strides[i] !== expected) return false;
      expected *= this.shape[i];
    }
    return true;
  }

  /** PyTorch-style text. @example String(torch.ones(2)); // 'tensor([1., 1.])' */
  toString(): string {
    return formatTensor(this);
  }

  /** @internal Node's util.inspect hook, so console.log shows the PyTorch-style text. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- elementwise math ----------------------------------------------------------------

  /** Elementwise sum, broadcasting. @example x.add(1); x.add(y); */
  add(other: TensorLike): Tensor {
    return E.binary(E.Add, this, other);
  }

  /** Elementwise difference, broadcasting. @example x.sub(y); */
  sub(other: TensorLike): Tensor {
    return E.binary(E.Sub, this, other);
  }

  /** Elementwise product, broadcasting. @example x.mul(2); */
  mul(other: TensorLike): Tensor {
    return E.binary(E.Mul, this, other);
  }

  /** Elementwise quotient, broadcasting. @example x.div(y); */
  div(other: TensorLike): Tensor {
    return E.binary(E.Div, this, other);
  }

  /** Elementwise power. @example x.pow(2); x.pow(y); */
  pow(exponent: TensorLike): Tensor {
    if (typeof exponent === 'number') return apply(E.PowScalar, [this], { value: exponent });
    return E.binary(E.Pow, this, exponent);
  }

  /** `1 / this` (ReciprocalBackward0). @example x.reciprocal(); */
  reciprocal(): Tensor {
    return apply(E.Reciprocal, [this], undefined);
  }

  /** `value - this` (PyTorch's `rsub`). @example x.rsub(1); // 1 - x */
  rsub(value: number): Tensor {
    return apply(E.RsubScalar, [this], { value });
  }

  /** @example x.neg(); */
  neg(): Tensor {
    return apply(E.Neg, [this], undefined);
  }

  /** @example x.exp(); */
  exp(): Tensor {
    return apply(E.Exp, [this], undefined);
  }

  /** Natural logarithm. @example x.log(); */
  log(): Tensor {
    return apply(E.Log, [this], undefined);
  }

  /** log(1 + x), accurate for small x. @example x.log1p(); */
  log1p(): Tensor {
    return apply(A.Log1p, [this], undefined);
  }

  /** The error function. @example x.erf(); */
  erf(): Tensor {
    return apply(A.Erf, [this], undefined);
  }

  /** @example x.sqrt(); */
  sqrt(): Tensor {
    return apply(E.Sqrt, [this], undefined);
  }

  /** @example x.abs(); */
  abs(): Tensor {
    return apply(E.Abs, [this], undefined);
  }

  /** -1, 0 or 1 per element. @example x.sign(); */
  sign(): Tensor {
    return apply(E.Sign, [this], undefined);
  }

  /** @example x.sin(); */
  sin(): Tensor {
    return apply(E.Sin, [this], undefined);
  }

  /** @example x.cos(); */
  cos(): Tensor {
    return apply(E.Cos, [this], undefined);
  }

  /** @example x.tanh(); */
  tanh(): Tensor {
    return apply(E.Tanh, [this], undefined);
  }

  /** @example x.sigmoid(); */
  sigmoid(): Tensor {
    return apply(E.Sigmoid, [this], undefined);
  }

  /** max(x, 0). @example x.relu(); */
  relu(): Tensor {
    return apply(E.Relu, [this], undefined);
  }

  /** x ** 2, recorded as PowBackward0 as in PyTorch. @example x.square(); */
  square(): Tensor {
    return this.pow(2);
  }

  /**
   * Limits values to [min, max]; either bound may be null.
   * @example x.clamp(0, 1); x.clamp(null, 5);
   */
  clamp(min: number | null = null, max: number | null = null): Tensor {
    if (min === null && max === null)
      throw new Error("torch.clamp: At least one of 'min' or 'max' must not be None");
    return apply(E.Clamp, [this], { min, max });
  }

  /** Elementwise maximum of two tensors. @example a.maximum(b); */
  maximum(other: TensorLike): Tensor {
    return E.binary(E.Maximum, this, other);
  }

  /** Elementwise minimum of two tensors. @example a.minimum(b); */
  minimum(other: TensorLike): Tensor {
    return E.binary(E.Minimum, this, other);
  }

  /** Converts to another dtype (recorded as ToCopyBackward0 when it requires grad). @example x.to('float64'); */
  to(dtype: DType): Tensor {
    return dtype === this.dtype ? this : castTo(this, dtype);
  }

  /** @example x.float(); */
  float(): Tensor {
    return this.to('float32');
  }

  /** @example x.double(); */
  double(): Tensor {
    return this.to('float64');
  }

  /** @example x.long(); */
  long(): Tensor {
    return this.to('int64');
  }

  // ---- comparisons (no history) --------------------------------------------------------

  /** @example x.gt(0); */
  gt(other: TensorLike): Tensor {
    return E.compare(this, other, (a, b) => a > b);
  }

  /** @example x.lt(0); */
  lt(other: TensorLike): Tensor {
    return E.compare(this, other, (a, b) => a < b);
  }

  /** @example x.ge(0); */
  ge(other: TensorLike): Tensor {
    return E.compare(this, other, (a, b) => a >= b);
  }

  /** @example x.le(0); */
  le(other: TensorLike): Tensor {
    return E.compare(this, other, (a, b) => a <= b);
  }

  /** @example x.eq(y); */
  eq(other: TensorLike): Tensor {
    return E.compare(this, other, (a, b) => a === b);
  }

  /** @example x.ne(y); */
  ne(other: TensorLike): Tensor {
    return E.compare(this, other, (a, b) => a !== b);
  }

  // ---- linear algebra ------------------------------------------------------------------

  /** Matrix product with PyTorch's 1-D/2-D/batched rules. @example a.matmul(b); */
  matmul(other: Tensor): Tensor {
    return L.matmul(this, other);
  }

  /** Batched product of 3-D tensors, no broadcasting. @example q.bmm(k.transpose(1, 2)); */
  bmm(other: Tensor): Tensor {
    return L.bmm(this, other);
  }

  /** 2-D matrix product. @example a.mm(b); */
  mm(other: Tensor): Tensor {
    return L.mm(this, other);
  }

  /** Matrix-vector product. @example m.mv(v); */
  mv(other: Tensor): Tensor {
    return L.matmul(this, other);
  }

  /** Dot product of 1-D tensors. @example a.dot(b); */
  dot(other: Tensor): Tensor {
    if (this.dim() !== 1 || other.dim() !== 1) {
      throw new Error(`1D tensors expected, but got ${this.dim()}D and ${other.dim()}D tensors`);
    }
    return L.matmul(this, other);
  }

  // ---- shape ---------------------------------------------------------------------------

  /** All dims reversed, PyTorch's `x.T` (PermuteBackward0). @example w.T; */
  get T(): Tensor {
    return numpyT(this);
  }

  /** The last two dims swapped, PyTorch's `x.mT` (TransposeBackward0). @example batch.mT; */
  get mT(): Tensor {
    return matrixT(this);
  }

  /** Transpose of a 2-D tensor (a view). @example w.t(); */
  t(): Tensor {
    return V.t(this);
  }

  /** Swaps two dimensions (a view). @example x.transpose(0, 1); */
  transpose(dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }

  /** Reorders dimensions (a view). @example x.permute(2, 0, 1); */
  permute(...dims: number[]): Tensor {
    return V.permute(this, dims);
  }

  /** Same data, new shape (a view; one size may be -1). @example x.view(2, -1); */
  view(...shape: number[]): Tensor {
    return V.view(this, shape);
  }

  /** Like `view`, copying when the layout requires it. @example x.reshape(-1); */
  reshape(...shape: number[]): Tensor {
    return V.reshape(this, shape);
  }

  /** Flattens dims startDim..endDim into one. @example x.flatten(1); */
  flatten(startDim = 0, endDim = -1): Tensor {
    return V.flatten(this, startDim, endDim);
  }

  /** Removes size-1 dims (or just `dim`). @example x.squeeze(0); */
  squeeze(dim?: number): Tensor {
    return V.squeeze(this, dim);
  }

  /** Inserts a size-1 dim. @example x.unsqueeze(0); */
  unsqueeze(dim: number): Tensor {
    return V.unsqueeze(this, dim);
  }

  /** Broadcasts to a larger shape (a view; -1 keeps a size). @example b.expand(4, -1); */
  expand(...sizes: number[]): Tensor {
    return V.expand(this, sizes);
  }

  /** @example x.expandAs(y); */
  expandAs(other: Tensor): Tensor {
    return V.expand(this, other.shape);
  }

  /** The slice at `index` along `dim`, without that dim (a view). @example x.select(0, 1); */
  select(dim: number, index: number): Tensor {
    return V.select(this, dim, index);
  }

  /** `length` elements from `start` along `dim` (a view). @example x.narrow(1, 0, 2); */
  narrow(dim: number, start: number, length: number): Tensor {
    return V.narrow(this, dim, start, length);
  }

  /**
   * The element at `index` along `dim` for each position of `index` (same number of dims).
   * @example logProbs.gather(1, targets.unsqueeze(1));
   */
  gather(dim: number, index: Tensor): Tensor {
    return G.gather(this, dim, index);
  }

  /**
   * The slices at `index` (an int64 vector) along `dim`, e.g. a shuffled mini-batch.
   * @example x.indexSelect(0, torch.randperm(x.size(0)).narrow(0, 0, 32));
   */
  indexSelect(dim: number, index: Tensor): Tensor {
    return V.indexSelect(this, dim, index);
  }

  /** A copy with its own storage, recorded as CloneBackward0. @example x.clone(); */
  clone(): Tensor {
    return V.clone(this);
  }

  /** This tensor if row-major, else a row-major copy. @example x.t().contiguous(); */
  contiguous(): Tensor {
    return V.contiguous(this);
  }

  // ---- reductions ----------------------------------------------------------------------

  /** Sum of all elements, or along `dim`. @example x.sum(); x.sum(1, true); */
  sum(dim?: number | number[], keepdim = false): Tensor {
    return R.sum(this, dim, keepdim);
  }

  /** Mean of all elements, or along `dim`. @example x.mean(0); */
  mean(dim?: number | number[], keepdim = false): Tensor {
    return R.mean(this, dim, keepdim);
  }

  /**
   * Largest element; along `dim`, the largest of each slice and its index.
   * @example x.max(); const { values, indices } = x.max(1);
   */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): G.ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | G.ValuesIndices {
    if (dim === undefined) return apply(R.Max, [this], undefined);
    return G.extremumDim(this, dim, keepdim, true);
  }

  /** Smallest element; along `dim`, the smallest of each slice and its index. @example x.min(0); */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): G.ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | G.ValuesIndices {
    if (dim === undefined) return apply(R.Min, [this], undefined);
    return G.extremumDim(this, dim, keepdim, false);
  }

  /** Index of the largest element (along `dim`); no history. @example logits.argmax(1); */
  argmax(dim?: number, keepdim = false): Tensor {
    return R.argmax(this, dim, keepdim);
  }

  /** @example logits.softmax(1); */
  softmax(dim: number): Tensor {
    return R.softmax(this, dim);
  }

  /** @example logits.logSoftmax(1); */
  logSoftmax(dim: number): Tensor {
    return R.softmax(this, dim, true);
  }

  /** Unbiased variance (PyTorch's default), of all elements or along `dim`. @example x.var(0); */
  var(dim?: number | number[], keepdim = false): Tensor {
    return S.varianceOf(this, dim, keepdim, 1, false);
  }

  /** Unbiased standard deviation, of all elements or along `dim`. @example x.std(1, true); */
  std(dim?: number | number[], keepdim = false): Tensor {
    return S.varianceOf(this, dim, keepdim, 1, true);
  }

  /** log Σ exp(x) along `dim`, computed without overflow. @example logits.logsumexp(1); */
  logsumexp(dim: number, keepdim = false): Tensor {
    return S.logsumexp(this, dim, keepdim);
  }

  /** Running sum along `dim`. @example x.cumsum(0); */
  cumsum(dim: number): Tensor {
    return S.cumsum(this, dim);
  }

  // ---- masks ---------------------------------------------------------------------------

  /** The lower triangle of each matrix (on and below diagonal `k`). @example scores.tril(); */
  tril(k = 0): Tensor {
    return M.triangular(this, k, false);
  }

  /** The upper triangle of each matrix (on and above diagonal `k`). @example x.triu(1); */
  triu(k = 0): Tensor {
    return M.triangular(this, k, true);
  }

  /**
   * `value` where the boolean `mask` (broadcast) is true.
   * @example scores.maskedFill(causal.eq(0), -Infinity);
   */
  maskedFill(mask: Tensor, value: number): Tensor {
    return M.maskedFill(this, mask, value);
  }

  // ---- indexing, sorting, products, pieces ---------------------------------------------

  /**
   * PyTorch's `x[i0, i1, ...]`: a number selects, `null` keeps a whole dim (`:`),
   * `torch.slice(start, end, step)` slices (a view, SliceBackward0), an int64 or bool tensor
   * indexes (a copy, IndexBackward0).
   * @example x.index(null, 0); // x[:, 0]
   * @example att.index(torch.slice(null, T), torch.slice(null, T)); // att[:T, :T]
   * @example emb.index(idx); // emb[idx]
   */
  index(...indices: I.IndexItem[]): Tensor {
    return I.index(this, indices);
  }

  /**
   * Category indices drawn from each row of weights (PyTorch's CPU stream). No history.
   * @example probs.multinomial(1, true);
   */
  multinomial(numSamples: number, replacement = false): Tensor {
    return multinomial(this, numSamples, replacement);
  }

  /** Index of the smallest element (along `dim`); no history. @example x.argmin(1); */
  argmin(dim?: number, keepdim = false): Tensor {
    return noGrad(() =>
      dim === undefined ? this.reshape(-1).min(0).indices : this.min(dim, keepdim).indices,
    );
  }

  /** The `k` largest (or smallest) along `dim` and their indices. @example x.topk(3).values; */
  topk(k: number, dim = -1, largest = true): G.ValuesIndices {
    return O.topk(this, k, dim, largest);
  }

  /** Sorted along `dim`, with where each element came from. @example x.sort(0, true); */
  sort(dim = -1, descending = false): G.ValuesIndices {
    return O.sort(this, dim, descending);
  }

  /**
   * The Euclidean norm (`p` 2 or 'fro'), of all elements or along `dim`.
   * @example w.norm(); x.norm(2, 1, true);
   */
  norm(p: number | 'fro' = 'fro', dim?: number | number[], keepdim = false): Tensor {
    if (p !== 2 && p !== 'fro') throw new Error(`Gradlens supports norm with p = 2 only, got ${p}`);
    return P.norm(this, dim, keepdim);
  }

  /** Product of all elements, or along `dim`. @example x.prod(1); */
  prod(dim?: number, keepdim = false): Tensor {
    return P.prod(this, dim, keepdim);
  }

  /** A copy reversed along `dims`. @example x.flip(0); x.flip([0, 1]); */
  flip(...dims: (number | number[])[]): Tensor {
    return Q.flip(this, dims.flat());
  }

  /** A copy tiled `sizes` times along each dim. @example x.repeat(2, 1); */
  repeat(...sizes: (number | number[])[]): Tensor {
    return Q.repeat(this, sizes.flat());
  }

  /** `chunks` views along `dim`, outputs of one SplitBackward0. @example const [q, k, v] = x.chunk(3, -1); */
  chunk(chunks: number, dim = 0): Tensor[] {
    return Sp.chunk(this, chunks, dim);
  }

  /** Views of `size` along `dim` (or of the listed sizes). @example x.split(2, 1); */
  split(size: number | number[], dim = 0): Tensor[] {
    return Sp.split(this, size, dim);
  }

  // ---- in-place ------------------------------------------------------------------------

  /** In-place add. @example w.add_(1); */
  add_(other: TensorLike): this {
    return inplace(this, (self) => self.add(other));
  }

  /** In-place subtract. @example w.sub_(w.grad!.mul(lr)); */
  sub_(other: TensorLike): this {
    return inplace(this, (self) => self.sub(other));
  }

  /** In-place multiply. @example w.mul_(0.9); */
  mul_(other: TensorLike): this {
    return inplace(this, (self) => self.mul(other));
  }

  /** In-place divide. @example w.div_(2); */
  div_(other: TensorLike): this {
    return inplace(this, (self) => self.div(other));
  }

  /** In-place clamp. @example w.clamp_(-1, 1); */
  clamp_(min: number | null = null, max: number | null = null): this {
    return inplace(this, (self) => self.clamp(min, max));
  }

  /** Fills with zeros. @example x.grad!.zero_(); */
  zero_(): this {
    return inplace(this, (self) => overwrite(Zero, self, Tensor._scalar(0, this.dtype)), true);
  }

  /** Fills with `value`. @example x.fill_(1); */
  fill_(value: number): this {
    return inplace(this, (self) => overwrite(Fill, self, Tensor._scalar(value, this.dtype)), true);
  }

  /** Copies `src` (broadcast) into this tensor. @example w.copy_(other); */
  copy_(src: Tensor): this {
    return inplace(this, (self) => copyInto(self, src));
  }

  /**
   * PyTorch's `x[i0, i1, ...] = values` for int64 index tensors (`accumulate`: adds instead),
   * recorded as IndexPutBackward0.
   * @example dlogits.indexPut_([rows, ys], dlogits.index(rows, ys).sub(1)); // dlogits[rows, ys] -= 1
   */
  indexPut_(indices: Tensor[], values: TensorLike, accumulate = false): this {
    return indexPut_(this, indices, values, accumulate);
  }

  /** Fills with normal samples. @example w.normal_(0, 0.01); */
  normal_(mean = 0, std = 1): this {
    return this._fillRandom(Normal, (d) => fillNormal(d, mean, std));
  }

  /** Fills with uniform samples in [from, to). @example w.uniform_(-0.1, 0.1); */
  uniform_(from = 0, to = 1): this {
    return this._fillRandom(Uniform, (d) => fillUniform(d, from, to));
  }

  private _fillRandom(op: typeof Normal, fill: (d: Float32Array | Float64Array) => void): this {
    if (!isFloating(this.dtype))
      throw new Error(`random fill expects a floating point tensor, got ${this.dtype}`);
    const d = allocate(this.dtype, this.numel()) as Float32Array | Float64Array;
    fill(d);
    const values = Tensor._fromFlat(d, this.shape.slice(), this.dtype);
    return inplace(this, (self) => overwrite(op, self, values));
  }

  /** @internal */
  static _fromFlat(data: Storage, shape: number[], dtype: DType): Tensor {
    const strides = new Array<number>(shape.length);
    let s = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= shape[i];
    }
    return new Tensor(data, shape, strides, 0, dtype);
  }
}

/** Broadcast-checks an in-place result against the target's shape. */
export function checkInplaceShape(target: Tensor, result: Tensor): void {
  if (sameShape(target.shape, result.shape)) return;
  const n = Math.max(target.dim(), result.dim());
  const padded = [...new Array<number>(n - target.dim()).fill(1), ...target.shape];
  const fits =
    result.dim() <= target.dim() &&
    result.shape.every((s, i) => s === 1 || s === padded[i + n - result.dim()]);
  if (!fits) {
    throw new Error(
      `output with shape ${formatShape(target.shape)} doesn't match the broadcast shape ${formatShape(result.shape)}`,
    );
  }
}
