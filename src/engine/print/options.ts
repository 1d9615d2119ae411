// PyTorch's print options (torch/_tensor_str.py, PRINT_OPTS) and `torch.set_printoptions`.

/** How tensors print; PyTorch's `PRINT_OPTS` with JavaScript names. */
export interface PrintOptions {
  /** Digits after the decimal point (default 4). */
  precision: number;
  /** Tensors with more elements than this are summarized with `...` (default 1000). */
  threshold: number;
  /** Items shown at each end of a summarized dimension (default 3). */
  edgeitems: number;
  /** Characters per line before wrapping (default 80). */
  linewidth: number;
  /** Scientific notation on (true) or off (false); null lets the values decide, as PyTorch does. */
  sciMode: boolean | null;
}

/** The argument of {@link setPrintoptions}: any option, and a `profile` applied first. */
export interface SetPrintoptionsArgs extends Partial<PrintOptions> {
  profile?: 'default' | 'short' | 'full';
}

const PROFILES = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
} as const;

const KEYS = new Set(['precision', 'threshold', 'edgeitems', 'linewidth', 'sciMode', 'profile']);

const current: PrintOptions = { ...PROFILES.default, sciMode: null };

/** The options tensors print with now. */
export function printOptions(): Readonly<PrintOptions> {
  return current;
}

function checkCount(name: string, v: number | undefined, min: number, infinite = false): void {
  if (v === undefined) return;
  if (!(Number.isInteger(v) || (infinite && v === Infinity)) || v < min) {
    throw new TypeError(`setPrintoptions: ${name} must be an integer >= ${min}, got ${String(v)}`);
  }
}

/**
 * Sets how tensors print, as PyTorch's `torch.set_printoptions`: a `profile` (`'default'`,
 * `'short'`, `'full'`) first, then each option given. As in PyTorch, `sciMode` is reset to
 * automatic by every call that does not give it.
 * @example
 * torch.setPrintoptions({ precision: 2 });
 * String(torch.tensor([1.12345])); // 'tensor([1.12])'
 * torch.setPrintoptions({ profile: 'default' });
 */
export function setPrintoptions(options: SetPrintoptionsArgs = {}): void {
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new TypeError(`setPrintoptions: unknown option '${key}'`);
  }
  const { profile, precision, threshold, edgeitems, linewidth, sciMode } = options;
  if (profile !== undefined && !(profile in PROFILES)) {
    throw new TypeError(
      `setPrintoptions: profile must be 'default', 'short' or 'full', got ${JSON.stringify(profile)}`,
    );
  }
  checkCount('precision', precision, 0);
  checkCount('threshold', threshold, 0, true);
  checkCount('edgeitems', edgeitems, 0);
  checkCount('linewidth', linewidth, 1);
  if (sciMode !== undefined && sciMode !== null && typeof sciMode !== 'boolean') {
    throw new TypeError(`setPrintoptions: sciMode must be a boolean or null`);
  }
  if (profile !== undefined) Object.assign(current, PROFILES[profile]);
  if (precision !== undefined) current.precision = precision;
  if (threshold !== undefined) current.threshold = threshold;
  if (edgeitems !== undefined) current.edgeitems = edgeitems;
  if (linewidth !== undefined) current.linewidth = linewidth;
  current.sciMode = sciMode ?? null;
}
