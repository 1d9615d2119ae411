// Runs ELK on a snapshot. ELK itself is passed in: the CLI hands the bundled synchronous
// build, the webview a worker-backed instance; this module stays free of either.
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { GraphSnapshot } from '../protocol/messages';
import { toElkGraph } from './elk';
import { renderSvg } from './svg';

/** The one method of an `ELK` instance we use. */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

/**
 * @example
 * import ELK from 'elkjs/lib/elk.bundled.js';
 * const svg = await layoutSnapshot(snapshot, new ELK());
 */
export async function layoutSnapshot(snapshot: GraphSnapshot, elk: ElkLike): Promise<string> {
  return renderSvg(snapshot, await elk.layout(toElkGraph(snapshot)));
}
