// `gradlens run --explain`: the backward pass as lines, one block per node in the order the
// engine ran it: the node's rule, the values it worked with, the gradient it received (the
// sum, where several edges met) and what it sent to each input, with the local factor
// (sent = received * factor) for small tensors; an AccumulateGrad shows `.grad` before -> after.
import { displayName, formatLocation, formatNumber } from '../graph/labels';
import type { GraphNode, GraphSnapshot, TensorSummary } from '../protocol/messages';
import { FLOW_AUTO_MAX_NODES, decodeNum } from '../protocol/messages';
import type { BackwardRule } from '../engine/ops/backward-rules';
import { ACCUMULATE_RULE, genericRule, inputRule, ruleFor } from './rules';
import { backwardSteps, type BackwardStep, type Contribution, type Sent } from './steps';

/** Tensors up to this many elements are written out in full; larger ones are summarized. */
const SHOWN = 8;

/** Every element when the summary holds them all, else null. */
function exact(t: TensorSummary): number[] | null {
  const all = t.values ?? (t.first.length === t.numel ? t.first : null);
  return all === null ? null : all.map(decodeNum);
}

/** A tensor as a number, a short list, or a summary line. */
export function formatTensor(t: TensorSummary | null): string {
  if (t === null) return 'None';
  const v = exact(t);
  if (v !== null && v.length <= SHOWN)
    return t.shape.length === 0 ? formatNumber(v[0]) : `[${v.map(formatNumber).join(', ')}]`;
  const parts = [`shape (${t.shape.join(', ')})`];
  if (t.min !== null && t.max !== null && t.mean !== null)
    parts.push(
      `min ${formatNumber(t.min)}`,
      `max ${formatNumber(t.max)}`,
      `mean ${formatNumber(t.mean)}`,
    );
  if (t.norm !== undefined && t.norm !== null) parts.push(`norm ${formatNumber(t.norm)}`);
  if (t.nanCount > 0) parts.push(`${t.nanCount} NaN`);
  if (t.infCount > 0) parts.push(`${t.infCount} Inf`);
  return `{${parts.join(', ')}}`;
}

/** `received * factor` for small tensors whose every received element is non-zero, else null. */
function factor(received: TensorSummary | null, sent: TensorSummary): string | null {
  if (received === null) return null;
  const g = exact(received);
  const s = exact(sent);
  if (g === null || s === null || s.length > SHOWN) return null;
  if (g.length !== s.length && g.length !== 1) return null;
  if (g.some((x) => x === 0 || !Number.isFinite(x))) return null;
  const f = s.map((x, i) => x / g[g.length === 1 ? 0 : i]);
  const fs =
    f.length === 1 && sent.shape.length === 0
      ? formatNumber(f[0])
      : `[${f.map(formatNumber).join(', ')}]`;
  return `${formatTensor(received)} * ${fs}`;
}

function nodeLabel(n: GraphNode, leafName: (n: GraphNode) => string | null): string {
  if (n.kind !== 'accumulate') return displayName(n);
  const leaf = leafName(n);
  return leaf === null || leaf === '' ? 'AccumulateGrad' : `AccumulateGrad of ${leaf}`;
}

function where(n: GraphNode): string {
  const at = formatLocation(n);
  return at === null ? '' : ` at ${at}`;
}

/** The name the rule gives input `slot`, else `input N`. */
function inputName(rule: BackwardRule | null, slot: number): string {
  return (rule === null ? null : inputRule(rule, slot)?.[0]) ?? `input ${slot}`;
}

/** One step of the backward pass in words: what ran, its rule, and the lines under it. */
export interface StepText {
  /** The node that ran. */
  node: string;
  /** `step 2: SubBackward0 at explain-qp.ts:7`. */
  head: string;
  /** The node kind's rule: its forward formula, AccumulateGrad's rule, or the generic one. */
  rule: string;
  /** Its values, what it received (a sum where edges met), what it sent to each input. */
  body: string[];
}

/** The snapshot's backward pass as one StepText per node, in the order the engine ran them. */
export function explainSteps(s: GraphSnapshot): StepText[] {
  const steps = backwardSteps(s);
  const leafNames = new Map<string, string>();
  const valueOf = new Map<string, TensorSummary | null>();
  for (const n of s.nodes) {
    if (n.kind === 'leaf' && n.attachedTo !== null) {
      leafNames.set(n.attachedTo, n.name);
      valueOf.set(n.attachedTo, n.value);
    } else if (n.kind === 'function') valueOf.set(n.id, n.value);
  }
  const stepOf = new Map(steps.map((st, i) => [st.node.id, i + 1]));
  const label = (n: GraphNode): string => nodeLabel(n, (x) => leafNames.get(x.id) ?? null);
  const ctx: Context = { label, valueOf, stepOf };
  return steps.map((st, i) => stepText(st, i + 1, ctx));
}

/** The lines explaining a snapshot's backward pass; a single line saying why when it has no flow. */
export function explainLines(s: GraphSnapshot, script: string): string[] {
  const steps = explainSteps(s);
  if (steps.length === 0)
    return [
      `backward() #${s.index} of ${script}: its flow was not recorded (graphs of more than ${FLOW_AUTO_MAX_NODES.toLocaleString('en')} nodes record it with --flow)`,
    ];
  const out = [
    `backward() #${s.index} of ${script}: ${steps.length} ${steps.length === 1 ? 'step' : 'steps'}, in the order the engine ran them`,
  ];
  for (const st of steps) out.push('', `${st.head}   ${st.rule}`, ...st.body.map((l) => `  ${l}`));
  return out;
}

interface Context {
  label: (n: GraphNode) => string;
  /** The value of the tensor each node stands for: a function node's output, a leaf's value. */
  valueOf: Map<string, TensorSummary | null>;
  stepOf: Map<string, number>;
}

function stepText(st: BackwardStep, k: number, c: Context): StepText {
  const n = st.node;
  if (n.kind === 'accumulate') {
    const leaf = st.leaf?.name ?? '';
    const name = leaf === '' ? 'the leaf' : leaf;
    return {
      node: n.id,
      head: `step ${k}: ${c.label(n)}`,
      rule: ACCUMULATE_RULE,
      body: [
        `received grad = ${received(st, c)}`,
        `${name}.grad: ${formatTensor(st.flow.gradBefore ?? null)} -> ${formatTensor(st.flow.gradAfter ?? null)}`,
      ],
    };
  }
  const rule = ruleFor(n.name);
  const body: string[] = [];
  const known = knownValues(st, c, rule);
  if (known.length > 0) body.push(known.join(', '));
  body.push(`received grad = ${received(st, c)}`);
  for (const sent of st.sent) body.push(sentLine(sent, st, c, rule));
  return {
    node: n.id,
    head: `step ${k}: ${c.label(n)}${where(n)}`,
    rule: rule?.forward ?? genericRule(n.name),
    body,
  };
}

/** The inputs' and the output's values where they are small enough to read. */
function knownValues(st: BackwardStep, c: Context, rule: BackwardRule | null): string[] {
  const known: string[] = [];
  const small = (t: TensorSummary | null | undefined): t is TensorSummary => {
    if (t === null || t === undefined) return false;
    const v = exact(t);
    return v !== null && v.length <= SHOWN;
  };
  for (const sent of st.sent) {
    if (sent.to === null) continue;
    const v = c.valueOf.get(sent.to.id);
    if (small(v)) known.push(`${inputName(rule, sent.slot)} = ${formatTensor(v)}`);
  }
  if (small(st.node.value)) known.push(`result = ${formatTensor(st.node.value)}`);
  return known;
}

function received(st: BackwardStep, c: Context): string {
  const outputs = st.flow.gradOutputs;
  if (outputs.length < 2) return receivedAt(st.received, st.contributions, st, c);
  // A multi-output node (chunk, split) receives one gradient per output.
  return outputs
    .map((g, nr) => {
      const at = st.contributions.filter((x) => x.output === nr);
      return `output ${nr}: ${g === null ? 'none' : receivedAt(g, at, st, c)}`;
    })
    .join('; ');
}

function receivedAt(
  total: TensorSummary | null,
  contributions: Contribution[],
  st: BackwardStep,
  c: Context,
): string {
  const text = formatTensor(total);
  if (st.seededBy !== null && st.contributions.length === 0)
    return `${text} (the seed: d${st.seededBy.name}/d${st.seededBy.name})`;
  const from = (x: Contribution): string => {
    const step = c.stepOf.get(x.from.id);
    const as = inputName(ruleFor(x.from.name), x.slot);
    return `${c.label(x.from)}${step === undefined ? '' : ` (step ${step})`} as ${as}`;
  };
  if (contributions.length === 1) return `${text} from ${from(contributions[0])}`;
  if (contributions.length === 0) return text;
  // Fan-in: the engine summed what arrived along each edge before the node ran.
  const terms = contributions.map((x) => `${formatTensor(x.grad)} from ${from(x)}`);
  return `${text} = ${terms.join(' + ')}`;
}

function sentLine(sent: Sent, st: BackwardStep, c: Context, rule: BackwardRule | null): string {
  const as = inputName(rule, sent.slot);
  if (sent.to === null) return `-- ${as} needs no gradient`;
  const to = `${c.label(sent.to)} as ${as}`;
  if (sent.grad === null) return `-> ${to}: nothing sent`;
  const value = formatTensor(sent.grad);
  const f = factor(st.received, sent.grad);
  const detail = f === null || f === value ? '' : ` (= ${f})`;
  const formula = rule === null ? null : (inputRule(rule, sent.slot)?.[1] ?? null);
  return `-> ${to}: ${formula === null ? '' : `${formula} = `}${value}${detail}`;
}
