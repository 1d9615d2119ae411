// How a run ended, in the words every place that reports it uses (the notification, the
// Output channel, the graph view): finished, stopped by the user, or failed and why.
import type { RunError, RunNotice } from '../protocol/messages';
import type { RunResult } from '../runner/launch';
import { errorSummary } from './run-errors';

export type RunOutcome =
  | { readonly kind: 'finished' }
  /** Ended by the user's Stop (training monitor) or Cancel (progress notification): not an error. */
  | { readonly kind: 'stopped'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string; readonly errors: readonly RunError[] };

type Ended = Pick<RunResult, 'ok' | 'cancelled' | 'errors' | 'metrics' | 'snapshots'>;

export function runOutcome(result: Ended, scriptName: string): RunOutcome {
  if (result.cancelled) return { kind: 'stopped', message: stoppedMessage(result, scriptName) };
  if (result.ok || result.errors.length === 0) return { kind: 'finished' };
  return {
    kind: 'failed',
    message: errorSummary(result.errors, scriptName),
    errors: result.errors,
  };
}

function stoppedMessage(result: Ended, scriptName: string): string {
  // Metrics arrive in batches, so the last graph may be newer than the last metric.
  const step = Math.max(result.metrics.at(-1)?.step ?? 0, result.snapshots.at(-1)?.index ?? 0);
  return step > 0
    ? `Gradlens: stopped ${scriptName} at step ${step}.`
    : `Gradlens: stopped ${scriptName} before its first backward().`;
}

/** A run's notices as one calm line (all of them are in the Output channel), or null if it had none. */
export function noticeMessage(notices: readonly RunNotice[], scriptName: string): string | null {
  if (notices.length === 0) return null;
  const more = notices.length > 1 ? ` (${notices.length - 1} more note(s) in the Output)` : '';
  return `Gradlens: ${scriptName}: ${notices[0].message}${more}`;
}
