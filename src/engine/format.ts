// PyTorch-like printing: `tensor([1.0000, 2.5000], grad_fn=<MulBackward0>)`.
import type { Tensor } from './tensor';

function formatter(values: number[], dtype: Tensor['dtype']): (v: number) => string {
  if (dtype === 'bool') return (v) => (v ? 'True' : 'False');
  if (dtype === 'int64') return (v) => String(v);
  const finite = values.filter((v) => Number.isFinite(v));
  const allInt = finite.every((v) => Number.isInteger(v));
  const absMax = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const absMin = finite.filter((v) => v !== 0).reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
  const special = (v: number): string | null =>
    Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null;
  if (allInt && absMax < 1e8) return (v) => special(v) ?? `${v}.`;
  if (
    absMax >= 1e8 ||
    (absMin < 1e-4 && absMin !== Infinity) ||
    (absMin !== Infinity && absMax / absMin > 1000 && absMax > 1e3)
  ) {
    return (v) => special(v) ?? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return (v) => special(v) ?? v.toFixed(4);
}

function render(t: Tensor, fmt: (v: number) => string, width: number, indent: number): string {
  const values = t.tolist();
  const pad = (s: string) => s.padStart(width);
  if (t.dim() === 0) return fmt(values as number);
  const walk = (v: unknown, depth: number): string => {
    if (!Array.isArray(v)) return pad(fmt(v as number));
    if (depth === t.dim() - 1) return `[${v.map((x) => pad(fmt(x as number))).join(', ')}]`;
    const sep = ',' + '\n'.repeat(t.dim() - depth - 1) + ' '.repeat(indent + depth + 1);
    return `[${v.map((x) => walk(x, depth + 1)).join(sep)}]`;
  };
  return walk(values, 0);
}

export function formatTensor(t: Tensor): string {
  const flat = Array.from(t.detach().contiguous()._data);
  const fmt = formatter(flat, t.dtype);
  const width = flat.reduce((w, v) => Math.max(w, fmt(v).length), 0);
  const body = render(t, fmt, t.dim() === 0 ? 0 : width, 'tensor('.length);
  const extras: string[] = [];
  if (t.dtype === 'float64') extras.push('dtype=torch.float64');
  if (t.gradFn !== null) extras.push(`grad_fn=<${t.gradFn.name()}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.length ? ', ' + extras.join(', ') : ''})`;
}
