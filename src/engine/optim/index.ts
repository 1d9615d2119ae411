/** Optimizers (PyTorch's `torch.optim`). */
export { Optimizer, type ParamGroup, type Params } from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, type AdamOptions } from './adam';
