import { Tensor } from '../tensor';

/**
 * A tensor that a Module registers as a learnable parameter (requires grad by default).
 * It shares storage with the tensor it wraps.
 * @example
 * this.scale = new torch.nn.Parameter(torch.ones(1));
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data._data, data.shape, data._strides, data._offset, data.dtype);
    this.requiresGrad = requiresGrad;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
