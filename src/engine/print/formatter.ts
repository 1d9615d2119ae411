// How one element prints: PyTorch's `_Formatter` (torch/_tensor_str.py). It looks at every
// element that will be shown once, to choose fixed or scientific notation and one width
// for all of them.
import { isFloating, type DType } from '../dtype';
import { formatExponent, formatFixed } from './decimal';
import type { PrintOptions } from './options';

/** Turns an element into its text, padded on the left to `width`. */
export interface ElementFormatter {
  /** The widest shown element's length (longer texts, such as `nan` next to integers, are not cut). */
  readonly width: number;
  format(value: number): string;
}

function widest(values: number[], text: (v: number) => string, extra = 0): number {
  let width = 1;
  for (const v of values) width = Math.max(width, text(v).length + extra);
  return width;
}

function integerFormatter(values: number[], dtype: DType): ElementFormatter {
  const text = dtype === 'bool' ? (v: number) => (v ? 'True' : 'False') : String;
  const width = widest(values, text);
  return { width, format: (v) => text(v).padStart(width) };
}

/** PyTorch's choice for floats: integers print as `3.`; a wide range or tiny values as `1.0000e-05`. */
function floatFormatter(values: number[], options: PrintOptions): ElementFormatter {
  const { precision } = options;
  const nonzeroFinite = values.filter((v) => v !== 0 && Number.isFinite(v));
  let intMode = true;
  let sciMode = false;
  let width = 1;
  // With nothing but zeros, NaN and infinities PyTorch stops here: even a forced sciMode is ignored.
  if (nonzeroFinite.length > 0) {
    let max = 0;
    let min = Infinity;
    for (const v of nonzeroFinite) {
      max = Math.max(max, Math.abs(v));
      min = Math.min(min, Math.abs(v));
      if (!Number.isInteger(v)) intMode = false;
    }
    const wideRange = max / min > 1000 || max > 1e8;
    if (wideRange || (!intMode && min < 1e-4)) {
      sciMode = true;
      width = widest(nonzeroFinite, (v) => formatExponent(v, precision));
    } else if (intMode) {
      width = widest(nonzeroFinite, (v) => formatFixed(v, 0), 1);
    } else {
      width = widest(nonzeroFinite, (v) => formatFixed(v, precision));
    }
    sciMode = options.sciMode ?? sciMode;
  }
  const text = (v: number): string => {
    if (sciMode) return formatExponent(v, precision);
    if (intMode) return formatFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    return formatFixed(v, precision);
  };
  return { width, format: (v) => text(v).padStart(width) };
}

/** The formatter for a tensor whose shown elements are `values`. */
export function elementFormatter(
  values: number[],
  dtype: DType,
  options: PrintOptions,
): ElementFormatter {
  return isFloating(dtype) ? floatFormatter(values, options) : integerFormatter(values, dtype);
}
