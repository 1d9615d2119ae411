// Which backward() calls get a full capture. Cheap by default: the node-created hook is only
// installed while a full capture is armed (before the first backward(), before the N-th with
// --at N, after a request from the host), so ordinary training steps pay for nothing here.
import type { RunOptions } from '../protocol/messages';

/** With captureAt 'last', at most this many backward() calls are captured in full before the graphs repeat. */
const MAX_AUTO_CAPTURES = 20;

export class CapturePolicy {
  private requested = false;
  private armed = false;
  /** Two consecutive full captures had the same structure: the script is in a loop. */
  private repeating = false;
  private flaggedNonFinite = false;
  private hasPreciseAnomaly = false;
  private lastSig = NaN;
  /** The index of the last backward() captured in full. */
  lastFullIndex = 0;

  constructor(
    private readonly captureAt: RunOptions['captureAt'],
    /** Turns the engine's node-created hook on or off. */
    private readonly arm: (on: boolean) => void,
  ) {}

  /** The host asked for a full capture of the next backward(). */
  request(): void {
    this.requested = true;
    this.setArmed(true);
  }

  /** Arms for backward #k (the first call, before any backward, and after each one). */
  armFor(k: number): void {
    this.setArmed(this.shouldCapture(k));
  }

  /** Whether backward #k is captured in full; a non-finite loss not yet reported always is. */
  takesFull(k: number, nonFiniteLoss: boolean): boolean {
    const full = this.shouldCapture(k) || (nonFiniteLoss && !this.flaggedNonFinite);
    if (full) this.requested = false;
    return full;
  }

  /** Backward #k was captured in full; `repeats`: its graph is the previous capture's again. */
  captured(k: number, hasAnomalies: boolean, preciseAnomaly: boolean, repeats: boolean): void {
    if (hasAnomalies) this.flaggedNonFinite = true;
    if (preciseAnomaly) this.hasPreciseAnomaly = true;
    if (repeats) this.repeating = true;
    this.lastFullIndex = k;
  }

  /**
   * After backward #k, with its structure's fingerprint: a structure that changed between
   * light captures gets the next backward captured in full, and so does a non-finite loss
   * whose full capture could not name the op that produced it.
   */
  after(k: number, sig: number, full: boolean, nonFiniteLoss: boolean): void {
    if (!full && sig !== this.lastSig) {
      this.requested = true;
      this.repeating = false;
    }
    this.lastSig = sig;
    if (nonFiniteLoss && this.lastFullIndex === k && !this.hasPreciseAnomaly) this.requested = true;
    this.armFor(k + 1);
  }

  private shouldCapture(k: number): boolean {
    const at = this.captureAt;
    if (k === 1 || at === 'all' || at === k || this.requested) return true;
    // For 'last', capture in full until the graphs start repeating (a training loop); the
    // last one is then rebuilt at the end from the repeating template.
    return at === 'last' && !this.repeating && k <= MAX_AUTO_CAPTURES;
  }

  private setArmed(on: boolean): void {
    if (on === this.armed) return;
    this.armed = on;
    this.arm(on);
  }
}
