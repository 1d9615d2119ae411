// Python's repr of a float, as PyTorch's module text prints hyperparameters (`eps=1e-05`).

/**
 * @example
 * pythonFloat(1e-5) // '1e-05'
 * pythonFloat(0.1) // '0.1'
 * pythonFloat(1) // '1.0'
 */
export function pythonFloat(x: number): string {
  if (x !== 0 && Math.abs(x) < 1e-4) return x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}
