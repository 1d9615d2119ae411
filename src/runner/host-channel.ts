// The host's end of a runner child's channel: frames read from fd 3 and validated, frames
// written to fd 4. Nothing the child writes can throw here: garbage, oversize and malformed
// frames become problems, reported once per kind (with how many there were at the end).
import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import {
  FrameReader,
  describeFrameProblem,
  encodeFrame,
  type FrameProblem,
} from '../protocol/frames';
import {
  ProtocolError,
  validateChildMessage,
  type ChildMessage,
  type HostMessage,
} from '../protocol/messages';

export interface HostChannelHandlers {
  message(m: ChildMessage): void;
  /** Something on the channel was not a valid message; said once per kind of problem. */
  problem(text: string): void;
}

export class HostChannel {
  private readonly input: Readable;
  private readonly output: Writable;
  private readonly seen = new Map<string, number>();
  private ended = false;
  private readonly reader = new FrameReader({
    frame: (v) => this.frame(v),
    problem: (p) => this.problem(p),
  });
  private readonly onData = (chunk: Buffer): void => this.reader.push(chunk);
  private readonly onEnd = (): void => this.reader.end();

  constructor(
    child: ChildProcess,
    private readonly handlers: HostChannelHandlers,
  ) {
    this.input = child.stdio[3] as Readable;
    this.output = child.stdio[4] as Writable;
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('error', () => undefined);
    this.output.on('error', () => undefined);
  }

  send(m: HostMessage): void {
    if (!this.ended && this.output.writable) this.output.write(encodeFrame(m));
  }

  /** How many problems of each kind were not reported on their own. */
  unreported(): string | null {
    const more = [...this.seen]
      .filter(([, n]) => n > 1)
      .map(
        ([kind, n]) =>
          `${n - 1} more ${kind === 'message' ? 'malformed message(s)' : `${kind} problem(s)`}`,
      );
    return more.length === 0 ? null : `the runner's channel also had ${more.join(', ')}`;
  }

  /** Stops reading and writing (the run is over). */
  close(): void {
    this.ended = true;
    this.input.destroy();
    this.output.destroy();
  }

  /** Hands the streams over to another channel on the same child: this one stops listening and keeps them open. */
  detach(): void {
    this.ended = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.ref();
  }

  /** Waiting must not keep the host's process alive (a CLI would never exit). */
  unref(): void {
    for (const s of [this.input, this.output] as unknown as { unref?(): void }[]) s.unref?.();
  }

  ref(): void {
    for (const s of [this.input, this.output] as unknown as { ref?(): void }[]) s.ref?.();
  }

  private frame(v: unknown): void {
    let m: ChildMessage;
    try {
      m = validateChildMessage(v);
    } catch (e) {
      const detail = e instanceof ProtocolError ? e.message : String(e);
      this.once('message', `rejected a message from the runner: ${detail}`);
      return;
    }
    this.handlers.message(m);
  }

  private problem(p: FrameProblem): void {
    this.once(p.kind, describeFrameProblem(p));
  }

  private once(kind: string, text: string): void {
    const n = (this.seen.get(kind) ?? 0) + 1;
    this.seen.set(kind, n);
    if (n === 1) this.handlers.problem(text);
  }
}
