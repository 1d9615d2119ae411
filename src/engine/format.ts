// PyTorch's `str(tensor)` (torch/_tensor_str.py, `_str_intern`): `tensor(` and the elements,
// then the suffixes PyTorch adds (`size=`, `dtype=`, `grad_fn=<…>`/`requires_grad=True`),
// each on a new line when it would pass the line width.
import type { Tensor } from './tensor';
import { tensorBody } from './print/body';
import { printOptions } from './print/options';

const PREFIX = 'tensor(';

/** PyTorch's class name of a node: `torch::autograd::CopySlices` prints as `CopySlices`. */
function gradFnName(t: Tensor): string | null {
  const name = t.gradFn?.name();
  return name === undefined ? null : name.slice(name.lastIndexOf(':') + 1);
}

function suffixesOf(t: Tensor): string[] {
  const suffixes: string[] = [];
  if (t.numel() === 0) {
    // An empty tensor has no elements to show its shape or whether it holds integers.
    if (t.dim() !== 1) suffixes.push(`size=(${t.shape.join(', ')})`);
    if (t.dtype !== 'float32') suffixes.push(`dtype=torch.${t.dtype}`);
  } else if (t.dtype === 'float64') {
    suffixes.push('dtype=torch.float64');
  }
  const gradFn = gradFnName(t);
  if (gradFn !== null) suffixes.push(`grad_fn=<${gradFn}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return suffixes;
}

/** Appends `, suffix` or, past the line width, `,\n` and the suffix under the first element. */
function addSuffixes(text: string, suffixes: string[], linewidth: number): string {
  const indent = PREFIX.length;
  // PyTorch's own arithmetic (len - rfind + 1), two more than the last line's length.
  let lastLineLength = text.length - text.lastIndexOf('\n') + 1;
  let out = text;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > linewidth) {
      out += `,\n${' '.repeat(indent)}${suffix}`;
      lastLineLength = indent + suffix.length;
    } else {
      out += `, ${suffix}`;
      lastLineLength += suffix.length + 2;
    }
  }
  return `${out})`;
}

/**
 * A tensor's text exactly as PyTorch's `str()` prints it under the current print options.
 * @example formatTensor(torch.tensor([1, 2.5])); // 'tensor([1.0000, 2.5000])'
 */
export function formatTensor(t: Tensor): string {
  const options = printOptions();
  const body = t.numel() === 0 ? '[]' : tensorBody(t, PREFIX.length, options);
  return addSuffixes(PREFIX + body, suffixesOf(t), options.linewidth);
}
