// Every primitive op in one list: tests derive their coverage from it (a primitive without
// a PyTorch fixture fails a test), and the graph view uses it to label nodes.
import * as E from './elementwise';
import { Copy, Fill, Normal, ToCopy, Uniform, Zero } from './inplace';
import * as L from './linalg';
import * as Loss from './loss';
import type { Primitive } from './op';
import * as R from './reduce';
import * as V from './views';

export const primitives: readonly Primitive<never>[] = [
  E.Neg, E.Exp, E.Log, E.Sqrt, E.Abs, E.Sin, E.Cos, E.Tanh, E.Sigmoid, E.Relu, E.Sign,
  E.PowScalar, E.PowScalarBase, E.RsubScalar, E.Clamp,
  E.Add, E.Sub, E.Mul, E.Div, E.Pow, E.Maximum, E.Minimum, E.Where,
  R.Sum, R.SumDim, R.Mean, R.MeanDim, R.Max, R.Min, R.Softmax, R.LogSoftmax,
  V.View, V.T, V.Transpose, V.Permute, V.Expand, V.Squeeze, V.SqueezeDim, V.Unsqueeze,
  V.Select, V.Narrow, V.SelectBackward, V.SliceBackward, V.Clone, V.UnsafeView, V.IndexSelect, V.IndexAdd, V.Cat, V.Stack,
  L.Mm, L.Addmm, L.Dot, L.Mv, L.Bmm,
  Loss.MseLoss, Loss.NllLoss, Loss.BinaryCrossEntropy,
  Fill, Zero, Normal, Uniform, Copy, ToCopy,
] as unknown as readonly Primitive<never>[];
