// Which files the graph view may open when a node is clicked. The page asks with a path; a
// page is not trusted to name any file on the machine, only the run's own: its script, the
// files its graph points at, and files of the open workspace.
import type { GraphSnapshot } from '../protocol/messages';
import { isAbsolutePath, isInside, samePath } from '../protocol/paths';

export interface RevealContext {
  /** The script of the graph the view shows, if any. */
  readonly script: string | null;
  readonly snapshot: GraphSnapshot | null;
  readonly workspaceFolders: readonly string[];
}

/** Whether `file` (absolute) is one the view may open. */
export function mayReveal(file: string, context: RevealContext): boolean {
  if (!isAbsolutePath(file)) return false;
  if (context.script !== null && samePath(context.script, file)) return true;
  if (context.snapshot?.nodes.some((n) => n.location !== null && samePath(n.location.file, file)))
    return true;
  return context.workspaceFolders.some((folder) => isInside(file, folder));
}
