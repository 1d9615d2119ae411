/** Autograd internals users reach for (PyTorch's `torch.autograd`). */
export { grad, gradcheck, type GradOptions, type GradcheckOptions } from './grad';
export { Function, FunctionCtx } from './function';
export { Node, AccumulateGrad, SavedTensor, type Edge, type GradHook } from './node';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from '../grad-mode';
