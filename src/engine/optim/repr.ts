// `print(optimizer)` as PyTorch prints it: each parameter group's options, sorted by their
// Python names, with Python's spelling of the values.

/** A value as Python's str() shows it. */
export type PyValue = number | boolean | null | readonly number[];

/** Python's repr of a float or int: `1e-08`, `0.001`, `0.9`, `1e+16`. */
function pyNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return String(v);
  const [mantissa, exp] = v.toExponential().split('e');
  const e = Number(exp);
  if (e >= -4 && e < 16) return String(v);
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

function pyValue(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNumber(v);
  return `(${v.map(pyNumber).join(', ')})`;
}

/** `weightDecay` -> `weight_decay`. */
const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The text of `print(optimizer)`: `defaults` are PyTorch's group keys with their default
 * values; each group's own options (camelCase) and learning rate override them.
 */
export function optimizerText(
  name: string,
  defaults: Readonly<Record<string, PyValue>>,
  groups: readonly { options: object; lr: number }[],
): string {
  const parts = groups.map((g, i) => {
    const entries: Record<string, PyValue> = { ...defaults };
    for (const [k, v] of Object.entries(g.options))
      if (v !== undefined && snake(k) in defaults) entries[snake(k)] = v as PyValue;
    entries.lr = g.lr;
    const lines = Object.keys(entries)
      .sort()
      .map((k) => `    ${k}: ${pyValue(entries[k])}\n`);
    return `\nParameter Group ${i}\n${lines.join('')}`;
  });
  return `${name} (${parts.join('')})`;
}
