// What the host asks of a running script, taken in by the main thread at its checkpoints:
// every tensor op (the engine's before-op hook) and whenever its event loop is idle. A reader
// thread (channel-reader.ts) fills shared slots, so pause and capture requests reach a
// synchronous training loop, and pausing needs no POSIX signal.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  CAPTURES,
  HOST_GONE,
  PAUSE,
  SLOTS,
  type PrepareMessage,
  type ReaderPost,
  type StartMessage,
} from './host-inbox-flags';

export interface InboxHandlers {
  start(message: StartMessage): void;
  /** The host named the script this waiting runner will likely run. */
  prepare(message: PrepareMessage): void;
  problem(text: string): void;
  /** The host asked for a full capture of the next backward(). */
  captureRequested(): void;
  /** The script stopped at a checkpoint (true) or went on again (false). */
  paused(paused: boolean): void;
  /** The host is gone: nobody will resume or read this run. */
  hostGone(): void;
}

export class HostInbox {
  private readonly slots = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly worker: Worker;
  private capturesTaken = 0;

  constructor(
    fd: number,
    private readonly handlers: InboxHandlers,
    readerPath = path.join(__dirname, 'channel-reader.cjs'),
  ) {
    this.worker = new Worker(readerPath, { workerData: { fd, slots: this.slots.buffer } });
    this.worker.on('message', (p: ReaderPost) => this.onPost(p));
    this.worker.on('error', (e) => handlers.problem(`the channel reader failed: ${e.message}`));
  }

  /** From now on the reader does not keep the process alive (the script's own work does). */
  unref(): void {
    this.worker.unref();
  }

  /** Takes in what the host asked since the last call; blocks here while the host wants a pause. */
  checkpoint(): void {
    const s = this.slots;
    if (Atomics.load(s, CAPTURES) !== this.capturesTaken) {
      this.capturesTaken = Atomics.load(s, CAPTURES);
      this.handlers.captureRequested();
    }
    if (Atomics.load(s, PAUSE) === 1) this.holdWhilePaused();
    if (Atomics.load(s, HOST_GONE) === 1) this.handlers.hostGone();
  }

  private holdWhilePaused(): void {
    const s = this.slots;
    this.handlers.paused(true);
    while (Atomics.load(s, PAUSE) === 1) Atomics.wait(s, PAUSE, 1);
    if (Atomics.load(s, HOST_GONE) === 0) this.handlers.paused(false);
  }

  private onPost(p: ReaderPost): void {
    switch (p.kind) {
      case 'start':
        this.handlers.start(p.message);
        return;
      case 'prepare':
        this.handlers.prepare(p.message);
        return;
      case 'problem':
        this.handlers.problem(p.text);
        return;
      case 'wake':
        this.checkpoint();
        return;
    }
  }
}
