// What the graph view needs of a snapshot. The host keeps the runner's snapshot whole (hovers,
// inline values, the CLI's JSON); the page gets a slimmer copy, since every byte crosses from
// the extension host to the page (through code-server's socket, in a browser) and on to the
// layout worker: for a 10,000-node graph about 7.4 MB.
import type { GraphSnapshot, Num, TensorSummary } from '../protocol/messages';

/** Boxes and details show a tensor's elements only when it has this many or fewer. */
const SHOWN_ELEMENTS = 4;

/**
 * The snapshot as the graph view draws it: summaries keep their first elements only where
 * the view shows them (4 elements or fewer), and numbers keep 7 significant digits (the view
 * prints 4).
 *
 * @example
 * panel.post({ type: 'graph/show', payload, snapshotJson: toJsonBytes(slimSnapshot(snapshot)) });
 */
export function slimSnapshot(s: GraphSnapshot): GraphSnapshot {
  return {
    ...s,
    nodes: s.nodes.map((n) =>
      n.value === null && n.grad === null
        ? n
        : { ...n, value: slimSummary(n.value), grad: slimSummary(n.grad) },
    ),
  };
}

function slimSummary(t: TensorSummary | null): TensorSummary | null {
  if (t === null) return null;
  return {
    ...t,
    first: t.numel <= SHOWN_ELEMENTS ? t.first.map(round) : [],
    min: t.min === null ? null : round(t.min),
    max: t.max === null ? null : round(t.max),
    mean: t.mean === null ? null : round(t.mean),
  };
}

function round<T extends Num>(v: T): T {
  return (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(7)) : v) as T;
}
