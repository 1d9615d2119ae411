// Lays out a snapshot: ELK for small graphs (its crossing minimisation and edge routing are
// better), the fast layered layout above ELK_MAX_NODES (ELK takes seconds there). ELK itself
// is passed in: the CLI hands the bundled synchronous build, the webview a worker-backed
// instance or none at all; this module stays free of either.
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { GraphSnapshot } from '../protocol/messages';
import { orient, type GraphDirection } from './direction';
import { toElkGraph } from './elk';
import { fastLayout, type FastLayoutOptions, type LayoutProgress } from './fast-layout';
import { renderSvg } from './svg';

/** The one method of an `ELK` instance we use. */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

/**
 * Above this many boxes (nodes plus fan-out proxies) the fast layout is used: past it, the
 * wait for ELK's layered layout (thoroughness 3) grows to be felt, while the fast layout's
 * stays negligible. bench/graph-layout.ts measures both.
 */
export const ELK_MAX_NODES = 300;

export type LayoutEngine = 'elk' | 'fast';

export interface LayoutOptions {
  /** ELK, for graphs up to `elkMaxNodes` boxes; without it every graph gets the fast layout. */
  elk?: ElkLike | null;
  /** Force one engine; default: the policy above. */
  engine?: LayoutEngine;
  elkMaxNodes?: number;
  signal?: AbortSignal;
  onProgress?: (p: LayoutProgress) => void;
  /** Leaves on top (default, as torchviz) or the root on top (as agtree2dot). */
  direction?: GraphDirection;
}

/** Which engine the policy picks for an ELK input graph. @example chooseEngine(toElkGraph(s), true) */
export function chooseEngine(
  graph: ElkNode,
  haveElk: boolean,
  elkMaxNodes = ELK_MAX_NODES,
): LayoutEngine {
  return haveElk && (graph.children?.length ?? 0) <= elkMaxNodes ? 'elk' : 'fast';
}

/**
 * Lays out an ELK input graph by the policy; the result has ELK's shape either way.
 *
 * @example
 * const laid = await layoutElkGraph(toElkGraph(snapshot), { elk: new ELK() });
 */
export async function layoutElkGraph(
  graph: ElkNode,
  options: LayoutOptions = {},
): Promise<ElkNode> {
  const engine = options.engine ?? chooseEngine(graph, options.elk != null, options.elkMaxNodes);
  if (engine === 'elk') {
    if (options.elk == null)
      throw new Error("layout engine 'elk' requested but no ELK instance was given");
    options.onProgress?.({ phase: 'layers', fraction: 0 });
    // ELK cannot be interrupted from inside; a cancelled layout is dropped when it returns
    // (the webview terminates its ELK worker to stop it for real).
    const laid = await options.elk.layout(graph);
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('layout cancelled');
    options.onProgress?.({ phase: 'done', fraction: 1 });
    return orient(laid, options.direction ?? 'leaves-top');
  }
  const fast: FastLayoutOptions = { signal: options.signal, onProgress: options.onProgress };
  return orient(fastLayout(graph, fast), options.direction ?? 'leaves-top');
}

/**
 * Snapshot -> SVG by the layout policy.
 *
 * @example
 * import ELK from 'elkjs/lib/elk.bundled.js';
 * const svg = await layoutSnapshot(snapshot, new ELK());
 */
export async function layoutSnapshot(
  snapshot: GraphSnapshot,
  elk?: ElkLike | null,
  options: Omit<LayoutOptions, 'elk'> = {},
): Promise<string> {
  return renderSvg(snapshot, await layoutElkGraph(toElkGraph(snapshot), { ...options, elk }));
}
