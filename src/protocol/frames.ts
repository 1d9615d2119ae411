// Framing of the runner channel, spoken by the Node runner and the Python tracer alike.
//
// A frame is MAGIC, one message as JSON on one line, and "\n". The channel is a pipe the user's
// script can reach (a library writing to fd 3 by accident), so the reader must survive
// anything: bytes before a magic are garbage and skipped, a line that does not parse is
// skipped, a line longer than the limit is dropped without being buffered whole. Problems are
// handed to the caller, never thrown. JSON never holds a raw newline or \x1e, so the magic and
// the line end cannot occur inside a message.

/** Record separator plus tag and version: what no JSON text and little garbage contains. */
export const FRAME_MAGIC = '\x1eGL1 ';
const MAGIC = Buffer.from(FRAME_MAGIC, 'latin1');
const NEWLINE = 0x0a;

/** The largest frame accepted: a 10,000-node snapshot is about 11 MB. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** One message as a frame's bytes. */
export function encodeFrame(message: unknown): Buffer {
  return Buffer.from(`${FRAME_MAGIC}${JSON.stringify(message)}\n`, 'utf8');
}

export type FrameProblem =
  /** Bytes outside any frame (before a magic, or a line without one). */
  | { kind: 'garbage'; bytes: number; sample: string }
  /** A line longer than the limit, dropped unread. */
  | { kind: 'oversize'; bytes: number }
  /** A frame whose body is not JSON. */
  | { kind: 'json'; bytes: number; detail: string }
  /** The channel ended in the middle of a line. */
  | { kind: 'truncated'; bytes: number };

export interface FrameHandlers {
  frame(value: unknown): void;
  problem(problem: FrameProblem): void;
}

/**
 * Splits a byte stream into frames. Feed it chunks with `push`, call `end` when the stream
 * closes.
 *
 * @example
 * const reader = new FrameReader({ frame: (m) => handle(m), problem: (p) => report(p) });
 * socket.on('data', (chunk) => reader.push(chunk));
 * socket.on('end', () => reader.end());
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Dropping the rest of an oversize line, up to its newline. */
  private skipping = 0;

  constructor(
    private readonly handlers: FrameHandlers,
    private readonly maxBytes = MAX_FRAME_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl < 0 ? chunk.length : nl;
      this.take(chunk.subarray(start, end));
      if (nl < 0) return;
      this.endLine();
      start = nl + 1;
    }
  }

  end(): void {
    if (this.skipping > 0) this.handlers.problem({ kind: 'oversize', bytes: this.skipping });
    else if (this.length > 0) this.handlers.problem({ kind: 'truncated', bytes: this.length });
    this.reset();
  }

  private take(part: Buffer): void {
    if (part.length === 0) return;
    if (this.skipping > 0) {
      this.skipping += part.length;
      return;
    }
    if (this.length + part.length > this.maxBytes) {
      this.skipping = this.length + part.length;
      this.chunks = [];
      this.length = 0;
      return;
    }
    this.chunks.push(part);
    this.length += part.length;
  }

  private endLine(): void {
    if (this.skipping > 0) {
      this.handlers.problem({ kind: 'oversize', bytes: this.skipping });
      this.reset();
      return;
    }
    const line =
      this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
    this.reset();
    if (line.length === 0) return;
    // The last magic: garbage written without a newline just before a frame ends up in front of it.
    const at = line.lastIndexOf(MAGIC);
    if (at < 0) {
      this.handlers.problem({ kind: 'garbage', bytes: line.length, sample: sample(line) });
      return;
    }
    if (at > 0)
      this.handlers.problem({ kind: 'garbage', bytes: at, sample: sample(line.subarray(0, at)) });
    const body = line.subarray(at + MAGIC.length);
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (e) {
      this.handlers.problem({ kind: 'json', bytes: body.length, detail: (e as Error).message });
      return;
    }
    this.handlers.frame(value);
  }

  private reset(): void {
    this.chunks = [];
    this.length = 0;
    this.skipping = 0;
  }
}

function sample(bytes: Buffer): string {
  return JSON.stringify(bytes.subarray(0, 40).toString('latin1'));
}

/** A problem in words, for the run's error list. */
export function describeFrameProblem(p: FrameProblem): string {
  switch (p.kind) {
    case 'garbage':
      return `ignored ${p.bytes} byte(s) on the runner's channel that were not a message (${p.sample}…); something in the script wrote to the channel's file descriptor`;
    case 'oversize':
      return `dropped a message of ${p.bytes} bytes on the runner's channel (the limit is ${MAX_FRAME_BYTES} bytes)`;
    case 'json':
      return `ignored a malformed message of ${p.bytes} bytes on the runner's channel (${p.detail})`;
    case 'truncated':
      return `the runner's channel ended in the middle of a message (${p.bytes} bytes)`;
  }
}
