// PyTorch's UserWarnings. The engine imports nothing from Node, so it finds
// `process.emitWarning` at run time; where there is none (a browser) warnings are dropped.

interface WarningSink {
  emitWarning?: (message: string, type: string) => void;
}

const shown = new Set<string>();

/** Emits `message` as a UserWarning the first time `key` is seen. */
export function warnOnce(message: string, key = message): void {
  if (shown.has(key)) return;
  shown.add(key);
  (globalThis as { process?: WarningSink }).process?.emitWarning?.(message, 'UserWarning');
}

/**
 * Emits `message` once per call site, as Python's default warning filter does. The site is the
 * stack frame `engineFrames` above the caller of this function (1: the caller's caller).
 */
export function warnOncePerSite(message: string, engineFrames: number): void {
  // Line 0 is "Error", line 1 this function, line 2 its caller.
  const site = new Error().stack?.split('\n')[2 + engineFrames] ?? '';
  warnOnce(message, `${message}\n${site}`);
}
