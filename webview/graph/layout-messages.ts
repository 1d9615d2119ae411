// Messages between the graph view page and its layout worker. `seq` pairs a result with its request.
import type { SvgParts } from '../../src/graph/svg';
import type { WorkerTimes } from '../../src/protocol/graph-view';
import type { GraphDirection } from '../../src/graph/direction';

export type ToWorker =
  /**
   * The snapshot gzipped, as the host sent it: the worker reads it itself, while the page
   * reads its own copy, because handing it the page's objects (structured clone) took about
   * 300 ms for a 10,000-node graph.
   */
  | {
      readonly seq: number;
      readonly op: 'open';
      readonly snapshotGzip: Uint8Array;
      readonly header?: string;
      readonly direction?: GraphDirection;
      /** When the page posted it (epochMs): the worker's start-up is counted from here. */
      readonly postedAt: number;
    }
  | { readonly seq: number; readonly op: 'expand'; readonly group: string }
  | { readonly seq: number; readonly op: 'collapse'; readonly group: string };

/**
 * Milliseconds since the epoch on a clock the page and the worker share (each context's own
 * performance.now() starts at a different origin).
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface GroupInfo {
  readonly id: string;
  readonly name: string;
  readonly parent: string | null;
}

/** The group tree as the page holds it: each group, and the innermost group of each node in one. */
export interface Membership {
  readonly groups: readonly GroupInfo[];
  readonly groupOf: Readonly<Record<string, string>>;
}

export type FromWorker =
  | {
      readonly seq: number;
      readonly type: 'progress';
      readonly phase: string;
      readonly fraction: number;
    }
  | {
      readonly seq: number;
      readonly type: 'result';
      /** The drawing in pieces: the page puts the ones near the viewport into the DOM. */
      readonly parts: SvgParts;
      readonly engine: string;
      readonly ms: number;
      /** Boxes on screen (nodes, collapsed groups, proxies). */
      readonly boxes: number;
      readonly expanded: readonly string[];
      /** Sent with 'open' only: the graph's outputs, which Fit centres on in a big drawing. */
      readonly outputs?: readonly string[];
      /**
       * Sent with 'open' only: the group tree and the innermost group of each node, as JSON of
       * a Membership. One string crosses to the page as one copy, where a big graph's thousands
       * of groups and nodes as objects were copied one by one before its first paint (README,
       * "First graph of a window").
       */
      readonly membership?: string;
      /** Sent with 'open' only: where the worker's time for it went. */
      readonly times?: WorkerTimes;
      /**
       * Sent with 'open' only: laid out by the worker without ELK although ELK's policy
       * would take this graph (ELK's worker was not ready yet).
       */
      readonly provisional?: boolean;
    }
  /** The worker with ELK has laid out its first graph: its next layouts are quick. */
  | { readonly seq: 0; readonly type: 'warm' }
  | { readonly seq: number; readonly type: 'error'; readonly message: string };
