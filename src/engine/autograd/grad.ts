// torch.autograd.grad and gradcheck.
import { allocate } from '../dtype';
import { noGrad } from '../grad-mode';
import { Tensor } from '../tensor';
import { runBackward } from './engine';

/** Options of `torch.autograd.grad`. */
export interface GradOptions {
  gradOutputs?: (Tensor | null)[] | Tensor | null;
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
}

const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/**
 * Gradients of `outputs` with respect to `inputs`, returned rather than accumulated.
 * With `createGraph`, the gradients have history, so they can be differentiated again.
 *
 * @example
 * const x = torch.tensor(2, { requiresGrad: true });
 * const [dy] = torch.autograd.grad(x.pow(3), x, { createGraph: true });
 * const [d2y] = torch.autograd.grad(dy!, x); // 12
 */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  const outs = list(outputs);
  const gradOutputs =
    options.gradOutputs == null ? outs.map(() => null) : list(options.gradOutputs);
  const createGraph = options.createGraph ?? false;
  return runBackward(
    outs,
    gradOutputs,
    { retainGraph: options.retainGraph ?? createGraph, createGraph },
    list(inputs),
    options.allowUnused ?? false,
  );
}

/** Options of `gradcheck`. */
export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

function flatValues(t: Tensor): number[] {
  return Array.from(t.contiguous()._data);
}

/**
 * Compares analytical gradients with central finite differences; returns true or throws
 * naming the first mismatching input. Use float64 inputs, as in PyTorch.
 *
 * @example
 * const x = torch.randn(3, { dtype: 'float64', requiresGrad: true });
 * torch.autograd.gradcheck((a) => a.sin().mul(a), [x]); // true
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor | Tensor[],
  inputs: Tensor[] | Tensor,
  options: GradcheckOptions = {},
): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const ins = list(inputs);
  const outputsOf = (): Tensor[] => list(fn(...ins));
  const outs = outputsOf();
  ins.forEach((input, i) => {
    if (!input.requiresGrad) return;
    outs.forEach((out, o) => {
      const nOut = out.numel();
      const nIn = input.numel();
      const numerical: number[][] = [];
      const analytical: number[][] = [];
      // Numerical Jacobian, one input element at a time.
      for (let k = 0; k < nIn; k++) {
        const at = input._offset + k;
        const orig = input._data[at];
        input._data[at] = orig + eps;
        const plus = noGrad(() => flatValues(outputsOf()[o]));
        input._data[at] = orig - eps;
        const minus = noGrad(() => flatValues(outputsOf()[o]));
        input._data[at] = orig;
        numerical.push(plus.map((p, j) => (p - minus[j]) / (2 * eps)));
      }
      // Analytical Jacobian, one output element at a time.
      for (let j = 0; j < nOut; j++) {
        const onehot = allocate(out.dtype, nOut);
        onehot[j] = 1;
        const [g] = grad(out, input, {
          gradOutputs: Tensor._fromFlat(onehot, out.shape.slice(), out.dtype),
          retainGraph: true,
          allowUnused: true,
        });
        analytical.push(g === null ? new Array<number>(nIn).fill(0) : flatValues(g));
      }
      for (let k = 0; k < nIn; k++) {
        for (let j = 0; j < nOut; j++) {
          const a = analytical[j][k];
          const n = numerical[k][j];
          if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) {
            throw new Error(
              `Jacobian mismatch for output ${o} with respect to input ${i},\nnumerical:${n}\nanalytical:${a}\n(at input element ${k}, output element ${j})`,
            );
          }
        }
      }
    });
  });
  return true;
}
