// The graph view's copy of a snapshot, packed for the trip to the page: the slim snapshot
// (slim.ts) with each node and summary as an array of its fields in a fixed order, so that
// their keys are not written (and parsed) again in every node, and each source file named
// once. Its JSON is about 40 % of the slim snapshot's: the host encodes and gzips less, and
// the page's layout worker, on the way to a window's first paint, gunzips and parses less.
import type {
  GraphNode,
  GraphSnapshot,
  NextFunction,
  NodeFlow,
  TensorSummary,
} from '../protocol/messages';
import { gzipJson, readGzipJson } from '../protocol/graph-view';
import { roundStat, shownFirst } from './slim';

/** Marks a packed copy, so that a reader can tell it from a plain snapshot. */
export const VIEW_COPY_FORMAT = 'gradlens-view-copy/1';

export interface ViewCopy {
  readonly format: typeof VIEW_COPY_FORMAT;
  /** The snapshot without its nodes. */
  readonly snapshot: Omit<GraphSnapshot, 'nodes'>;
  /** Source files, each named once: a packed location holds an index here. */
  readonly files: readonly string[];
  /** See packNode. */
  readonly nodes: readonly unknown[][];
}

/**
 * The copy of `slimSnapshot(s)` the host sends to the graph view; `unpackViewCopy` gives that
 * snapshot back.
 */
export function packViewCopy(s: GraphSnapshot): ViewCopy {
  const { nodes, ...rest } = s;
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const fileOf = (file: string): number => {
    let f = fileIndex.get(file);
    if (f === undefined) {
      f = files.push(file) - 1;
      fileIndex.set(file, f);
    }
    return f;
  };
  return {
    format: VIEW_COPY_FORMAT,
    snapshot: rest,
    files,
    nodes: nodes.map((n) => packNode(n, fileOf)),
  };
}

/** A node's fields in order; the optional ones last, trailing absent ones left out. */
function packNode(n: GraphNode, fileOf: (file: string) => number): unknown[] {
  const l = n.location;
  const p: unknown[] = [
    n.id,
    n.kind,
    n.name,
    n.next.map(packNext),
    packSummary(n.value),
    packSummary(n.grad),
    l === null
      ? null
      : l.cell === undefined
        ? [fileOf(l.file), l.line, l.column]
        : [fileOf(l.file), l.line, l.column, l.cell],
    n.modulePath,
    n.attachedTo,
    n.sequenceNr,
    n.moduleCalls ?? null,
    n.varName ?? null,
    n.flow ?? null,
  ];
  while (p.length > 10 && p[p.length - 1] === null) p.pop();
  return p;
}

/** An edge from input 0 (most of them) as its node's id alone. */
function packNext(e: NextFunction | null): string | [string, number] | null {
  return e === null ? null : e.inputNr === 0 ? e.id : [e.id, e.inputNr];
}

/** An older runner's summary, without a norm, that has values. */
const NO_NORM = '-';

/** A summary as slimSnapshot slims it, its fields in order. */
function packSummary(t: TensorSummary | null): unknown[] | null {
  if (t === null) return null;
  const p: unknown[] = [
    t.shape,
    t.dtype,
    t.numel,
    shownFirst(t),
    roundStat(t.min),
    roundStat(t.max),
    roundStat(t.mean),
    t.nanCount,
    t.infCount,
  ];
  // `norm: null` (no finite element) is not an absent norm (an older runner's).
  if (t.norm !== undefined || t.values !== undefined)
    p.push(t.norm === undefined ? NO_NORM : t.norm, t.values ?? null);
  return p;
}

/** The snapshot in gzipped view copy bytes (the host's snapshotGzip, the page's viewCopyGzip). */
export async function readViewCopyGzip(bytes: unknown): Promise<GraphSnapshot> {
  return unpackViewCopy(await readGzipJson(bytes));
}

/** A view copy gzipped, as the page hands its own graph (restored after a reload) to a layout worker. */
export async function viewCopyGzip(snapshot: GraphSnapshot): Promise<Uint8Array> {
  return gzipJson(packViewCopy(snapshot));
}

/** The slim snapshot a packed copy holds (see packViewCopy); throws on anything else. */
export function unpackViewCopy(c: unknown): GraphSnapshot {
  if (!isViewCopy(c)) throw new Error('not a graph view copy');
  const { files } = c;
  return { ...(c.snapshot as GraphSnapshot), nodes: c.nodes.map((p) => unpackNode(p, files)) };
}

function isViewCopy(v: unknown): v is ViewCopy {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    c.format === VIEW_COPY_FORMAT &&
    typeof c.snapshot === 'object' &&
    c.snapshot !== null &&
    Array.isArray(c.files) &&
    Array.isArray(c.nodes)
  );
}

function unpackNode(p: unknown[], files: readonly string[]): GraphNode {
  const l = p[6] as number[] | null;
  const n: GraphNode = {
    id: p[0] as string,
    kind: p[1] as GraphNode['kind'],
    name: p[2] as string,
    next: (p[3] as (string | [string, number] | null)[]).map(unpackNext),
    value: unpackSummary(p[4] as unknown[] | null),
    grad: unpackSummary(p[5] as unknown[] | null),
    location:
      l === null
        ? null
        : l.length > 3
          ? { file: files[l[0]], line: l[1], column: l[2], cell: l[3] }
          : { file: files[l[0]], line: l[1], column: l[2] },
    modulePath: p[7] as string[],
    attachedTo: p[8] as string | null,
    sequenceNr: p[9] as number,
  };
  if (p.length > 10 && p[10] !== null) n.moduleCalls = p[10] as number[];
  if (p.length > 11 && p[11] !== null) n.varName = p[11] as string;
  if (p.length > 12 && p[12] !== null) n.flow = p[12] as NodeFlow;
  return n;
}

function unpackNext(e: string | [string, number] | null): NextFunction | null {
  if (e === null) return null;
  return typeof e === 'string' ? { id: e, inputNr: 0 } : { id: e[0], inputNr: e[1] };
}

function unpackSummary(p: unknown[] | null): TensorSummary | null {
  if (p === null) return null;
  const t: TensorSummary = {
    shape: p[0] as number[],
    dtype: p[1] as string,
    numel: p[2] as number,
    first: p[3] as TensorSummary['first'],
    min: p[4] as number | null,
    max: p[5] as number | null,
    mean: p[6] as number | null,
    nanCount: p[7] as number,
    infCount: p[8] as number,
  };
  if (p.length > 9) {
    if (p[9] !== NO_NORM) t.norm = p[9] as number | null;
    if (p[10] !== null) t.values = p[10] as TensorSummary['values'];
  }
  return t;
}
