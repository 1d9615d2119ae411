// The graph view's state, in one object: what survives a reload (`saved`, kept by VS Code with
// the panel) and what the page holds for the graph on screen. Every module of the view reads
// and writes this object; nothing else of the view's state lives at module level except
// caches and handles private to one module (the layout worker, a drag in progress).
import type { SvgParts } from '../../src/graph/svg';
import type { WalkStep } from '../../src/explain/walkthrough';
import type { FromWebview, GraphPayload, GraphSource } from '../../src/protocol/graph-view';
import type { GraphNode, GraphSnapshot } from '../../src/protocol/messages';
import { vscodeApi } from '../vscode-api';
import type { GroupInfo } from './layout-messages';

/** A graph as the saved state keeps it: one kept by an earlier version has no source. */
export type KeptPayload = Omit<GraphPayload, 'source'> & { readonly source?: GraphSource };

/** What survives a reload (VS Code keeps it with the panel; the serializer restores the panel). */
export interface SavedState {
  readonly payload: KeptPayload | null;
  readonly collapsed: readonly string[];
  readonly search: string;
  /** Title of a graph too big to keep here (see saveState). */
  readonly dropped?: string;
}

/** Where the drawing sits in the view: screen pixel = translate + layout pixel × scale. */
export interface Transform {
  scale: number;
  tx: number;
  ty: number;
}

/** The part of the layout now in the page, and whether it was drawn lite (boxes only). */
export interface Drawn {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  readonly lite: boolean;
}

export interface ViewState {
  saved: SavedState;
  /**
   * The graph shown, as the page read it; null before the first graph, after a failure, and
   * while a delivered graph is drawn but not yet read (`reading`).
   */
  snapshot: GraphSnapshot | null;
  /** The page's read of the graph on screen, under way after its first paint (see openGraph). */
  reading: Promise<unknown> | null;
  /** The same snapshot gzipped, for the layout worker (see ToWorker 'open'). */
  snapshotGzip: Uint8Array | null;
  byId: Map<string, GraphNode>;
  /** The graph's outputs (from the worker, which reads them before the page does). */
  outputs: readonly string[];
  /** The group tree of the graph, and the innermost group of each node (from the worker). */
  groups: Map<string, GroupInfo>;
  groupOf: Readonly<Record<string, string>>;
  /** The groups open in the current drawing. */
  expanded: Set<string>;
  /** The current drawing in pieces; null before the first graph. */
  parts: SvgParts | null;
  /** Forward edges of what is drawn (data flow: input -> consumer -> ... -> output). */
  forward: Map<string, string[]>;
  /** The boxes selected (kept marked when the page is redrawn): a clicked node, or revealed ones. */
  selected: readonly string[];
  /** A layout of the graph has arrived, so groups can be toggled and the view refitted. */
  opened: boolean;
  transform: Transform;
  /** What of the drawing is in the page (null: nothing yet). */
  drawn: Drawn | null;
  /** The search match last centred on (Enter goes to the next). */
  matchIndex: number;
  /** The step-through of the backward pass, while it is on (webview/graph/step.ts). */
  step: StepMode | null;
}

export interface StepMode {
  readonly steps: readonly WalkStep[];
  /** The step shown. */
  index: number;
  /** The groups the step-through expanded to show a step's node (collapsed again on leaving). */
  readonly opened: string[];
}

export const vscode = vscodeApi<FromWebview, SavedState>();

export const state: ViewState = {
  saved: vscode.getState() ?? { payload: null, collapsed: [], search: '' },
  snapshot: null,
  reading: null,
  snapshotGzip: null,
  byId: new Map(),
  outputs: [],
  groups: new Map(),
  groupOf: {},
  expanded: new Set(),
  parts: null,
  forward: new Map(),
  selected: [],
  opened: false,
  transform: { scale: 1, tx: 0, ty: 0 },
  drawn: null,
  matchIndex: -1,
  step: null,
};

/**
 * Graphs above this many nodes stay out of the saved state. VS Code serialises the whole state
 * at every setState (each search keystroke, expand and collapse), which for a 10,000-node
 * snapshot (about 7 MB) cost over a second each time; after a reload such a graph is gone
 * and the view says so.
 */
const KEEP_MAX_NODES = 2000;

/** Replaces the saved state and hands it to VS Code. */
export function save(saved: SavedState): void {
  state.saved = saved;
  const p = saved.payload;
  // A graph drawn but not yet read is kept once read (readDelivered saves again).
  if (p !== null && p.snapshot === null) return;
  const keep = p === null || (p.snapshot as GraphSnapshot).nodes.length <= KEEP_MAX_NODES;
  vscode.setState(keep ? saved : { ...saved, payload: null, dropped: p.title });
}

/**
 * Whether `then` waits for the page's read of the graph on screen (true: it runs once that read
 * is over): what a node's details, the step-through, exports and checks show comes from it.
 */
export function awaitsRead(then: () => unknown): boolean {
  if (state.reading === null) return false;
  void state.reading.then(then);
  return true;
}

/** The group that directly holds a node or group (null at the top). */
export function containerOf(id: string): string | null {
  const group = state.groups.get(id);
  return group !== undefined ? group.parent : (state.groupOf[id] ?? null);
}
