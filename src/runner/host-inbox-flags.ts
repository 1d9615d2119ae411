// The slots of the SharedArrayBuffer through which the channel's reader thread tells the
// runner's main thread what the host asked for. Shared memory, not messages: a training loop
// that never yields cannot receive a message, but it can read a slot at each tensor op.
import type { HostMessage } from '../protocol/messages';

export type StartMessage = Extract<HostMessage, { type: 'run/start' }>;
export type PrepareMessage = Extract<HostMessage, { type: 'run/prepare' }>;

/** 1 while the host wants the script paused. */
export const PAUSE = 0;
/** How many full captures the host has asked for so far. */
export const CAPTURES = 1;
/** 1 once the host's end of the channel is closed. */
export const HOST_GONE = 2;
export const SLOTS = 3;

/** What the reader thread posts to the main thread (the rest travels through the slots). */
export type ReaderPost =
  | { kind: 'start'; message: StartMessage }
  | { kind: 'prepare'; message: PrepareMessage }
  | { kind: 'problem'; text: string }
  | { kind: 'wake' };
