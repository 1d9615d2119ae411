// A graph payload from outside (a notebook output, a saved page): checked before anything is
// drawn, so a malformed or oversized one becomes a message, never a half-drawn graph.
import { ProtocolError, validateSnapshot, type GraphSnapshot } from '../../src/protocol/messages';

/** The notebook output MIME type whose data is the graph JSON (shared/API.md). */
export const GRAPH_MIME = 'application/vnd.gradlens.graph+json';
/** Payloads above this are not parsed: a browser tab would stall on them. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
/** Graphs above this many nodes are not laid out (the runner captures up to 200,000). */
export const MAX_NODES = 100_000;

export type ParsedPayload =
  { ok: true; snapshot: GraphSnapshot; text: string } | { ok: false; message: string };

/**
 * The snapshot in a payload, or why it cannot be shown.
 *
 * @example
 * const r = parseGraphPayload(outputItem.data());
 * if (!r.ok) element.textContent = r.message;
 */
export function parseGraphPayload(data: Uint8Array | string): ParsedPayload {
  const size = typeof data === 'string' ? data.length : data.byteLength;
  if (size > MAX_PAYLOAD_BYTES)
    return fail(
      `This graph output is ${megabytes(size)}, over the ${megabytes(MAX_PAYLOAD_BYTES)} the viewer reads.`,
    );
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`This graph output is not JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  const nodes = (json as { nodes?: unknown } | null)?.nodes;
  if (Array.isArray(nodes) && nodes.length > MAX_NODES)
    return fail(
      `This graph has ${nodes.length.toLocaleString('en-US')} nodes, over the ${MAX_NODES.toLocaleString('en-US')} the viewer lays out.`,
    );
  try {
    return { ok: true, snapshot: validateSnapshot(json), text };
  } catch (e) {
    if (e instanceof ProtocolError)
      return fail(`This is not a Gradlens graph (${e.path}: ${e.problem}).`);
    throw e;
  }
}

function fail(problem: string): ParsedPayload {
  return { ok: false, message: `Gradlens cannot show this output. ${problem}` };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
