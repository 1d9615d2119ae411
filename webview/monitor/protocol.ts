// Messages between the extension host and the training monitor page, plus the columnar run
// record both ends hold. Types and guards only: the host imports this file (it must not pull
// in the DOM), the page imports it too; neither trusts the other's messages unchecked.

/** Where a run stands, as the monitor shows it. */
export type RunStatus = 'running' | 'paused' | 'done' | 'failed' | 'stopped';

/** Who a run is and how it went; everything except its per-step data. */
export interface RunMeta {
  /** Unique per run (stable across reloads: it names the run's file in the history). */
  readonly id: string;
  /** Absolute path of the script; runs of the same script are compared with each other. */
  readonly script: string;
  /** Wall-clock start, ms since epoch. */
  readonly startedAt: number;
  status: RunStatus;
  /** Why the run failed or stopped, if it did. */
  message: string | null;
  /** The script's process while it runs (from the runner's hello), for pause/stop and tests. */
  pid: number | null;
}

/**
 * Every recorded step of a run, column by column (one entry per `train/metric`). Non-finite
 * values are kept as they are (NaN, ±Infinity); a missing learning rate or a parameter without
 * a gradient at that step is NaN.
 */
export interface RunColumns {
  step: Float64Array;
  loss: Float64Array;
  timeMs: Float64Array;
  lr: Float64Array;
  /** Gradient L2 norm per named parameter, each as long as `step`. */
  gradNorms: Record<string, Float64Array>;
}

/** Everything the page needs to draw one run. */
export interface RunRecord {
  readonly meta: RunMeta;
  readonly columns: RunColumns;
}

/** Host -> page. */
export type ToMonitor =
  /** The whole picture: the current run (or null) and earlier runs of the same script, newest first. */
  | { readonly type: 'monitor/replay'; readonly current: RunRecord | null; readonly previous: readonly RunRecord[] }
  /** New steps of the current run, starting at row `from` (rows before it were already sent). */
  | { readonly type: 'monitor/append'; readonly runId: string; readonly from: number; readonly columns: RunColumns }
  | { readonly type: 'monitor/status'; readonly runId: string; readonly status: RunStatus; readonly message: string | null; readonly pid: number | null }
  /** The host wants a PNG of the charts (its own toolbar button). */
  | { readonly type: 'monitor/exportPng' };

export type ControlAction = 'pause' | 'resume' | 'stop';

/** Page -> host. */
export type FromMonitor =
  | { readonly type: 'ready' }
  | { readonly type: 'control'; readonly action: ControlAction; readonly runId: string }
  | { readonly type: 'exportCsv'; readonly runId: string }
  /** A PNG of the charts as a data: URL. */
  | { readonly type: 'exportPng'; readonly dataUrl: string }
  | { readonly type: 'error'; readonly message: string };

const TO = new Set<string>(['monitor/replay', 'monitor/append', 'monitor/status', 'monitor/exportPng']);
const ACTIONS = new Set<string>(['pause', 'resume', 'stop']);

export function isToMonitor(m: unknown): m is ToMonitor {
  return typeof m === 'object' && m !== null && TO.has((m as { type?: unknown }).type as string);
}

/** Checks every field the host acts on: a page message can start a kill or a file write. */
export function isFromMonitor(m: unknown): m is FromMonitor {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case 'ready':
      return true;
    case 'control':
      return typeof o.action === 'string' && ACTIONS.has(o.action) && typeof o.runId === 'string';
    case 'exportCsv':
      return typeof o.runId === 'string';
    case 'exportPng':
      return typeof o.dataUrl === 'string' && o.dataUrl.startsWith('data:image/png;base64,');
    case 'error':
      return typeof o.message === 'string';
    default:
      return false;
  }
}

export function assertNever(x: never): never {
  throw new Error(`unexpected monitor message ${JSON.stringify(x)}`);
}
