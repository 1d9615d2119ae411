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
  | {
      readonly type: 'monitor/replay';
      readonly current: RunRecord | null;
      readonly previous: readonly RunRecord[];
    }
  /** New steps of the current run, starting at row `from` (rows before it were already sent). */
  | {
      readonly type: 'monitor/append';
      readonly runId: string;
      readonly from: number;
      readonly columns: RunColumns;
    }
  | {
      readonly type: 'monitor/status';
      readonly runId: string;
      readonly status: RunStatus;
      readonly message: string | null;
      readonly pid: number | null;
    }
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

const ACTIONS = new Set<string>(['pause', 'resume', 'stop']);
const STATUSES = new Set<string>(['running', 'paused', 'done', 'failed', 'stopped']);

type Fields = Record<string, unknown>;
const isObject = (v: unknown): v is Fields =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNullableString = (v: unknown): boolean => v === null || typeof v === 'string';
const isNullablePid = (v: unknown): boolean =>
  v === null || (typeof v === 'number' && Number.isInteger(v) && v > 0);
/** Typed arrays as posted, or plain arrays of numbers (another transport); the page converts them. */
const isColumn = (v: unknown): boolean =>
  v instanceof Float64Array ||
  (Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null));

function isColumns(v: unknown): v is RunColumns {
  if (!isObject(v) || !isObject(v.gradNorms)) return false;
  return [v.step, v.loss, v.timeMs, v.lr, ...Object.values(v.gradNorms)].every(isColumn);
}

function isRecord(v: unknown): v is RunRecord {
  if (!isObject(v) || !isObject(v.meta) || !isColumns(v.columns)) return false;
  const meta = v.meta;
  return (
    typeof meta.id === 'string' &&
    typeof meta.script === 'string' &&
    typeof meta.startedAt === 'number' &&
    typeof meta.status === 'string' &&
    STATUSES.has(meta.status) &&
    isNullableString(meta.message) &&
    isNullablePid(meta.pid)
  );
}

/** Checks every field the page draws from. */
export function isToMonitor(m: unknown): m is ToMonitor {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'monitor/replay':
      return (
        (m.current === null || isRecord(m.current)) &&
        Array.isArray(m.previous) &&
        m.previous.every(isRecord)
      );
    case 'monitor/append':
      return (
        typeof m.runId === 'string' &&
        typeof m.from === 'number' &&
        Number.isInteger(m.from) &&
        m.from >= 0 &&
        isColumns(m.columns)
      );
    case 'monitor/status':
      return (
        typeof m.runId === 'string' &&
        typeof m.status === 'string' &&
        STATUSES.has(m.status) &&
        isNullableString(m.message) &&
        isNullablePid(m.pid)
      );
    case 'monitor/exportPng':
      return true;
    default:
      return false;
  }
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
