// The chain rule of each primitive's node kind in words and formulas, like PyTorch's
// derivatives.yaml: what the op computed, and the gradient it sends to each input (in
// nextFunctions order) from `grad`, the gradient that reached its output. It sits with the
// primitives so that adding an op is a change in this folder; a test fails when a primitive
// has no entry. `gradlens run --explain` and the step-through read it (src/explain/); PyTorch
// node kinds missing here get the generic rule there. Plain data: no engine imports.

/** A node kind's backward: its forward formula and, per input, the gradient it sends. */
export interface BackwardRule {
  /** What the op computed, e.g. `out = self * other`. */
  readonly forward: string;
  /** Per input in nextFunctions order: its name in the formulas and the gradient it receives. */
  readonly inputs: readonly (readonly [name: string, grad: string])[];
  /** The op takes any number of inputs (cat, stack): `inputs` has the rule for each. */
  readonly variadic?: true;
}

const unary = (forward: string, grad: string): BackwardRule => ({
  forward,
  inputs: [['self', grad]],
});
const zero = (forward: string): BackwardRule => unary(forward, '0 (the values were overwritten)');

/** Keyed by PyTorch's node class name. */
export const RULES: Readonly<Record<string, BackwardRule>> = {
  NegBackward0: unary('out = -self', '-grad'),
  ExpBackward0: unary('out = exp(self)', 'grad * result'),
  LogBackward0: unary('out = log(self)', 'grad / self'),
  SqrtBackward0: unary('out = sqrt(self)', 'grad / (2 * result)'),
  AbsBackward0: unary('out = |self|', 'grad * sign(self)'),
  SinBackward0: unary('out = sin(self)', 'grad * cos(self)'),
  CosBackward0: unary('out = cos(self)', '-grad * sin(self)'),
  TanhBackward0: unary('out = tanh(self)', 'grad * (1 - result^2)'),
  SigmoidBackward0: unary('out = sigmoid(self)', 'grad * result * (1 - result)'),
  ReluBackward0: unary('out = max(self, 0)', 'grad where result > 0, else 0'),
  SignBackward0: unary('out = sign(self)', '0'),
  ReciprocalBackward0: unary('out = 1 / self', '-grad * result^2'),
  PowBackward0: unary('out = self^exponent', 'grad * exponent * self^(exponent - 1)'),
  PowBackward2: unary('out = base^self', 'grad * result * ln(base)'),
  RsubBackward1: unary('out = other - alpha * self', '-grad * alpha'),
  ClampBackward1: unary('out = clamp(self, min, max)', 'grad where min <= self <= max, else 0'),
  AddBackward0: {
    forward: 'out = self + alpha * other',
    inputs: [
      ['self', 'grad (summed over broadcast dimensions)'],
      ['other', 'grad * alpha (summed over broadcast dimensions)'],
    ],
  },
  SubBackward0: {
    forward: 'out = self - alpha * other',
    inputs: [
      ['self', 'grad (summed over broadcast dimensions)'],
      ['other', '-grad * alpha (summed over broadcast dimensions)'],
    ],
  },
  MulBackward0: {
    forward: 'out = self * other',
    inputs: [
      ['self', 'grad * other'],
      ['other', 'grad * self'],
    ],
  },
  DivBackward0: {
    forward: 'out = self / other',
    inputs: [
      ['self', 'grad / other'],
      ['other', '-grad * self / other^2'],
    ],
  },
  PowBackward1: {
    forward: 'out = self^exponent',
    inputs: [
      ['self', 'grad * exponent * self^(exponent - 1)'],
      ['exponent', 'grad * result * ln(self)'],
    ],
  },
  MaximumBackward0: {
    forward: 'out = maximum(self, other)',
    inputs: [
      ['self', 'grad where self > other (half where equal), else 0'],
      ['other', 'grad where other > self (half where equal), else 0'],
    ],
  },
  MinimumBackward0: {
    forward: 'out = minimum(self, other)',
    inputs: [
      ['self', 'grad where self < other (half where equal), else 0'],
      ['other', 'grad where other < self (half where equal), else 0'],
    ],
  },
  WhereBackward0: {
    forward: 'out = where(condition, self, other)',
    inputs: [
      ['self', 'grad where condition, else 0'],
      ['other', 'grad where not condition, else 0'],
    ],
  },
  SumBackward0: unary('out = sum(self)', 'grad copied to every element of self'),
  SumBackward1: unary('out = sum(self, dim)', 'grad copied along dim'),
  MeanBackward0: unary('out = mean(self)', 'grad / numel(self) at every element'),
  MeanBackward1: unary('out = mean(self, dim)', 'grad / size(dim) copied along dim'),
  MaxBackward1: unary('out = max(self)', 'grad at the maximum (shared among ties), else 0'),
  MinBackward1: unary('out = min(self)', 'grad at the minimum (shared among ties), else 0'),
  SoftmaxBackward0: unary('out = softmax(self, dim)', 'result * (grad - sum(grad * result, dim))'),
  LogSoftmaxBackward0: unary('out = log_softmax(self, dim)', 'grad - exp(result) * sum(grad, dim)'),
  ViewBackward0: unary('out = self.view(shape)', "grad reshaped to self's shape"),
  UnsafeViewBackward0: unary('out = self.reshape(shape)', "grad reshaped to self's shape"),
  TBackward0: unary('out = self^T', 'grad^T'),
  TransposeBackward0: unary('out = self.transpose(d0, d1)', 'grad.transpose(d0, d1)'),
  PermuteBackward0: unary('out = self.permute(dims)', 'grad permuted back'),
  ExpandBackward0: unary('out = self.expand(sizes)', 'grad summed over the expanded dimensions'),
  SqueezeBackward0: unary('out = self.squeeze()', "grad reshaped to self's shape"),
  SqueezeBackward1: unary('out = self.squeeze(dim)', 'grad.unsqueeze(dim)'),
  UnsqueezeBackward0: unary('out = self.unsqueeze(dim)', 'grad.squeeze(dim)'),
  SelectBackward0: unary('out = self.select(dim, index)', 'grad at index along dim, 0 elsewhere'),
  SliceBackward0: unary('out = self.narrow(dim, start, length)', 'grad in the slice, 0 elsewhere'),
  SelectBackwardBackward0: unary('out = the select backward of self', 'grad.select(dim, index)'),
  SliceBackwardBackward0: unary(
    'out = the slice backward of self',
    'grad.narrow(dim, start, length)',
  ),
  CloneBackward0: unary('out = self.clone()', 'grad'),
  IndexSelectBackward0: unary(
    'out = self.index_select(dim, index)',
    'grad added at the selected indices, 0 elsewhere',
  ),
  IndexAddBackward0: {
    forward: 'out = self.index_add(dim, index, source)',
    inputs: [
      ['self', 'grad'],
      ['source', 'grad.index_select(dim, index)'],
    ],
  },
  CatBackward0: {
    forward: 'out = cat(tensors, dim)',
    inputs: [['tensors[i]', 'the slice of grad along dim where tensors[i] was']],
    variadic: true,
  },
  StackBackward0: {
    forward: 'out = stack(tensors, dim)',
    inputs: [['tensors[i]', 'grad.select(dim, i)']],
    variadic: true,
  },
  MmBackward0: {
    forward: 'out = self @ mat2',
    inputs: [
      ['self', 'grad @ mat2^T'],
      ['mat2', 'self^T @ grad'],
    ],
  },
  AddmmBackward0: {
    forward: 'out = beta * self + alpha * (mat1 @ mat2)',
    inputs: [
      ['self', 'beta * grad (summed over broadcast dimensions)'],
      ['mat1', 'alpha * grad @ mat2^T'],
      ['mat2', 'alpha * mat1^T @ grad'],
    ],
  },
  DotBackward0: {
    forward: 'out = self . tensor',
    inputs: [
      ['self', 'grad * tensor'],
      ['tensor', 'grad * self'],
    ],
  },
  MvBackward0: {
    forward: 'out = self @ vec',
    inputs: [
      ['self', 'outer(grad, vec)'],
      ['vec', 'self^T @ grad'],
    ],
  },
  BmmBackward0: {
    forward: 'out[b] = self[b] @ mat2[b]',
    inputs: [
      ['self', 'grad[b] @ mat2[b]^T'],
      ['mat2', 'self[b]^T @ grad[b]'],
    ],
  },
  MseLossBackward0: {
    forward: 'out = mean((self - target)^2)',
    inputs: [
      ['self', 'grad * 2 * (self - target) / n'],
      ['target', '-grad * 2 * (self - target) / n'],
    ],
  },
  NllLossBackward0: unary(
    'out = -mean(self[i, target[i]])',
    '-grad / n at each [i, target[i]], 0 elsewhere',
  ),
  BinaryCrossEntropyBackward0: {
    forward: 'out = -mean(target * log(self) + (1 - target) * log(1 - self))',
    inputs: [
      ['self', 'grad * (self - target) / (self * (1 - self)) / n'],
      ['target', 'grad * (log(1 - self) - log(self)) / n'],
    ],
  },
  FillBackward2: zero('out = self.fill_(value)'),
  Log1PBackward0: unary('out = log(1 + self)', 'grad / (1 + self)'),
  ErfBackward0: unary('out = erf(self)', 'grad * 2 / sqrt(pi) * exp(-self^2)'),
  GeluBackward0: unary(
    'out = self * Phi(self) (Phi: the normal CDF)',
    'grad * (Phi(self) + self * phi(self)) (phi: the normal density)',
  ),
  SiluBackward0: unary(
    'out = self * sigmoid(self)',
    'grad * sigmoid(self) * (1 + self * (1 - sigmoid(self)))',
  ),
  LeakyReluBackward0: unary(
    'out = self if self > 0, else negative_slope * self',
    'grad where self > 0, else grad * negative_slope',
  ),
  SoftplusBackward0: unary(
    'out = log(1 + exp(beta * self)) / beta (self where beta * self > threshold)',
    'grad * sigmoid(beta * self) (grad where beta * self > threshold)',
  ),
  EluBackward0: unary(
    'out = self if self > 0, else alpha * (exp(self) - 1)',
    'grad where self > 0, else grad * (result + alpha)',
  ),
  VarBackward0: unary('out = sum((self - mean)^2) / (n - 1)', 'grad * 2 * (self - mean) / (n - 1)'),
  StdBackward0: unary(
    'out = sqrt(sum((self - mean)^2) / (n - 1))',
    'grad * (self - mean) / ((n - 1) * result)',
  ),
  LogsumexpBackward0: unary('out = log(sum(exp(self), dim))', 'grad * exp(self - result)'),
  CumsumBackward0: unary(
    'out = cumsum(self, dim)',
    'grad summed from each position to the end along dim',
  ),
  TrilBackward0: unary('out = self below the k-th diagonal, 0 above', 'grad.tril(k)'),
  TriuBackward0: unary('out = self above the k-th diagonal, 0 below', 'grad.triu(k)'),
  MaskedFillBackward0: unary(
    'out = self with value where mask',
    'grad where mask is false, else 0',
  ),
  GatherBackward0: unary(
    'out = self.gather(dim, index)',
    'zeros like self, with grad added at index along dim',
  ),
  ScatterAddBackward0: {
    forward: 'out = self.scatter_add(dim, index, src)',
    inputs: [
      ['self', 'grad'],
      ['src', 'grad.gather(dim, index)'],
    ],
  },
  MaxBackward0: unary(
    'out = max(self, dim) (values, indices)',
    'grad at the indices of the maxima along dim, else 0',
  ),
  MinBackward0: unary(
    'out = min(self, dim) (values, indices)',
    'grad at the indices of the minima along dim, else 0',
  ),
  EmbeddingBackward0: unary(
    'out = weight[indices] (rows of the embedding table)',
    'grad rows added into the rows of weight that indices picked',
  ),
  NativeLayerNormBackward0: {
    forward: 'out = (input - mean) / sqrt(var + eps) * weight + bias (over the last dims)',
    inputs: [
      ['input', 'weight * grad through the normalization (mean and variance depend on input)'],
      ['weight', 'sum of grad * normalized input over the leading dims'],
      ['bias', 'sum of grad over the leading dims'],
    ],
  },
  IndexBackward0: unary(
    'out = self[indices] (advanced indexing, a copy)',
    'zeros like self, with grad added at the indexed positions (repeats add up)',
  ),
  IndexPutImplBackward0: {
    forward: 'out = self.index_put(indices, values, accumulate=True)',
    inputs: [
      ['self', 'grad'],
      ['values', 'grad[indices]'],
    ],
  },
  SortBackward0: unary(
    'out = sort(self, dim) (values, indices)',
    'grad put back at the position each sorted value came from',
  ),
  TopkBackward0: unary(
    'out = topk(self, k, dim) (values, indices)',
    'grad at the positions of the k picked values, else 0',
  ),
  SplitBackward0: unary(
    'out = self.split(split_size, dim) (several outputs, one per piece)',
    "the pieces' gradients concatenated along dim (zeros for a piece without one)",
  ),
  SplitWithSizesBackward0: unary(
    'out = self.split(split_sizes, dim) (several outputs, one per piece)',
    "the pieces' gradients concatenated along dim (zeros for a piece without one)",
  ),
  FlipBackward0: unary('out = self reversed along dims', 'grad reversed along dims'),
  RepeatBackward0: unary('out = self tiled repeats times', 'grad summed over the copies'),
  ProdBackward0: unary(
    'out = product of all elements of self',
    'grad * the product of the other elements (result / self where no element is 0)',
  ),
  ProdBackward1: unary(
    'out = product of self along dim',
    'grad * the product of the other elements along dim',
  ),
  LinalgVectorNormBackward0: unary(
    'out = sqrt(sum(self^2)) (PyTorch 1.13: NormBackward1)',
    'grad * self / result (0 where result is 0)',
  ),
  NativeBatchNormBackward0: {
    forward:
      'out = (input - mean) / sqrt(var + eps) * weight + bias per channel (batch statistics in training, running ones in eval)',
    inputs: [
      [
        'input',
        'weight * grad through the normalization (in training the batch mean and variance depend on input)',
      ],
      ['weight', 'sum of grad * normalized input over all dims but the channel'],
      ['bias', 'sum of grad over all dims but the channel'],
    ],
  },
  Im2ColBackward0: unary(
    'out = unfold(self): each sliding window of self as a column',
    'fold(grad): each column added back where its window was',
  ),
  Col2ImBackward0: unary(
    'out = fold(self): columns added into an image at their windows',
    'unfold(grad): each window of grad as a column',
  ),
  ConvolutionBackward0: {
    forward: 'out = conv(input, weight) + bias (each output channel a weighted sum over windows)',
    inputs: [
      ['input', "fold(weight^T @ grad): each window's share added back"],
      ['weight', 'grad @ unfold(input)^T, summed over the batch'],
      ['bias', 'sum of grad over all dims but the channel'],
    ],
  },
  MaxPool2DWithIndicesBackward0: unary(
    'out = the largest element of each window (and its index)',
    'grad at the position of each maximum, 0 elsewhere',
  ),
  ZeroBackward0: zero('out = self.zero_()'),
  NormalBackward0: zero('out = self.normal_(mean, std)'),
  UniformBackward0: zero('out = self.uniform_(a, b)'),
  AsStridedBackward0: unary(
    "out = a view of self (a view's history after its base was written in place)",
    "zeros like self, with grad at the view's positions",
  ),
  IndexPutBackward0: {
    forward: 'self[indices] = values (in place; += with accumulate)',
    inputs: [
      ['self', 'grad, with 0 at the overwritten positions (all of grad with accumulate)'],
      ['values', 'grad[indices], summed to the shape of values'],
    ],
  },
  CopyBackwards: {
    forward: 'out = self.copy_(src)',
    inputs: [
      ['self', '0 (its values were overwritten)'],
      ['src', 'grad'],
    ],
  },
  ToCopyBackward0: unary('out = self.to(dtype)', "grad cast back to self's dtype"),
};
