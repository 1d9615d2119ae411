/** Neural-network building blocks (PyTorch's `torch.nn`). */
export { Module, currentModulePath, _activeModules, _activeModuleCalls } from './module';
export { Parameter } from './parameter';
export {
  Linear,
  Embedding,
  LayerNorm,
  ReLU,
  Sigmoid,
  Tanh,
  GELU,
  SiLU,
  LeakyReLU,
  Softplus,
  ELU,
  Softmax,
  LogSoftmax,
  Dropout,
  Flatten,
  Sequential,
} from './layers';
export { BatchNorm1d, type BatchNormOptions } from './batch-norm';
export { Conv1d, Conv2d, MaxPool2d, type ConvLayerOptions } from './conv';
export { MSELoss, CrossEntropyLoss, NLLLoss, L1Loss, BCELoss, type LossOptions } from './loss';
export * as functional from './functional';
