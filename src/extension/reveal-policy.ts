// Which files the graph view may open when a node is clicked. The page asks with a path; a
// page is not trusted to name any file on the machine, only the run's own: its script, the
// files its graph points at, and files of the open workspace.
import * as path from 'node:path';
import type { GraphSnapshot } from '../protocol/messages';

export interface RevealContext {
  /** The script of the graph the view shows, if any. */
  readonly script: string | null;
  readonly snapshot: GraphSnapshot | null;
  readonly workspaceFolders: readonly string[];
}

/** Whether `file` (absolute) is one the view may open. */
export function mayReveal(file: string, context: RevealContext): boolean {
  if (!path.isAbsolute(file)) return false;
  const target = path.resolve(file);
  if (context.script !== null && path.resolve(context.script) === target) return true;
  if (
    context.snapshot?.nodes.some(
      (n) => n.location !== null && path.resolve(n.location.file) === target,
    )
  )
    return true;
  return context.workspaceFolders.some((folder) => {
    const rel = path.relative(path.resolve(folder), target);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
}
