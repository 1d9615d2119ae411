// Messages too big for the channel's pipe travel in a file, and their frame names it. A pipe
// moves a 10,000-node snapshot (about 8 MB of JSON) a few hundred KB at a time, each turn
// waiting for the child and then the host to be scheduled: in a busy window the child sat in
// its write for over a second after the script had ended. A file is written and read whole.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MAX_FRAME_BYTES } from '../protocol/frames';

/** Messages of at least this many JSON characters are spilled. */
export const SPILL_MIN_CHARS = 1 << 20;
const DIR_PREFIX = 'gradlens-frame-';
const FILE = 'message.json';

/** The frame of a spilled message: the file that holds its JSON. */
export interface SpilledFrame {
  readonly spilled: string;
}

/** Writes `json` to a fresh file and returns the frame naming it; null if it could not be written. */
export function spill(json: string): SpilledFrame | null {
  let dir: string | null = null;
  try {
    dir = mkdtempSync(path.join(tmpdir(), DIR_PREFIX));
    const file = path.join(dir, FILE);
    writeFileSync(file, json);
    return { spilled: file };
  } catch {
    // A full or read-only temporary folder: the pipe still carries it.
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

export function isSpilledFrame(value: unknown): value is SpilledFrame {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as { spilled?: unknown }).spilled === 'string'
  );
}

/**
 * The message a spilled frame names, parsed; its file is removed. Throws for a name that is no
 * spill's (a script may write frames of its own), a file over the frame size limit, or JSON
 * that does not parse.
 */
export function readSpilled(frame: SpilledFrame): unknown {
  const file = frame.spilled;
  const dir = path.dirname(file);
  const isSpill =
    path.isAbsolute(file) &&
    path.normalize(file) === file &&
    path.basename(file) === FILE &&
    path.basename(dir).startsWith(DIR_PREFIX) &&
    path.dirname(dir) === tmpdir();
  if (!isSpill) throw new Error(`refused a message in ${JSON.stringify(file)}: not a spill file`);
  try {
    const bytes = statSync(file).size;
    if (bytes > MAX_FRAME_BYTES)
      throw new Error(
        `dropped a message of ${bytes} bytes (the limit is ${MAX_FRAME_BYTES} bytes)`,
      );
    return JSON.parse(readFileSync(file, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
