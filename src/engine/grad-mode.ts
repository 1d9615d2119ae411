// Process-wide autograd switches. JS runs one thread per isolate, so a module-level flag is
// exactly PyTorch's thread-local grad mode.

let gradEnabled = true;
let anomalyEnabled = false;

/**
 * Whether operations record autograd history.
 * @example
 * torch.isGradEnabled(); // true
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Turns history recording on or off globally.
 * @example
 * torch.setGradEnabled(false);
 * torch.ones(2, { requiresGrad: true }).mul(2).requiresGrad; // false
 * torch.setGradEnabled(true);
 */
export function setGradEnabled(enabled: boolean): void {
  gradEnabled = enabled;
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs `fn` with history recording off (PyTorch's `with torch.no_grad():`) and returns its result.
 * @example
 * torch.noGrad(() => w.sub_(w.grad!.mul(0.1)));
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/**
 * Runs `fn` with history recording on, even inside `noGrad`.
 * @example
 * torch.noGrad(() => torch.enableGrad(() => x.mul(2))).requiresGrad; // true
 */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/**
 * Whether anomaly detection is on.
 * @example
 * torch.autograd.isAnomalyEnabled(); // false
 */
export function isAnomalyEnabled(): boolean {
  return anomalyEnabled;
}

/**
 * Turns anomaly detection on or off: backward then raises on the first node that returns NaN.
 * @example
 * torch.autograd.setDetectAnomaly(true);
 */
export function setDetectAnomaly(enabled: boolean): void {
  anomalyEnabled = enabled;
}

/**
 * Runs `fn` with anomaly detection on.
 * @example
 * torch.autograd.detectAnomaly(() => y.backward());
 */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = anomalyEnabled;
  anomalyEnabled = true;
  try {
    return fn();
  } finally {
    anomalyEnabled = prev;
  }
}
