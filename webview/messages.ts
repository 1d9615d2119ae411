// Messages between the extension host and the graph view. Types only plus one runtime guard
// per direction: the host imports this file for the types, the webview for both; neither end
// trusts the other's messages without checking their `type`.

/** What the graph view shows: one captured backward() of one run. */
export interface GraphPayload {
  /** Heading, e.g. `linear.ts: backward() 2 of 3 (line 14)`. */
  readonly title: string;
  /** Absolute path of the script, so node clicks can reveal their line. */
  readonly file: string;
  /** Which captured backward() this is (0-based) and how many the run captured. */
  readonly index: number;
  readonly count: number;
  /** The captured graph, as the runner reported it (see src/protocol). */
  readonly snapshot: unknown;
  /** Host clock (ms since epoch) when the user asked for this graph, for the command-to-paint time. */
  readonly requestedAt?: number;
  /** Host clock when the host began sending it (the run over), to split that wait into phases. */
  readonly sentAt?: number;
}

/** Where a command-to-paint wait went, in ms: the run, the trip to the page, reading the JSON, layout (worker trips included), drawing. */
export interface PaintPhases {
  readonly run: number;
  readonly send: number;
  readonly read: number;
  readonly layout: number;
  readonly paint: number;
}

export type ToWebview =
  /** The snapshot travels apart from the rest of the payload, as gzipped UTF-8 JSON (see readGzipJson). */
  | { readonly type: 'graph/show'; readonly payload: Omit<GraphPayload, 'snapshot'>; readonly snapshotGzip: Uint8Array }
  | { readonly type: 'graph/running'; readonly file: string }
  | { readonly type: 'graph/status'; readonly text: string }
  | { readonly type: 'export/request'; readonly format: ExportFormat };

export type ExportFormat = 'svg' | 'png' | 'dot';

export type FromWebview =
  /** The page is listening; `restoredGraph` says whether it drew a graph from its saved state. */
  | { readonly type: 'ready'; readonly restoredGraph: boolean }
  | { readonly type: 'reveal'; readonly file: string; readonly line: number; readonly column: number }
  | { readonly type: 'export'; readonly format: ExportFormat; readonly data: string }
  | { readonly type: 'pickBackward' }
  /** The graph is on screen: how long layout took and, when the payload said when it was asked for, the whole wait. */
  | { readonly type: 'painted'; readonly nodes: number; readonly engine: string; readonly layoutMs: number; readonly commandToPaintMs: number | null; readonly phases: PaintPhases | null }
  | { readonly type: 'error'; readonly message: string };

const FROM_WEBVIEW = new Set(['ready', 'reveal', 'export', 'pickBackward', 'painted', 'error']);
const TO_WEBVIEW = new Set(['graph/show', 'graph/running', 'graph/status', 'export/request']);

export function isFromWebview(m: unknown): m is FromWebview {
  return typeof m === 'object' && m !== null && FROM_WEBVIEW.has((m as { type?: unknown }).type as string);
}

export function isToWebview(m: unknown): m is ToWebview {
  return typeof m === 'object' && m !== null && TO_WEBVIEW.has((m as { type?: unknown }).type as string);
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
  if (!(bytes instanceof Uint8Array)) throw new Error(`expected JSON bytes, got ${Object.prototype.toString.call(bytes)}`);
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * The value of gzipped toJsonBytes output. The host gzips the snapshot because the trip to the
 * page costs by the byte: a 10,000-node graph's 5.5 MB shrink to about 0.5 MB in 16 ms, and in
 * code-server reached the page about 250 ms sooner. Throws on anything that is not gzipped JSON.
 */
export async function readGzipJson(bytes: unknown): Promise<unknown> {
  if (!(bytes instanceof Uint8Array)) throw new Error(`expected gzipped JSON bytes, got ${Object.prototype.toString.call(bytes)}`);
  return fromJsonBytes(await pipeBytes(bytes, new DecompressionStream('gzip')));
}

/** A value as gzipped JSON, as readGzipJson reads it (in the page: a graph from its saved state, for the layout worker). */
export async function gzipJson(value: unknown): Promise<Uint8Array> {
  return pipeBytes(toJsonBytes(value), new CompressionStream('gzip'));
}

async function pipeBytes(bytes: Uint8Array, through: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(through);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}
