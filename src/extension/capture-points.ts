// Capture points: the editor's breakpoints in .py files, recorded by the Python tracer without
// pausing when the user runs Visualize Graph (Debug Script is the real debugger). Pure, so it
// is unit-tested without VS Code: which breakpoints become points, what the Output says of
// them, where their graphs sit among a run's backward() graphs, and their inline values.
import { formatShape, formatValues } from '../graph/labels';
import { fileName, isInside, samePath } from '../protocol/paths';
import type {
  CapturePoint,
  CapturePointReport,
  GraphSnapshot,
  StopInfo,
} from '../protocol/messages';

/** An editor breakpoint as capture points need it (a SourceBreakpoint, 1-based line). */
export interface EditorBreakpoint {
  readonly file: string;
  readonly line: number;
  readonly enabled: boolean;
  readonly condition?: string;
  readonly hitCondition?: string;
  readonly logMessage?: string;
}

export interface CapturePointChoice {
  readonly points: CapturePoint[];
  /** What the Output says of breakpoints left out or changed. */
  readonly notes: string[];
}

/**
 * The capture points of a run of `script`: the enabled breakpoints of the script and of the
 * other .py files of the workspace (those it may import); logpoints are skipped.
 */
export function choosePoints(
  script: string,
  breakpoints: readonly EditorBreakpoint[],
  folders: readonly string[],
): CapturePointChoice {
  const points: CapturePoint[] = [];
  const notes: string[] = [];
  for (const b of breakpoints) {
    if (!b.enabled || !/\.py$/i.test(b.file)) continue;
    if (!samePath(b.file, script) && !folders.some((f) => isInside(b.file, f))) continue;
    const where = `${fileName(b.file)}:${String(b.line)}`;
    if (b.logMessage !== undefined && b.logMessage !== '') {
      notes.push(`the logpoint at ${where} is skipped (it records nothing)`);
      continue;
    }
    if (b.hitCondition !== undefined && b.hitCondition !== '')
      notes.push(`the hit count condition of ${where} is ignored: every hit is recorded`);
    const condition = b.condition !== undefined && b.condition !== '' ? b.condition : null;
    points.push({ file: b.file, line: b.line, condition });
  }
  return { points, notes };
}

/** `x.py:12 (hit 3)`. */
export function stopLabel(stop: Pick<StopInfo, 'file' | 'line' | 'hit'>): string {
  return `${fileName(stop.file)}:${String(stop.line)} (hit ${String(stop.hit)})`;
}

/** The Output's line as a run with capture points starts. */
export function startLine(points: readonly CapturePoint[]): string {
  const where = points.map((p) => `${fileName(p.file)}:${String(p.line)}`).join(', ');
  return `[gradlens] breakpoints used as capture points (the tensors in scope are recorded each time the line is reached; the script does not pause): ${where}`;
}

/** The Output's calm notes after a run: lines never reached, hit limits, conditions. */
export function reportLines(reports: readonly CapturePointReport[], maxHits: number): string[] {
  const lines: string[] = [];
  for (const r of reports) {
    const where = `${fileName(r.file)}:${String(r.line)}`;
    if (r.reached === 0) lines.push(`[gradlens] breakpoint at ${where} was never reached`);
    else if (r.reached > maxHits)
      lines.push(
        `[gradlens] breakpoint at ${where} was reached ${String(r.reached)} times; the first ${String(maxHits)} were recorded (setting gradlens.capturePoints.maxHits)`,
      );
    if (r.note !== null) lines.push(`[gradlens] breakpoint at ${where}: ${r.note}`);
  }
  return lines;
}

/**
 * The picker's word on the hit limit, once per line: on the last recorded hit of each line
 * that was reached more often than recorded (by stop position in `stops`).
 */
export function limitNotes(
  stops: readonly GraphSnapshot[],
  reports: readonly CapturePointReport[],
): Map<number, string> {
  const last = new Map<string, number>();
  stops.forEach((s, i) => {
    if (s.stop !== undefined) last.set(`${s.stop.file}:${String(s.stop.line)}`, i);
  });
  const notes = new Map<number, string>();
  for (const r of reports) {
    const i = last.get(`${r.file}:${String(r.line)}`);
    const hit = i === undefined ? undefined : stops[i].stop?.hit;
    if (i !== undefined && hit !== undefined && r.reached > hit)
      notes.set(i, `the hit limit: reached ${String(r.reached)} times, later hits not recorded`);
  }
  return notes;
}

/** One graph of a run, in the order the run made them. */
export type Capture =
  | { readonly kind: 'backward'; readonly at: number }
  | { readonly kind: 'stop'; readonly at: number };

/**
 * A run's backward() graphs and stops in run order: a stop's `index` counts the backward()
 * calls before it, so it comes after that backward() and before the next.
 */
export function runOrder(
  snapshots: readonly GraphSnapshot[],
  stops: readonly GraphSnapshot[],
): Capture[] {
  const all: { c: Capture; key: number; tie: number }[] = [
    ...snapshots.map((s, at) => ({ c: { kind: 'backward' as const, at }, key: s.index, tie: 0 })),
    ...stops.map((s, at) => ({ c: { kind: 'stop' as const, at }, key: s.index, tie: 1 })),
  ];
  // Array.prototype.sort is stable: stops keep their arrival order among themselves.
  all.sort((a, b) => a.key - b.key || a.tie - b.tie);
  return all.map((x) => x.c);
}

export interface StopValues {
  /** 1-based line of the breakpoint. */
  readonly line: number;
  readonly text: string;
}

/**
 * The tensors in scope at the last hit of each capture point of `file`, for the end of its
 * line: `x (2,) 1, 2   w (3, 4) -0.5..0.7 mean 0.1`.
 */
export function stopValues(stops: readonly GraphSnapshot[], file: string): StopValues[] {
  const last = new Map<number, GraphSnapshot>();
  for (const s of stops)
    if (s.stop !== undefined && samePath(s.stop.file, file)) last.set(s.stop.line, s);
  return [...last.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([line, s]) => {
      const byId = new Map(s.nodes.map((n) => [n.id, n]));
      const parts = (s.stop?.scope ?? []).flatMap(({ name, node }) => {
        const v = byId.get(node)?.value;
        return v === undefined || v === null
          ? []
          : [`${name} ${formatShape(v)} ${formatValues(v)}`];
      });
      const hit = s.stop?.hit ?? 0;
      return {
        line,
        text: `hit ${String(hit)}: ${parts.length > 0 ? parts.join('   ') : 'no tensor in scope'}`,
      };
    });
}
