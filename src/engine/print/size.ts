// Shapes in messages. PyTorch's C++ checks print a shape as `[2, 3]`; its Python code
// (autograd's gradient checks, losses, load_state_dict) prints the torch.Size itself.

/**
 * A shape as Python prints a `torch.Size`.
 * @example torchSize([2, 3]); // 'torch.Size([2, 3])'
 */
export function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}
