// Messages between the extension host and the graph view. Types plus one runtime guard per
// direction: the host imports this file for the types, the webview for both; neither end
// trusts the other's messages without checking their fields.
import { GRAPH_DIRECTIONS, type GraphDirection } from '../graph/direction';
import { fileNameOf } from './file-name';
import { validateGradcheck, type GradcheckResult } from './gradcheck';

/** What a graph is of, which decides what the view offers around it. */
export type GraphSource =
  /** A captured backward() of a run (1-based, as the runner counts): a light one can be captured again in full. */
  | { readonly kind: 'run'; readonly backward: number }
  /** The tensors in scope at a debug stop: no backward() is involved. */
  | { readonly kind: 'debug'; readonly stop: number }
  /** The tensors in scope at a capture point of a run (a breakpoint reached without pausing). */
  | {
      readonly kind: 'stop';
      readonly file: string;
      readonly line: number;
      readonly hit: number;
    };

/** What the graph view shows: one captured backward() of one run, or one debug stop. */
export interface GraphPayload {
  /** Heading, e.g. `linear.ts: backward() 2 of 3 (line 14)`. */
  readonly title: string;
  /** Absolute path of the script, so node clicks can reveal their line. */
  readonly file: string;
  /** Which captured backward() this is (0-based) and how many the run captured. */
  readonly index: number;
  readonly count: number;
  /** The picker button's text when the run has more than backward() graphs (default `backward() i of n …`). */
  readonly pickLabel?: string;
  readonly source: GraphSource;
  /** What the run said the user should know (its notices), shown in the view's footer. */
  readonly notes?: readonly string[];
  /** The captured graph, as the runner reported it (see src/protocol). */
  readonly snapshot: unknown;
  /** Host clock (ms since epoch) when the user asked for this graph, for the command-to-paint time. */
  readonly requestedAt?: number;
  /** Host clock when the host began sending it (the run over), to split that wait into phases. */
  readonly sentAt?: number;
  /** Leaves on top (default, as torchviz) or the root on top (as agtree2dot): `gradlens.graph.direction`. */
  readonly direction?: GraphDirection;
}

/**
 * Where a command-to-paint wait went, in ms: the run, the trip to the page, the layout worker's
 * answer, drawing (the page reads its own copy of the graph after the paint).
 */
export interface PaintPhases {
  readonly run: number;
  readonly send: number;
  readonly layout: number;
  readonly paint: number;
}

/**
 * Where the layout worker's time for a new graph went, in ms: from the page's request until
 * the worker took it up (its own start-up, ELK's warm-up, any request before it), reading and
 * grouping the graph, the layout itself (view, layout engine and SVG), and making its answer
 * after the layout (the page's copy of the group tree). The rest of the page's wait on the
 * worker (PaintPhases' layout) is the answer's trip back and the page's own thread.
 */
export interface WorkerTimes {
  readonly startup: number;
  readonly read: number;
  readonly layout: number;
  readonly answer: number;
}

/**
 * What the view says while a run of `file` goes on, in the host's placeholder and in the page:
 * the file name, as editor tabs show it (the full path goes in a tooltip).
 */
export function runningText(file: string): string {
  return `Running ${fileNameOf(file)}…`;
}

export type ToWebview =
  /** The snapshot travels apart from the rest of the payload, as gzipped UTF-8 JSON (see readGzipJson). */
  | {
      readonly type: 'graph/show';
      readonly payload: Omit<GraphPayload, 'snapshot'>;
      readonly snapshotGzip: Uint8Array;
    }
  | { readonly type: 'graph/running'; readonly file: string }
  /** A run gave no graph: say why in the view, with Show Output and Re-run. */
  | { readonly type: 'graph/failed'; readonly file: string; readonly message: string }
  | { readonly type: 'export/request'; readonly format: ExportFormat }
  /** Select and centre these nodes (Reveal in Graph from the editor). */
  | { readonly type: 'graph/select'; readonly ids: readonly string[] }
  /** The finite-difference check the page asked for, done (or why it could not be). */
  | { readonly type: 'graph/gradcheck'; readonly result: GradcheckResult };

export type ExportFormat = 'svg' | 'png' | 'dot';

/**
 * A graph the page restored from its saved state after a reload, as Reveal in Graph needs it
 * (the new extension host has not seen it): its script, title and each node's source line.
 */
export interface RestoredGraph {
  readonly file: string;
  readonly title: string;
  readonly nodes: readonly { readonly id: string; readonly file: string; readonly line: number }[];
}

export type FromWebview =
  /** The page is listening; `restoredGraph` says whether it drew a graph from its saved state. */
  | { readonly type: 'ready'; readonly restoredGraph: boolean }
  /** Sent after 'ready' when the page restored a graph: what Reveal in Graph needs of it. */
  | { readonly type: 'restored'; readonly graph: RestoredGraph }
  | {
      readonly type: 'reveal';
      readonly file: string;
      readonly line: number;
      readonly column: number;
      /** A notebook's cell (0-based): `line` is the cell's. */
      readonly cell?: number;
    }
  | { readonly type: 'export'; readonly format: ExportFormat; readonly data: string }
  | { readonly type: 'pickBackward' }
  | { readonly type: 'showOutput' }
  /** Run this script again (after a failure). */
  | { readonly type: 'rerun'; readonly file: string }
  /** Stop the run of this script going on (the view said it runs). */
  | { readonly type: 'stopRun'; readonly file: string }
  /** Run this script again to capture its backward() #`backward` in full, and show that graph. */
  | { readonly type: 'captureFull'; readonly file: string; readonly backward: number }
  /** Check the shown graph's gradients with finite differences: below `node`, or all (null). */
  | { readonly type: 'gradcheck'; readonly node: string | null }
  /**
   * The graph is on screen: the layout engine and its time, the worker's share when the page
   * opened a new graph, and, when the payload said when it was asked for, the whole wait.
   */
  | {
      readonly type: 'painted';
      readonly nodes: number;
      readonly engine: string;
      readonly layoutMs: number;
      readonly worker: WorkerTimes | null;
      readonly commandToPaintMs: number | null;
      readonly phases: PaintPhases | null;
    }
  | { readonly type: 'error'; readonly message: string };

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isFormat = (v: unknown): v is ExportFormat => v === 'svg' || v === 'png' || v === 'dot';
const allMs = (v: unknown, keys: readonly string[]): boolean =>
  isObject(v) && keys.every((k) => isMs(v[k]));

function isSource(v: unknown): v is GraphSource {
  if (!isObject(v)) return false;
  return (
    (v.kind === 'run' && isCount(v.backward) && v.backward >= 1) ||
    (v.kind === 'debug' && isCount(v.stop)) ||
    (v.kind === 'stop' && isString(v.file) && isCount(v.line) && isCount(v.hit) && v.hit >= 1)
  );
}

function isPayload(v: unknown): v is Omit<GraphPayload, 'snapshot'> {
  return (
    isObject(v) &&
    isString(v.title) &&
    isString(v.file) &&
    isCount(v.index) &&
    isCount(v.count) &&
    isSource(v.source) &&
    (v.pickLabel === undefined || isString(v.pickLabel)) &&
    (v.notes === undefined || (Array.isArray(v.notes) && v.notes.every(isString))) &&
    (v.requestedAt === undefined || isMs(v.requestedAt)) &&
    (v.sentAt === undefined || isMs(v.sentAt)) &&
    (v.direction === undefined || GRAPH_DIRECTIONS.includes(v.direction as GraphDirection))
  );
}

/** Checks every field the host acts on: a page message can reveal files, write them or start runs. */
export function isFromWebview(m: unknown): m is FromWebview {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'ready':
      return typeof m.restoredGraph === 'boolean';
    case 'restored':
      return isRestoredGraph(m.graph);
    case 'reveal':
      return (
        isString(m.file) &&
        isCount(m.line) &&
        isCount(m.column) &&
        (m.cell === undefined || isCount(m.cell))
      );
    case 'export':
      return isFormat(m.format) && isString(m.data);
    case 'pickBackward':
    case 'showOutput':
      return true;
    case 'rerun':
    case 'stopRun':
      return isString(m.file) && m.file !== '';
    case 'captureFull':
      return isString(m.file) && m.file !== '' && isCount(m.backward) && m.backward >= 1;
    case 'gradcheck':
      return m.node === null || (isString(m.node) && m.node !== '');
    case 'painted':
      return (
        isCount(m.nodes) &&
        isString(m.engine) &&
        isMs(m.layoutMs) &&
        (m.worker === null || allMs(m.worker, ['startup', 'read', 'layout', 'answer'])) &&
        (m.commandToPaintMs === null || isMs(m.commandToPaintMs)) &&
        (m.phases === null || allMs(m.phases, ['run', 'send', 'layout', 'paint']))
      );
    case 'error':
      return isString(m.message);
    default:
      return false;
  }
}

function isRestoredGraph(v: unknown): v is RestoredGraph {
  return (
    isObject(v) &&
    isString(v.file) &&
    isString(v.title) &&
    Array.isArray(v.nodes) &&
    v.nodes.every(
      (n: unknown) => isObject(n) && isString(n.id) && isString(n.file) && isCount(n.line),
    )
  );
}

/** The page's check of the host's messages (the snapshot itself is read and checked as it is drawn). */
export function isToWebview(m: unknown): m is ToWebview {
  if (!isObject(m)) return false;
  switch (m.type) {
    case 'graph/show':
      return isPayload(m.payload) && m.snapshotGzip instanceof Uint8Array;
    case 'graph/running':
      return isString(m.file);
    case 'graph/failed':
      return isString(m.file) && isString(m.message);
    case 'export/request':
      return isFormat(m.format);
    case 'graph/select':
      return Array.isArray(m.ids) && m.ids.every(isString);
    case 'graph/gradcheck':
      try {
        validateGradcheck(m.result);
        return true;
      } catch {
        return false;
      }
    default:
      return false;
  }
}

/**
 * A large value as UTF-8 JSON bytes, for postMessage to the page. VS Code hands binary data
 * to a webview as it is, while an object is written as JSON inside its own JSON message and
 * parsed again on the way: for the 5 MB of a 10,000-node graph in code-server, the bytes
 * reach the page about 200 ms sooner.
 */
export function toJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** The value toJsonBytes encoded; throws on anything that is not bytes of JSON. */
export function fromJsonBytes(bytes: unknown): unknown {
  if (!(bytes instanceof Uint8Array))
    throw new Error(`expected JSON bytes, got ${Object.prototype.toString.call(bytes)}`);
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * The value of gzipped toJsonBytes output. The host gzips the snapshot because the trip to the
 * page costs by the byte: a 10,000-node graph's 5.5 MB shrink to about 0.5 MB in 16 ms, and in
 * code-server reached the page about 250 ms sooner. Throws on anything that is not gzipped JSON.
 */
export async function readGzipJson(bytes: unknown): Promise<unknown> {
  if (!(bytes instanceof Uint8Array))
    throw new Error(`expected gzipped JSON bytes, got ${Object.prototype.toString.call(bytes)}`);
  return fromJsonBytes(await pipeBytes(bytes, new DecompressionStream('gzip')));
}

/** A value as gzipped JSON, as readGzipJson reads it (in the page: a graph from its saved state, for the layout worker). */
export async function gzipJson(value: unknown): Promise<Uint8Array> {
  return pipeBytes(toJsonBytes(value), new CompressionStream('gzip'));
}

async function pipeBytes(
  bytes: Uint8Array,
  through: CompressionStream | DecompressionStream,
): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(through);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
