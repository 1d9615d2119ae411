/**
 * Gradlens engine: a PyTorch-faithful autograd engine in TypeScript.
 *
 * @example
 * import * as torch from 'gradlens';
 * const a = torch.tensor([2, 3], { requiresGrad: true });
 * const q = a.pow(3).sum();
 * q.backward();
 * a.grad!.tolist(); // [12, 27]
 *
 * @packageDocumentation
 */
export { Tensor, type NestedArray } from './tensor';
export { float32, float, float64, double, int64, long, bool, type DType } from './dtype';
export {
  tensor,
  zeros,
  ones,
  full,
  rand,
  randn,
  randperm,
  randint,
  arange,
  linspace,
  eye,
  empty,
  zerosLike,
  onesLike,
  randnLike,
  fullLike,
  type TensorOptions,
} from './factories';
export { manualSeed } from './random';
export { slice, Slice } from './ops/indexing';
export { multinomial } from './sampling';
export { setPrintoptions, type PrintOptions, type SetPrintoptionsArgs } from './print/options';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from './grad-mode';
export * from './functions';
export * as autograd from './autograd/index';
export * as nn from './nn/index';
export * as optim from './optim/index';
export * as utils from './utils/index';
export {
  setNodeCreatedHook as _setNodeCreatedHook,
  notifyNodeCreated as _notifyNodeCreated,
  setBeforeOpHook as _setBeforeOpHook,
} from './ops/op';
export {
  nextSequenceNumber as _nextSequenceNumber,
  setNextSequenceNumber as _setNextSequenceNumber,
} from './autograd/node';
export {
  setBackwardObserver as _setBackwardObserver,
  type BackwardObserver as _BackwardObserver,
} from './autograd/engine';
