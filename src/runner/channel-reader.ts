// The runner child's reader thread (a worker): reads the host's frames from the channel and
// turns pause, resume and capture requests into shared-memory slots (host-inbox-flags.ts) that
// the main thread checks at every tensor op, so they take effect inside synchronous loops.
// Everything else goes to the main thread as a message, which it handles when it is idle.
import { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { FrameReader } from '../protocol/frames';
import { assertNever, validateHostMessage, type HostMessage } from '../protocol/messages';
import { CAPTURES, HOST_GONE, PAUSE, type ReaderPost } from './host-inbox-flags';

interface ReaderData {
  fd: number;
  slots: SharedArrayBuffer;
}

const data = workerData as ReaderData;
const slots = new Int32Array(data.slots);

function post(p: ReaderPost): void {
  parentPort?.postMessage(p);
}

function setSlot(slot: number, value: number): void {
  Atomics.store(slots, slot, value);
  Atomics.notify(slots, slot);
}

function onFrame(raw: unknown): void {
  let m: HostMessage;
  try {
    m = validateHostMessage(raw);
  } catch (e) {
    post({
      kind: 'problem',
      text: `runner rejected a message from the host: ${(e as Error).message}`,
    });
    return;
  }
  switch (m.type) {
    case 'run/start':
      post({ kind: 'start', message: m });
      return;
    case 'run/prepare':
      post({ kind: 'prepare', message: m });
      return;
    case 'run/pause':
      setSlot(PAUSE, 1);
      return;
    case 'run/resume':
      setSlot(PAUSE, 0);
      return;
    case 'capture/request':
      Atomics.add(slots, CAPTURES, 1);
      // An idle script (between timers) has no next op: let the main thread look now.
      post({ kind: 'wake' });
      return;
    default:
      assertNever(m, 'host message');
  }
}

const socket = new Socket({ fd: data.fd, readable: true, writable: false });
// The host is trusted to frame well; a damaged frame is dropped as the Node runner always did.
const reader = new FrameReader({ frame: onFrame, problem: () => undefined });
socket.on('data', (chunk: Buffer) => reader.push(chunk));
socket.on('error', () => undefined);
socket.on('close', () => {
  // Also wakes a paused main thread, which then exits: nobody is left to resume it.
  setSlot(HOST_GONE, 1);
  setSlot(PAUSE, 0);
  post({ kind: 'wake' });
});
