// Layer normalization as one node, as PyTorch records it (NativeLayerNormBackward0 with
// input, weight and bias as its three inputs). Forward runs without history; backward is
// written with tensor ops, so createGraph gives second derivatives.
import { noGrad } from '../grad-mode';
import type { Tensor } from '../tensor';
import { apply, type Primitive } from './op';

export interface LayerNormArgs {
  /** The trailing dims normalised over. */
  readonly dims: number[];
  readonly eps: number;
}

/** (x − mean) / sqrt(var + eps) over `dims` (biased variance), and 1 / sqrt(var + eps). */
function normalise(x: Tensor, { dims, eps }: LayerNormArgs): [Tensor, Tensor] {
  const centred = x.sub(x.mean(dims, true));
  const rstd = centred.mul(centred).mean(dims, true).add(eps).pow(-0.5);
  return [centred.mul(rstd), rstd];
}

export const LayerNorm: Primitive<LayerNormArgs> = {
  name: 'NativeLayerNormBackward0',
  arity: 3,
  saves: [0, 1],
  savedFor: [[0, 1], [0]],
  forward: ([x, w, b], args) => noGrad(() => normalise(x, args)[0].mul(w).add(b)),
  backward: (g, { saved: [x, w], needs, shapes, args }) => {
    const [xhat, rstd] = normalise(x, args);
    const lead = shapes[0].length - args.dims.length;
    const leading = Array.from({ length: lead }, (_, i) => i);
    const overLead = (t: Tensor) => (lead === 0 ? t : t.sum(leading));
    let gx: Tensor | null = null;
    if (needs[0]) {
      const dxhat = g.mul(w);
      const m1 = dxhat.mean(args.dims, true);
      const m2 = dxhat.mul(xhat).mean(args.dims, true);
      gx = dxhat.sub(m1).sub(xhat.mul(m2)).mul(rstd);
    }
    return [gx, needs[1] ? overLead(g.mul(xhat)) : null, needs[2] ? overLead(g) : null];
  },
};

export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight: Tensor,
  bias: Tensor,
  eps = 1e-5,
): Tensor {
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.dim() - k);
  if (k === 0 || x.dim() < k || tail.some((s, i) => s !== normalizedShape[i])) {
    throw new Error(
      `Given normalized_shape=[${normalizedShape.join(', ')}], expected input with shape [*, ${normalizedShape.join(', ')}], but got input of size[${x.shape.join(', ')}]`,
    );
  }
  const dims = Array.from({ length: k }, (_, i) => x.dim() - k + i);
  return apply(LayerNorm, [x, weight, bias], { dims, eps });
}
