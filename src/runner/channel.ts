// The runner child's end of the channel (src/protocol/frames.ts): frames out on one fd,
// written synchronously; frames in on another, read by host-inbox.ts.
//
// Synchronous writes are the point: a training loop that never yields still reaches the host
// (an asynchronous write would queue in the child until the loop ends, growing without bound),
// the pipe's back-pressure bounds what is in flight, and a run stopped in the middle of a loop
// has sent everything before `process.exit`.
import { writeSync } from 'node:fs';
import { encodeFrame } from '../protocol/frames';
import type { ChildMessage } from '../protocol/messages';

/** Where the host put the channel: `OUT:IN` file descriptors. */
export function channelFds(env: NodeJS.ProcessEnv = process.env): { out: number; in: number } {
  const m = /^(\d+):(\d+)$/.exec(env.GRADLENS_CHANNEL ?? '');
  return m === null ? { out: 3, in: 4 } : { out: Number(m[1]), in: Number(m[2]) };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

export class ChildChannel {
  private closed = false;

  constructor(readonly fds = channelFds()) {}

  /** Writes one message before returning. After the host is gone, messages are dropped. */
  send(message: ChildMessage): void {
    if (this.closed) return;
    const bytes = encodeFrame(message);
    let done = 0;
    while (done < bytes.length) {
      try {
        done += writeSync(this.fds.out, bytes, done, bytes.length - done);
      } catch (e) {
        // A non-blocking pipe that is full: wait for the host to read.
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(pause, 0, 0, 1);
          continue;
        }
        // EPIPE or EBADF: the host is gone, or the script closed the channel.
        this.closed = true;
        return;
      }
    }
  }
}
