// The backward pass as steps to walk through on a drawing of the graph (the graph view's step
// mode and the CLI's HTML page): per step, the node that runs, the same words as
// `gradlens run --explain` (so the terminal and the pictures agree), and the edges it sends a
// gradient along with a short label for each. Pure data, JSON-ready for the HTML page.
import { formatNumber } from '../graph/labels';
import {
  FLOW_AUTO_MAX_NODES,
  decodeNum,
  type GraphSnapshot,
  type TensorSummary,
} from '../protocol/messages';
import { backwardSteps, type BackwardStep } from './steps';
import { explainSteps, formatTensor } from './text';

/** A gradient carried by a drawn edge; `key` is what edgeKey gives for that edge's id. */
export interface EdgeGrad {
  key: string;
  text: string;
}

export interface WalkStep {
  /** The node that runs at this step. */
  node: string;
  head: string;
  rule: string;
  body: string[];
  /** Where gradients met (fan-in) and were scalars: the sum in numbers, `-384 = -192 + -192`. */
  sum: string | null;
  /** The edges this step sends a gradient along (and, at the first step, the seed's edge). */
  edges: EdgeGrad[];
}

/** Tensors up to this many elements are written out on an edge; larger ones as shape and norm. */
const EDGE_SHOWN = 3;

/**
 * The key of a drawn edge: `to#slot` for an edge into a function node's input port (whatever
 * stands at its other end: a node, or the collapsed group around it), else its whole id
 * (`from->to` for a leaf's or an output's attachment).
 */
export function edgeKey(edgeId: string): string {
  const at = edgeId.indexOf('->');
  return at >= 0 && edgeId.includes('#', at) ? edgeId.slice(at + 2) : edgeId;
}

/** A gradient as an edge's label: its numbers when it has a few, else its shape and norm. */
export function edgeText(t: TensorSummary): string {
  const all = t.values ?? (t.first.length === t.numel ? t.first : null);
  if (all !== null && all.length <= EDGE_SHOWN) return formatTensor(t);
  const shape = `(${t.shape.join('×')})`;
  if (t.norm === undefined || t.norm === null) return shape;
  const bad = t.nanCount + t.infCount > 0 ? ' NaN/Inf' : '';
  return `${shape} ‖${formatNumber(t.norm)}‖${bad}`;
}

/** The steps of the snapshot's backward pass (empty when its flow was not recorded). */
export function walkthrough(s: GraphSnapshot): WalkStep[] {
  const texts = explainSteps(s);
  return backwardSteps(s).map((st, i) => ({
    ...texts[i],
    sum: fanInSum(st),
    edges: edgesOf(st),
  }));
}

/** Why a snapshot has no steps to walk through. */
export function noStepsReason(s: GraphSnapshot): string {
  if (s.detail === 'light')
    return 'This light capture holds no gradients of intermediate results: capture it in full to step through its backward pass.';
  return `The backward pass's flow was not recorded for this graph (graphs of more than ${FLOW_AUTO_MAX_NODES.toLocaleString('en')} nodes record it with --flow or the setting gradlens.capture.flow).`;
}

function edgesOf(st: BackwardStep): EdgeGrad[] {
  const out: EdgeGrad[] = [];
  // The seed: the gradient of the output backward() was called on, along its attachment edge.
  if (st.seededBy !== null && st.contributions.length === 0 && st.received !== null)
    out.push({ key: `${st.node.id}->${st.seededBy.id}`, text: edgeText(st.received) });
  for (const sent of st.sent)
    if (sent.to !== null && sent.grad !== null)
      out.push({ key: `${st.node.id}#${String(sent.slot)}`, text: edgeText(sent.grad) });
  // AccumulateGrad: the leaf's new .grad on the edge from the leaf.
  const after = st.flow.gradAfter ?? null;
  if (st.leaf !== null && after !== null)
    out.push({ key: `${st.leaf.id}->${st.node.id}`, text: `.grad ${edgeText(after)}` });
  return out;
}

/** What the drawing shows at step `index`: the running node, those run before and after, the edge labels. */
export interface StepMarks {
  now: string;
  done: Set<string>;
  todo: Set<string>;
  /** Edge key -> label, for every gradient sent up to this step; `now` for this step's own. */
  labels: Map<string, { text: string; now: boolean }>;
}

export function stepMarks(steps: readonly WalkStep[], index: number): StepMarks {
  const labels = new Map<string, { text: string; now: boolean }>();
  steps.slice(0, index + 1).forEach((st, i) => {
    for (const e of st.edges) labels.set(e.key, { text: e.text, now: i === index });
  });
  return {
    now: steps[index].node,
    done: new Set(steps.slice(0, index).map((st) => st.node)),
    todo: new Set(steps.slice(index + 1).map((st) => st.node)),
    labels,
  };
}

/** The sum of a fan-in as numbers alone (`-384 = -192 + -192`), for scalar gradients. */
function fanInSum(st: BackwardStep): string | null {
  if (st.contributions.length < 2 || st.received === null) return null;
  const scalar = (t: TensorSummary): boolean => t.numel === 1;
  if (!scalar(st.received) || !st.contributions.every((c) => scalar(c.grad))) return null;
  const n = (t: TensorSummary): string => formatNumber(decodeNum(t.first[0]));
  return `${n(st.received)} = ${st.contributions.map((c) => n(c.grad)).join(' + ')}`;
}
