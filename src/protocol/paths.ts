// File paths as the runner, the editor and stack traces spell them. Each path says its own
// flavour (a drive letter or `\\server\` is Windows, `/` is POSIX): the runner and the editor
// run on one machine, and the Windows rules are then tested on any machine. Host, runner and
// CLI only (Node's path and url modules), not the webviews.
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';

export type PathFlavour = 'posix' | 'win32';

const WINDOWS_ROOT = /^(?:[A-Za-z]:[\\/]|\\\\)/;

/** The flavour of an absolute path: Windows for `C:\`, `c:/` and `\\server\share`. */
export function flavourOf(file: string): PathFlavour {
  return WINDOWS_ROOT.test(file) ? 'win32' : 'posix';
}

function api(flavour: PathFlavour): nodePath.PlatformPath {
  return flavour === 'win32' ? nodePath.win32 : nodePath.posix;
}

export function isAbsolutePath(file: string, flavour = flavourOf(file)): boolean {
  return api(flavour).isAbsolute(file);
}

/**
 * What every spelling of one file has in common: `.`/`..` resolved and, on Windows, one
 * separator and one case (its file systems ignore case, and VS Code writes `c:` where Node
 * writes `C:`).
 */
export function pathKey(file: string, flavour = flavourOf(file)): string {
  const normal = api(flavour).normalize(file);
  return flavour === 'win32' ? normal.toLowerCase() : normal;
}

export function samePath(a: string, b: string, flavour = flavourOf(a)): boolean {
  return a === b || pathKey(a, flavour) === pathKey(b, flavour);
}

/** Whether `file` is somewhere below `folder` (not the folder itself). */
export function isInside(file: string, folder: string, flavour = flavourOf(folder)): boolean {
  const p = api(flavour);
  const rel = p.relative(pathKey(folder, flavour), pathKey(file, flavour));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${p.sep}`) && !p.isAbsolute(rel);
}

/** The last segment: `train.py` of `C:\work\train.py` and of `/work/train.py`. */
export function fileName(file: string, flavour = flavourOf(file)): string {
  return api(flavour).basename(file);
}

/** The path of a `file://` URL: `file:///C:/my%20work/a.ts` is `C:\my work\a.ts`. */
export function fileUrlToPath(url: string): string {
  return fileURLToPath(url, { windows: /^file:\/\/\/[A-Za-z]:/i.test(url) });
}

/**
 * The URI paths (`Uri.path`, the `resourcePath` of when-clauses) a file may have: Windows
 * drive letters appear in both cases, as VS Code and Node spell them differently.
 */
export function uriPaths(file: string, flavour = flavourOf(file)): string[] {
  if (flavour === 'posix') return [file];
  const slashed = file.replace(/\\/g, '/');
  // A UNC path's server is the URI's authority, not part of its path.
  if (slashed.startsWith('//')) return [slashed.replace(/^\/\/[^/]*/, '')];
  const drive = /^([A-Za-z]):/.exec(slashed);
  if (drive === null) return [slashed];
  const rest = slashed.slice(1);
  return [`/${drive[1].toUpperCase()}${rest}`, `/${drive[1].toLowerCase()}${rest}`];
}
