// Source locations from stack traces. With --enable-source-maps, V8's stack text already
// points at the user's own .ts lines; these helpers pick the first frame that is user code
// and drop the runner's and the engine's frames from traces shown to users.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../protocol/messages';

const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?\s*$/;

/** The package's own sources and bundles: frames there are engine or runner, not user code. */
const OWN_ROOT = path.resolve(__dirname, '..', '..');
const OWN_PREFIXES = [path.join(OWN_ROOT, 'src') + path.sep, path.join(OWN_ROOT, 'dist') + path.sep];

let bundleFile: string | null = null;

/** Frames still in the generated bundle (no mapping) are not user lines either. */
export function setBundleFile(file: string): void {
  bundleFile = file;
}

function toPath(file: string): string {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return file;
    }
  }
  return file;
}

export function parseFrame(line: string): SourceLocation | null {
  const m = FRAME.exec(line);
  if (m === null) return null;
  return { file: toPath(m[1]), line: Number(m[2]), column: Number(m[3]) };
}

export function isUserFile(file: string): boolean {
  if (!path.isAbsolute(file)) return false;
  if (file === bundleFile) return false;
  return !OWN_PREFIXES.some((p) => file.startsWith(p));
}

/** The first user frame of a stack text. */
export function userLocation(stack: string | undefined): SourceLocation | null {
  if (stack === undefined) return null;
  for (const line of stack.split('\n')) {
    if (!line.trimStart().startsWith('at ')) continue;
    const loc = parseFrame(line);
    if (loc !== null && isUserFile(loc.file)) return loc;
  }
  return null;
}

/** Where the caller's caller (user code) is right now. Only called while a capture is armed. */
export function currentUserLocation(): SourceLocation | null {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  return userLocation(stack);
}

/** A stack trace as users should see it: their frames, with runner and engine frames removed. */
export function cleanStack(stack: string): string {
  const lines = stack.split('\n');
  const kept = lines.filter((line) => {
    if (!line.trimStart().startsWith('at ')) return true;
    const loc = parseFrame(line);
    if (loc === null) return !/node:internal|\(node:/.test(line);
    return isUserFile(loc.file);
  });
  return kept.map((l) => l.replace(/file:\/\/(\/[^\s):]+)/g, (_, p: string) => decodeURIComponent(p))).join('\n');
}
