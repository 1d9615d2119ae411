// Source locations from stack traces. With --enable-source-maps, V8's stack text already
// points at the user's own .ts lines; these helpers pick the first frame that is user code
// and drop the runner's and the engine's frames from traces shown to users.
import { findSourceMap } from 'node:module';
import * as path from 'node:path';
import type { SourceLocation } from '../protocol/messages';
import { fileUrlToPath, isAbsolutePath, isInside } from '../protocol/paths';

const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?\s*$/;

/** The package's own sources and bundles: frames there are engine or runner, not user code. */
const OWN_ROOT = path.resolve(__dirname, '..', '..');
const OWN_DIRS = [path.join(OWN_ROOT, 'src'), path.join(OWN_ROOT, 'dist')];

let bundleFile: string | null = null;

/** Frames still in the generated bundle (no mapping) are not user lines either. */
export function setBundleFile(file: string): void {
  bundleFile = file;
}

function toPath(file: string): string {
  if (file.startsWith('file://')) {
    try {
      return fileUrlToPath(file);
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

/** The engine's or the runner's own sources and bundles. */
function isOwnFile(file: string): boolean {
  return OWN_DIRS.some((dir) => isInside(file, dir));
}

/** Whether files are the user's, by file: asked for every node a capture creates. */
const userFiles = new Map<string, boolean>();

export function isUserFile(file: string): boolean {
  if (file === bundleFile) return false;
  let user = userFiles.get(file);
  if (user === undefined) userFiles.set(file, (user = isAbsolutePath(file) && !isOwnFile(file)));
  return user;
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

/**
 * Where the caller's caller (user code) is right now. Reads V8's call sites rather than stack
 * text: formatting a stack with source maps costs tens of µs a frame, and a loop creates its
 * nodes at a handful of positions, each mapped once and then cached.
 */
export function currentUserLocation(): SourceLocation | null {
  return userLocationBelow(currentUserLocation);
}

/** The first user frame below the latest call of `top`, or null. */
function userLocationBelow(top: StackTop): SourceLocation | null {
  // Most ops are a few engine frames below user code: a shallow walk finds it at a fraction
  // of a deep one's cost, and only a walk that ran out of frames is done again deeper.
  const near = userSite(NEAR_FRAMES, top);
  return near !== undefined ? near : (userSite(FAR_FRAMES, top) ?? null);
}

/** A function on the stack: frames from its latest call up are left out of a walk. */
type StackTop = (...args: never[]) => unknown;

const NEAR_FRAMES = 12;
const FAR_FRAMES = 64;

/**
 * How far below the node-created hook's caller each kind of node has had its user frame, at
 * most: a capture costs more the more frames it takes, and nodes of a kind are mostly made
 * from one depth (an add a frame or two below user code, a Linear's addmm a few more).
 */
const nodeDepths = new Map<string, number>();

/**
 * Where the user code that made a node is, called from the engine's node-created hook with
 * the engine function that calls that hook (`creator`): the same location as
 * currentUserLocation, found with only as many frames as this kind of node needed before.
 * Called for every node a capture creates.
 */
export function createdNodeLocation(kind: string, creator: StackTop): SourceLocation | null {
  const depth = nodeDepths.get(kind);
  const near = userSite(depth === undefined ? NEAR_FRAMES : depth + 1, creator, NO_STACK);
  if (near === NO_STACK) return currentUserLocation();
  // A walk cut before any user frame is done again deeper: the first user frame within fewer
  // frames is the first one of a deeper walk too, so the location is the same.
  const loc = near !== undefined ? near : (userSite(FAR_FRAMES, creator) ?? null);
  if (foundAt > (depth ?? -1)) nodeDepths.set(kind, foundAt);
  return loc;
}

/** userSite's answer when `top` was not on the stack (nothing was taken). */
const NO_STACK = { file: '', line: 0, column: 0 } as const;
/** The position among the sites taken of the frame userSite last found, -1 if none. */
let foundAt = -1;

/**
 * The first user frame within `limit` frames below the latest call of `top`; null if there is
 * none, undefined if the stack was cut there, `noStack` (when given) if `top` is not on it.
 */
function userSite<T = null>(
  limit: number,
  top: StackTop,
  noStack?: T,
): SourceLocation | T | null | undefined {
  const stackLimit = Error.stackTraceLimit;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back, not called
  const prepare = Error.prepareStackTrace;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  foundAt = -1;
  try {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = callSites;
    Error.captureStackTrace(holder, top);
    const sites = holder.stack;
    if (!Array.isArray(sites)) return null;
    if (sites.length === 0 && noStack !== undefined) return noStack;
    for (let i = 0; i < sites.length; i++) {
      const site = sites[i];
      const file = site.getFileName();
      if (!file) continue;
      let own = ownFiles.get(file);
      if (own === undefined)
        ownFiles.set(file, (own = file.startsWith('node:') || isOwnFile(toPath(file))));
      if (own) continue;
      const loc = siteLocation(site, file);
      if (loc !== null && isUserFile(loc.file)) {
        foundAt = i;
        return loc;
      }
    }
    return sites.length >= limit ? undefined : null;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = stackLimit;
  }
}

function callSites(_error: Error, sites: NodeJS.CallSite[]): NodeJS.CallSite[] {
  return sites;
}

/** Files as V8 names them, and whether they are the engine's, the runner's or Node's own. */
const ownFiles = new Map<string, boolean>();

/**
 * Call-site positions as V8 reports them, by file and then by line and column in one number
 * (no key string to build for each node), to source locations.
 */
const mappedSites = new Map<string, Map<number, SourceLocation>>();

function siteLocation(site: NodeJS.CallSite, file: string): SourceLocation | null {
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (line === null || column === null) return null;
  if (column >= 2 ** 24) return mapSite(file, line, column); // a line past 16 M characters: not kept
  let inFile = mappedSites.get(file);
  if (inFile === undefined) mappedSites.set(file, (inFile = new Map<number, SourceLocation>()));
  const key = line * 2 ** 24 + column;
  let loc = inFile.get(key);
  if (loc === undefined) {
    loc = mapSite(file, line, column);
    inFile.set(key, loc);
  }
  return loc;
}

/** The original position of a generated one, as Node's --enable-source-maps stack text gives it. */
function mapSite(file: string, line: number, column: number): SourceLocation {
  const map = findSourceMap(file);
  if (map !== undefined) {
    // Source maps count from 0, stack traces from 1.
    const e = map.findEntry(line - 1, column - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (
      e.originalSource !== undefined &&
      e.originalLine !== undefined &&
      e.originalColumn !== undefined
    ) {
      return {
        file: toPath(e.originalSource),
        line: e.originalLine + 1,
        column: e.originalColumn + 1,
      };
    }
  }
  return { file: toPath(file), line, column };
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
  return kept
    .map((l) => l.replace(/file:\/\/\/(?:[A-Za-z]:)?[^\s):]+/g, (url) => toPath(url)))
    .join('\n');
}
