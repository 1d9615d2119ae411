// Loss modules: `new nn.MSELoss({ reduction })`, called as `loss.forward(input, target)`.
import type { Tensor } from '../tensor';
import * as F from './functional';
import { Module } from './module';

/** Options every loss takes. */
export interface LossOptions {
  reduction?: F.Reduction;
}

abstract class Loss extends Module {
  readonly reduction: F.Reduction;

  constructor(options: LossOptions = {}) {
    super();
    this.reduction = options.reduction ?? 'mean';
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

/** Mean squared error (MseLossBackward0). @example new torch.nn.MSELoss().forward(pred, y); */
export class MSELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, this);
  }
}

/** Cross-entropy over logits with int64 class targets. @example new torch.nn.CrossEntropyLoss().forward(logits, labels); */
export class CrossEntropyLoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, this);
  }
}

/** Negative log-likelihood over log-probabilities. @example new torch.nn.NLLLoss().forward(logp, labels); */
export class NLLLoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, this);
  }
}

/** Mean absolute error. @example new torch.nn.L1Loss().forward(pred, y); */
export class L1Loss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, this);
  }
}

/** Binary cross-entropy over probabilities. @example new torch.nn.BCELoss().forward(p, y); */
export class BCELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, this);
  }
}
