// The one protocol spoken between the runner child, its host (CLI or extension) and the
// webview. String-literal `type` tags, a versioned handshake, and validators that run on
// every message crossing a process boundary, so a malformed message is rejected and named
// rather than trusted.

import { validateGradcheck, type GradcheckResult } from './gradcheck';

/** Bumped on any incompatible change to the shapes below. */
export const PROTOCOL_VERSION = 1;

/** With flow 'auto', graphs up to this many function and AccumulateGrad nodes record their flow. */
export const FLOW_AUTO_MAX_NODES = 2000;

/**
 * A number as it survives JSON: NaN and infinities become strings (IPC would turn them
 * into `null` and hide exactly the values users need to see).
 */
export type Num = number | 'NaN' | 'Infinity' | '-Infinity';

/** A tensor described without its data: enough to label a graph node and spot trouble. */
export interface TensorSummary {
  shape: number[];
  dtype: string;
  numel: number;
  /** The first few elements in row-major order. */
  first: Num[];
  /** Over the finite elements; null when there are none. */
  min: number | null;
  max: number | null;
  mean: number | null;
  nanCount: number;
  infCount: number;
  /** Euclidean norm over the finite elements; absent from older runners. */
  norm?: number | null;
  /** Every element in row-major order when numel <= 64 (exact values for small tensors). */
  values?: Num[];
}

/** Where user code created something, mapped through source maps to the user's own file. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** In a notebook (`file` an .ipynb): the cell's 0-based index, markdown cells counted; `line` is then the cell's. */
  cell?: number;
}

export type GraphNodeKind = 'function' | 'accumulate' | 'leaf' | 'output' | 'saved';

/** An entry of a function node's `nextFunctions`: which node, and which of its outputs. */
export interface NextFunction {
  id: string;
  inputNr: number;
}

/** What flowed through a function or AccumulateGrad node in the backward pass (recorded when asked). */
export interface NodeFlow {
  /** 0-based position in the order the engine ran this backward's nodes. */
  order: number;
  /** Gradient arriving for each output of the node (grad_outputs); null where none arrived. */
  gradOutputs: (TensorSummary | null)[];
  /**
   * Gradient sent along each entry of `next` (grad_inputs): same length as `next`, null where
   * none. Empty for AccumulateGrad, which sends nothing on.
   */
  gradInputs: (TensorSummary | null)[];
  /** AccumulateGrad only: the leaf's `.grad` before this backward added to it (null: none yet). */
  gradBefore?: TensorSummary | null;
  /** AccumulateGrad only: the leaf's `.grad` after (null where the gradient was not accumulated, as in autograd.grad). */
  gradAfter?: TensorSummary | null;
}

/** How a run decides whether to record the backward pass's flow (see NodeFlow). */
export type FlowPolicy = 'auto' | 'always' | 'never';

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  /**
   * PyTorch's class name for function and AccumulateGrad nodes (`'MulBackward0'`,
   * `'torch::autograd::AccumulateGrad'`); the label for tensors (`'a'`, `'fc1.weight'`).
   */
  name: string;
  /** `nextFunctions` in PyTorch's order, `null` where that input needs no gradient. Function and accumulate nodes only. */
  next: (NextFunction | null)[];
  /** The tensor this node stands for (leaf, output, saved), or a function node's output when known. */
  value: TensorSummary | null;
  /** Gradient after backward: a leaf's `.grad`, or the gradient that flowed into a function node. */
  grad: TensorSummary | null;
  location: SourceLocation | null;
  /** Module calls running when the node was created, outermost first (`['Net', 'Net.fc1']`). */
  modulePath: string[];
  /**
   * Function nodes: a number per entry of `modulePath` identifying that module call (two calls
   * of one module differ). Absent from older runners; groups then split calls by path only.
   */
  moduleCalls?: number[];
  /** For tensor nodes, the id of the node they attach to (leaf -> its AccumulateGrad, output -> its gradFn, saved -> its owner). */
  attachedTo: string | null;
  /** Creation order (PyTorch's sequence_nr); -1 for tensors. */
  sequenceNr: number;
  /** Function and accumulate nodes of a capture that recorded flow and that ran in its backward. */
  flow?: NodeFlow;
  /**
   * Function nodes: the source variable that held this node's output when the graph was
   * captured (`'Q'` on the SubBackward0 of `Q = a**3 - 3*b`), as agtree2dot's labels name
   * intermediate tensors. Absent when no variable held it, and from older runners.
   */
  varName?: string;
}

export type AnomalyKind = 'nan' | 'inf';

export interface Anomaly {
  kind: AnomalyKind;
  where: 'value' | 'grad';
  nodeId: string;
  /** E.g. "LogBackward0 at examples/x.ts:12:7 produced NaN". */
  message: string;
}

/** Where a capture point's snapshot was taken: a breakpoint's line, reached without pausing. */
export interface StopInfo {
  /** The breakpoint's file as the host named it. */
  file: string;
  line: number;
  /** 1-based: the how-many-th time the line was reached (with its condition true). */
  hit: number;
  /** The tensors in scope by variable name, and the node standing for each. */
  scope: { name: string; node: string }[];
}

/**
 * Everything reachable from the output of one backward() or autograd.grad() call; or, with
 * `stop`, from the tensors in scope at a capture point (its `index`: the backward() calls before it).
 */
export interface GraphSnapshot {
  /** 1-based index of the backward()/autograd.grad() call this graph belongs to. */
  index: number;
  trigger: 'backward' | 'autograd.grad';
  nodes: GraphNode[];
  /** Output tensor nodes, one per root of the backward call. */
  outputs: string[];
  anomalies: Anomaly[];
  /** Set when a graph over the size limit was collapsed by module call. */
  collapsed: boolean;
  /**
   * A collapsed snapshot's groups (limitSnapshot): the module calls and repeats shown open
   * (their contents are nodes here, drawn in a frame) and those shown as one box (a node with
   * the group's id, `items` empty), so renderers frame and name them as the graph view does.
   */
  groups?: SnapshotGroup[];
  /** Whether values of intermediate nodes were recorded (armed capture) or only leaves and saved tensors. */
  detail: 'full' | 'light';
  /** True when the capture recorded the backward pass's flow (nodes that ran carry `flow`). */
  flowRecorded?: boolean;
  /** Set on the snapshots of capture points (Python runs only). */
  stop?: StopInfo;
  /** The finite-difference check of this graph, when one was asked for (`--gradcheck`). */
  gradcheck?: GradcheckResult;
}

export type GroupKind = 'call' | 'repeat' | 'step';

/** An nn.Module call or a repeated block of a graph (src/graph/groups.ts builds them). */
export interface SnapshotGroup {
  /** `group:<n>`, numbered in creation order: the same snapshot always gives the same ids. */
  id: string;
  kind: GroupKind;
  /** The module's qualified name for a call (`Net.cell`); what repeats for a repeat; `#3` for a step. */
  label: string;
  parent: string | null;
  /** Child groups and node ids directly inside, in creation order. */
  items: string[];
  /** Function and AccumulateGrad nodes inside, at any depth. */
  size: number;
  /** Steps of a repeat. */
  count: number;
  /** The module path a call ran in, outermost first (ending with this call's module). */
  modulePath: string[];
}

/** One backward() on a scalar, for the training monitor. */
export interface TrainMetric {
  step: number;
  loss: Num;
  /** Milliseconds since the script started. */
  timeMs: number;
  /** L2 norm of each named parameter's gradient after this backward; empty on steps of a fast loop where the Python tracer did not sample them. */
  gradNorms: Record<string, Num>;
  /** The optimizer's learning rate (paramGroups[0].lr) when one stepped after this backward. */
  lr: number | null;
}

export type RunErrorKind =
  'syntax' | 'exception' | 'timeout' | 'memory' | 'protocol' | 'crash' | 'no-backward' | 'launch';

/**
 * Something the user should know of a run that goes on, not a failure: a graph over the
 * tracer's walk cap (not captured), a torch.compile'd region (one opaque node).
 */
export type RunNoticeKind = 'graph-too-large' | 'compiled';

export interface RunNotice {
  kind: RunNoticeKind;
  message: string;
}

export interface RunError {
  kind: RunErrorKind;
  message: string;
  /** Stack trace mapped to the user's source lines, when there is one. */
  stack: string | null;
  location: SourceLocation | null;
}

/** A notebook cell as the editor holds it, for a run of the notebook's cells. */
export interface NotebookCellSource {
  /** 0-based position in the notebook, markdown cells counted. */
  index: number;
  kind: 'code' | 'markup';
  /** The cell's language id (`python`, `markdown`). */
  language: string;
  source: string;
}

/** A line where the Python tracer records the tensors in scope without pausing (an editor breakpoint). */
export interface CapturePoint {
  file: string;
  line: number;
  /** The breakpoint's condition: the tracer evaluates simple ones and treats others as plain. */
  condition: string | null;
}

export interface CapturePoints {
  points: CapturePoint[];
  /** Hits recorded per point; later ones are only counted. */
  maxHits: number;
}

/** How often a capture point's line was reached, reported at the end of the run. */
export interface CapturePointReport {
  file: string;
  line: number;
  reached: number;
  /** What the user should know of the point (a condition treated as plain), or null. */
  note: string | null;
}

/** How a run is set up; sent by the host right after it accepts the child's hello. */
export interface RunOptions {
  /** Absolute path of the user's script (.ts, .js, .mjs, .cjs, .mts, .cts). */
  script: string;
  cwd: string;
  /** Which backward() gets a full capture: the N-th (1-based), the last, or every one. */
  captureAt: number | 'last' | 'all';
  /** Graphs with more nodes than this are collapsed by module call. */
  maxNodes: number;
  /** Record saved tensors as nodes of the graph. */
  savedTensors: boolean;
  /** Record the gradients that flowed through each node ('auto': for graphs up to FLOW_AUTO_MAX_NODES nodes). */
  flow: FlowPolicy;
  /** End the script right after the first backward() called from this line (of this notebook cell) completes. */
  stopAfter: { file: string; line: number; cell?: number } | null;
  /** The script's own arguments (`sys.argv[1:]`, `process.argv.slice(2)`). */
  args: string[];
  /** A notebook script's cells to run, as its editor holds them; absent: the runner reads the file. */
  cells?: NotebookCellSource[];
  /** Python runs only (the Node runner ignores them); absent: none. */
  capturePoints?: CapturePoints;
  /** Node runs only: the folder where bundles of unchanged scripts are kept between runs; absent: none. */
  bundleCache?: string;
}

/** What a runner child runs on, as it says in its hello. */
export interface RuntimeInfo {
  language: 'node' | 'python';
  /** The interpreter's version (`20.20.2`, `3.11.2`). */
  version: string;
  /** PyTorch's version for the Python runner; null for Node or where torch is not importable. */
  torch: string | null;
  /** Features this runtime lacks, in words, for the user (e.g. node pre-hooks before torch 2.0). */
  missing: string[];
}

/** Child -> host. */
export type ChildMessage =
  | { type: 'hello'; protocol: number; pid: number; runtime: RuntimeInfo }
  | { type: 'graph/snapshot'; snapshot: GraphSnapshot }
  /**
   * Batched: one message per training step would cost more than a small step. `stride` is
   * set once steps come faster than the stream carries them: only every stride-th step is in it.
   * On the wire also as `columns` (the Python runner's form, see validateMetricColumns).
   */
  | { type: 'train/metrics'; metrics: TrainMetric[]; stride?: number }
  | { type: 'run/error'; error: RunError }
  | { type: 'run/notice'; notice: RunNotice }
  | {
      type: 'run/done';
      backwardCount: number;
      durationMs: number;
      /** Sent when the run had capture points, one per point. */
      capturePoints?: CapturePointReport[];
    }
  /** The script stopped at a tensor op (or backward) after `run/pause`, and went on after `run/resume`. */
  | { type: 'run/paused' }
  | { type: 'run/resumed' };

/**
 * Host -> child. Pause and resume go through the channel, not signals: Windows has no SIGSTOP,
 * and the child stops where its state is consistent (at its next tensor op or backward).
 */
export type HostMessage =
  | { type: 'run/start'; protocol: number; options: RunOptions }
  /**
   * To a Node runner waiting for its run: bundle this script into `bundleCache` meanwhile
   * (nothing runs), so that its run finds the bundle kept.
   */
  | { type: 'run/prepare'; script: string; bundleCache: string }
  | { type: 'capture/request' }
  | { type: 'run/pause' }
  | { type: 'run/resume' };

/**
 * What a host hands its own consumers (the CLI, the extension's webview): child messages
 * plus the streamed output of the script.
 */
export type RunnerMessage =
  ChildMessage | { type: 'run/stdout'; text: string } | { type: 'run/stderr'; text: string };

export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}

// ---- encoding numbers ------------------------------------------------------------------

export function encodeNum(v: number): Num {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

export function decodeNum(v: Num): number {
  if (typeof v === 'number') return v;
  switch (v) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    default:
      return assertNever(v, 'number encoding');
  }
}

// ---- validators ------------------------------------------------------------------------

/** Thrown by the validators; `path` says where in the message the problem is. */
export class ProtocolError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`malformed message at ${path}: ${problem}`);
    this.name = 'ProtocolError';
  }
}

type Obj = Record<string, unknown>;

// Arrays, and a snapshot's nodes and their parts, are checked where they stand and returned as
// they are (fields beyond the type's pass along unread): a 10,000-node snapshot holds about half
// a million values, and copying them cost more than checking them. Every check takes the path
// of the value's parent and the value's key there, and joins the two only to report a problem.
type Key = string | number | undefined;

function at(path: string, key: Key): string {
  return key === undefined ? path : typeof key === 'number' ? `${path}[${key}]` : `${path}.${key}`;
}
function obj(v: unknown, path: string, key?: Key): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ProtocolError(at(path, key), 'expected an object');
  return v as Obj;
}
function str(v: unknown, path: string, key?: Key): string {
  if (typeof v !== 'string') throw new ProtocolError(at(path, key), 'expected a string');
  return v;
}
function num(v: unknown, path: string, key?: Key): number {
  if (typeof v !== 'number' || Number.isNaN(v))
    throw new ProtocolError(at(path, key), 'expected a number');
  return v;
}
function int(v: unknown, path: string, key?: Key): number {
  const n = num(v, path, key);
  if (!Number.isInteger(n)) throw new ProtocolError(at(path, key), 'expected an integer');
  return n;
}
function bool(v: unknown, path: string, key?: Key): boolean {
  if (typeof v !== 'boolean') throw new ProtocolError(at(path, key), 'expected a boolean');
  return v;
}
function arr(v: unknown, path: string, key?: Key): unknown[] {
  if (!Array.isArray(v)) throw new ProtocolError(at(path, key), 'expected an array');
  return v;
}
/**
 * The array itself once every element passes `check`. Elements are checked with an empty
 * path, so a problem's path is relative to the element; the element's own path is put in front.
 */
function each<T>(v: unknown, path: string, key: Key, check: (x: unknown, path: string) => T): T[] {
  const a = arr(v, path, key);
  for (let i = 0; i < a.length; i++) {
    try {
      check(a[i], '');
    } catch (e) {
      throw within(e, `${at(path, key)}[${i}]`);
    }
  }
  return a as T[];
}
function nullable<T>(
  v: unknown,
  path: string,
  key: Key,
  f: (v: unknown, path: string, key?: Key) => T,
): T | null {
  return v === null ? null : f(v, path, key);
}
function numEnc(v: unknown, path: string, key?: Key): Num {
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
  return num(v, path, key);
}
function oneOf<T extends string>(v: unknown, path: string, key: Key, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
    throw new ProtocolError(at(path, key), `expected one of ${options.join(', ')}`);
  }
  return v as T;
}

/** A problem found below `path` (checked with an empty path), reported with the whole path. */
function within(e: unknown, path: string): unknown {
  return e instanceof ProtocolError ? new ProtocolError(`${path}${e.path}`, e.problem) : e;
}

/** Checks a tensor summary in place (see above) and returns it. */
export function validateTensorSummary(v: unknown, path = 'tensor', key?: Key): TensorSummary {
  const o = obj(v, path, key);
  const p = at(path, key);
  each(o.shape, p, 'shape', int);
  str(o.dtype, p, 'dtype');
  int(o.numel, p, 'numel');
  each(o.first, p, 'first', numEnc);
  nullable(o.min, p, 'min', num);
  nullable(o.max, p, 'max', num);
  nullable(o.mean, p, 'mean', num);
  int(o.nanCount, p, 'nanCount');
  int(o.infCount, p, 'infCount');
  if (o.norm !== undefined) nullable(o.norm, p, 'norm', num);
  if (o.values !== undefined) each(o.values, p, 'values', numEnc);
  return o as unknown as TensorSummary;
}

function summaryOrNull(x: unknown, path: string): TensorSummary | null {
  return nullable(x, path, undefined, validateTensorSummary);
}

function validateFlow(v: unknown, path: string, key: Key, edges: number): NodeFlow {
  const o = obj(v, path, key);
  const p = at(path, key);
  if (int(o.order, p, 'order') < 0) throw new ProtocolError(`${p}.order`, 'expected at least 0');
  each(o.gradOutputs, p, 'gradOutputs', summaryOrNull);
  const sent = each(o.gradInputs, p, 'gradInputs', summaryOrNull);
  if (sent.length !== edges)
    throw new ProtocolError(`${p}.gradInputs`, `expected ${edges} entries, one per next`);
  if (o.gradBefore !== undefined) nullable(o.gradBefore, p, 'gradBefore', validateTensorSummary);
  if (o.gradAfter !== undefined) nullable(o.gradAfter, p, 'gradAfter', validateTensorSummary);
  return o as unknown as NodeFlow;
}

function cellIndex(v: unknown, path: string, key?: Key): number {
  const n = int(v, path, key);
  if (n < 0) throw new ProtocolError(at(path, key), 'expected at least 0');
  return n;
}

function validateCell(v: unknown, path: string): NotebookCellSource {
  const o = obj(v, path);
  return {
    index: cellIndex(o.index, path, 'index'),
    kind: oneOf(o.kind, path, 'kind', ['code', 'markup'] as const),
    language: str(o.language, path, 'language'),
    source: str(o.source, path, 'source'),
  };
}

function validateLocation(v: unknown, path: string, key?: Key): SourceLocation {
  const o = obj(v, path, key);
  const p = at(path, key);
  str(o.file, p, 'file');
  int(o.line, p, 'line');
  int(o.column, p, 'column');
  if (o.cell !== undefined) cellIndex(o.cell, p, 'cell');
  return o as unknown as SourceLocation;
}

const NODE_KINDS: readonly GraphNodeKind[] = ['function', 'accumulate', 'leaf', 'output', 'saved'];

function validateEdge(x: unknown, path: string): NextFunction | null {
  if (x === null) return null;
  const n = obj(x, path);
  str(n.id, path, 'id');
  int(n.inputNr, path, 'inputNr');
  return n as unknown as NextFunction;
}

function validateNode(v: unknown, path: string): GraphNode {
  const o = obj(v, path);
  str(o.id, path, 'id');
  oneOf(o.kind, path, 'kind', NODE_KINDS);
  str(o.name, path, 'name');
  each(o.next, path, 'next', validateEdge);
  nullable(o.value, path, 'value', validateTensorSummary);
  nullable(o.grad, path, 'grad', validateTensorSummary);
  nullable(o.location, path, 'location', validateLocation);
  each(o.modulePath, path, 'modulePath', str);
  if (o.moduleCalls !== undefined) each(o.moduleCalls, path, 'moduleCalls', int);
  nullable(o.attachedTo, path, 'attachedTo', str);
  int(o.sequenceNr, path, 'sequenceNr');
  if (o.flow !== undefined) validateFlow(o.flow, path, 'flow', (o.next as unknown[]).length);
  if (o.varName !== undefined && str(o.varName, path, 'varName') === '')
    throw new ProtocolError(at(path, 'varName'), 'expected a variable name, got an empty string');
  return o as unknown as GraphNode;
}

function validateAnomaly(v: unknown, path: string): Anomaly {
  const o = obj(v, path);
  oneOf(o.kind, path, 'kind', ['nan', 'inf'] as const);
  oneOf(o.where, path, 'where', ['value', 'grad'] as const);
  str(o.nodeId, path, 'nodeId');
  str(o.message, path, 'message');
  return o as unknown as Anomaly;
}

/** Checks a snapshot's shape and that every edge points at a node it contains. */
export function validateSnapshot(v: unknown, path = 'snapshot'): GraphSnapshot {
  const o = obj(v, path);
  const nodes = each(o.nodes, path, 'nodes', validateNode);
  const ids = new Set(nodes.map((n) => n.id));
  if (ids.size !== nodes.length) throw new ProtocolError(`${path}.nodes`, 'duplicate node ids');
  nodes.forEach((n, i) => {
    n.next.forEach((e, j) => {
      if (e !== null && !ids.has(e.id))
        throw new ProtocolError(`${path}.nodes[${i}].next[${j}].id`, `unknown node ${e.id}`);
    });
    if (n.attachedTo !== null && !ids.has(n.attachedTo))
      throw new ProtocolError(`${path}.nodes[${i}].attachedTo`, `unknown node ${n.attachedTo}`);
  });
  const outputs = each(o.outputs, path, 'outputs', str);
  for (const id of outputs)
    if (!ids.has(id)) throw new ProtocolError(`${path}.outputs`, `unknown node ${id}`);
  const stop = o.stop === undefined ? undefined : validateStop(o.stop, `${path}.stop`, ids);
  const groups =
    o.groups === undefined ? undefined : validateGroups(o.groups, `${path}.groups`, ids);
  return {
    index: int(o.index, path, 'index'),
    trigger: oneOf(o.trigger, path, 'trigger', ['backward', 'autograd.grad'] as const),
    nodes,
    outputs,
    anomalies: each(o.anomalies, path, 'anomalies', validateAnomaly),
    collapsed: bool(o.collapsed, path, 'collapsed'),
    detail: oneOf(o.detail, path, 'detail', ['full', 'light'] as const),
    ...(o.flowRecorded === undefined
      ? {}
      : { flowRecorded: bool(o.flowRecorded, path, 'flowRecorded') }),
    ...(stop === undefined ? {} : { stop }),
    ...(groups === undefined ? {} : { groups }),
    ...(o.gradcheck === undefined
      ? {}
      : { gradcheck: validateGradcheck(o.gradcheck, `${path}.gradcheck`) }),
  };
}

/** Groups whose parents are groups of the list and whose items are its groups or `ids`. */
function validateGroups(v: unknown, path: string, ids: Set<string>): SnapshotGroup[] {
  const groups = each(v, path, undefined, (x, p) => {
    const o = obj(x, p);
    str(o.id, p, 'id');
    oneOf(o.kind, p, 'kind', ['call', 'repeat', 'step'] as const);
    str(o.label, p, 'label');
    nullable(o.parent, p, 'parent', str);
    each(o.items, p, 'items', str);
    int(o.size, p, 'size');
    int(o.count, p, 'count');
    each(o.modulePath, p, 'modulePath', str);
    return o as unknown as SnapshotGroup;
  });
  const known = new Set(groups.map((g) => g.id));
  groups.forEach((g, i) => {
    if (g.parent !== null && !known.has(g.parent))
      throw new ProtocolError(`${path}[${i}].parent`, `unknown group ${g.parent}`);
    for (const it of g.items)
      if (!known.has(it) && !ids.has(it))
        throw new ProtocolError(`${path}[${i}].items`, `unknown node or group ${it}`);
  });
  return groups;
}

function validateStop(v: unknown, path: string, ids: Set<string>): StopInfo {
  const o = obj(v, path);
  const hit = int(o.hit, path, 'hit');
  if (hit < 1) throw new ProtocolError(`${path}.hit`, 'expected at least 1');
  const scope = each(o.scope, path, 'scope', (x, p) => {
    const e = obj(x, p);
    const node = str(e.node, p, 'node');
    if (!ids.has(node)) throw new ProtocolError(at(p, 'node'), `unknown node ${node}`);
    return { name: str(e.name, p, 'name'), node };
  });
  return { file: str(o.file, path, 'file'), line: int(o.line, path, 'line'), hit, scope };
}

function validateMetric(v: unknown, path: string): TrainMetric {
  const o = obj(v, path);
  const norms = obj(o.gradNorms, path, 'gradNorms');
  const gradNorms: Record<string, Num> = {};
  for (const [k, x] of Object.entries(norms)) gradNorms[k] = numEnc(x, `${path}.gradNorms`, k);
  return {
    step: int(o.step, path, 'step'),
    loss: numEnc(o.loss, path, 'loss'),
    timeMs: num(o.timeMs, path, 'timeMs'),
    gradNorms,
    lr: nullable(o.lr, path, 'lr', num),
  };
}

/**
 * A batch in columns (the Python runner's form: an object per step costs a fast loop more
 * than the step's bookkeeping), read as the rows the host keeps.
 */
function validateMetricColumns(v: unknown, path: string): TrainMetric[] {
  const o = obj(v, path);
  const steps = each(o.step, path, 'step', int);
  const losses = each(o.loss, path, 'loss', numEnc);
  const times = each(o.timeMs, path, 'timeMs', num);
  const lrs = each(o.lr, path, 'lr', (x, p) => nullable(x, p, undefined, num));
  for (const [key, column] of [
    ['loss', losses],
    ['timeMs', times],
    ['lr', lrs],
  ] as const) {
    if (column.length !== steps.length)
      throw new ProtocolError(at(path, key), `expected ${steps.length} entries, one per step`);
  }
  const norms = obj(o.gradNorms, path, 'gradNorms');
  const byStep = new Map<number, Record<string, Num>>();
  const stepSet = new Set(steps);
  for (const [step, x] of Object.entries(norms)) {
    const p = at(`${path}.gradNorms`, step);
    const n = Number(step);
    if (!stepSet.has(n)) throw new ProtocolError(p, 'expected a step of this batch');
    const named = obj(x, p);
    const gradNorms: Record<string, Num> = {};
    for (const [name, norm] of Object.entries(named)) gradNorms[name] = numEnc(norm, p, name);
    byStep.set(n, gradNorms);
  }
  return steps.map((step, i) => ({
    step,
    loss: losses[i],
    timeMs: times[i],
    gradNorms: byStep.get(step) ?? {},
    lr: lrs[i],
  }));
}

const ERROR_KINDS: readonly RunErrorKind[] = [
  'syntax',
  'exception',
  'timeout',
  'memory',
  'protocol',
  'crash',
  'no-backward',
  'launch',
];

export function validateRunError(v: unknown, path = 'error'): RunError {
  const o = obj(v, path);
  return {
    kind: oneOf(o.kind, path, 'kind', ERROR_KINDS),
    message: str(o.message, path, 'message'),
    stack: nullable(o.stack, path, 'stack', str),
    location: nullable(o.location, path, 'location', validateLocation),
  };
}

const NOTICE_KINDS: readonly RunNoticeKind[] = ['graph-too-large', 'compiled'];

export function validateRunNotice(v: unknown, path = 'notice'): RunNotice {
  const o = obj(v, path);
  return {
    kind: oneOf(o.kind, path, 'kind', NOTICE_KINDS),
    message: str(o.message, path, 'message'),
  };
}

function validateRuntime(v: unknown, path: string): RuntimeInfo {
  const o = obj(v, path);
  return {
    language: oneOf(o.language, path, 'language', ['node', 'python'] as const),
    version: str(o.version, path, 'version'),
    torch: nullable(o.torch, path, 'torch', str),
    missing: each(o.missing, path, 'missing', str),
  };
}

/** Validates a message received from the runner child; throws ProtocolError if malformed. */
export function validateChildMessage(v: unknown): ChildMessage {
  const o = obj(v, 'message');
  const type = str(o.type, 'message.type') as ChildMessage['type'];
  switch (type) {
    case 'hello':
      return {
        type,
        protocol: int(o.protocol, 'message.protocol'),
        pid: int(o.pid, 'message.pid'),
        runtime: validateRuntime(o.runtime, 'message.runtime'),
      };
    case 'graph/snapshot':
      return { type, snapshot: validateSnapshot(o.snapshot, 'message.snapshot') };
    case 'train/metrics': {
      const metrics =
        o.columns === undefined
          ? each(o.metrics, 'message', 'metrics', validateMetric)
          : validateMetricColumns(o.columns, 'message.columns');
      if (o.stride === undefined) return { type, metrics };
      const stride = int(o.stride, 'message.stride');
      if (stride < 1) throw new ProtocolError('message.stride', 'expected at least 1');
      return { type, metrics, stride };
    }
    case 'run/error':
      return { type, error: validateRunError(o.error, 'message.error') };
    case 'run/notice':
      return { type, notice: validateRunNotice(o.notice, 'message.notice') };
    case 'run/done':
      return {
        type,
        backwardCount: int(o.backwardCount, 'message.backwardCount'),
        durationMs: num(o.durationMs, 'message.durationMs'),
        ...(o.capturePoints === undefined
          ? {}
          : { capturePoints: each(o.capturePoints, 'message', 'capturePoints', validateReport) }),
      };
    case 'run/paused':
    case 'run/resumed':
      return { type };
    default:
      assertUnknownType(type);
  }
}

function validateReport(v: unknown, path: string): CapturePointReport {
  const o = obj(v, path);
  return {
    file: str(o.file, path, 'file'),
    line: int(o.line, path, 'line'),
    reached: int(o.reached, path, 'reached'),
    note: nullable(o.note, path, 'note', str),
  };
}

function validateCapturePoints(v: unknown, path: string, key: Key): CapturePoints {
  const o = obj(v, path, key);
  const p = at(path, key);
  const points = each(o.points, p, 'points', (x, q) => {
    const c = obj(x, q);
    return {
      file: str(c.file, q, 'file'),
      line: int(c.line, q, 'line'),
      condition: nullable(c.condition, q, 'condition', str),
    };
  });
  const maxHits = int(o.maxHits, p, 'maxHits');
  if (maxHits < 1) throw new ProtocolError(`${p}.maxHits`, 'expected at least 1');
  return { points, maxHits };
}

const FLOW_POLICIES: readonly FlowPolicy[] = ['auto', 'always', 'never'];

function validateRunOptions(v: unknown, path: string): RunOptions {
  const o = obj(v, path);
  const captureAt =
    o.captureAt === 'last' || o.captureAt === 'all'
      ? o.captureAt
      : int(o.captureAt, path, 'captureAt');
  return {
    script: str(o.script, path, 'script'),
    cwd: str(o.cwd, path, 'cwd'),
    captureAt,
    maxNodes: int(o.maxNodes, path, 'maxNodes'),
    savedTensors: bool(o.savedTensors, path, 'savedTensors'),
    flow: oneOf(o.flow, path, 'flow', FLOW_POLICIES),
    stopAfter: nullable(o.stopAfter, path, 'stopAfter', (x, p, k) => {
      const s = obj(x, p, k);
      const q = at(p, k);
      const stop = { file: str(s.file, q, 'file'), line: int(s.line, q, 'line') };
      return s.cell === undefined ? stop : { ...stop, cell: cellIndex(s.cell, q, 'cell') };
    }),
    args: each(o.args, path, 'args', str),
    ...(o.cells === undefined ? {} : { cells: each(o.cells, path, 'cells', validateCell) }),
    ...(o.capturePoints === undefined
      ? {}
      : { capturePoints: validateCapturePoints(o.capturePoints, path, 'capturePoints') }),
    ...(o.bundleCache === undefined
      ? {}
      : { bundleCache: str(o.bundleCache, path, 'bundleCache') }),
  };
}

/** Validates a message received from the host; throws ProtocolError if malformed. */
export function validateHostMessage(v: unknown): HostMessage {
  const o = obj(v, 'message');
  const type = str(o.type, 'message.type') as HostMessage['type'];
  switch (type) {
    case 'run/start':
      return {
        type,
        protocol: int(o.protocol, 'message.protocol'),
        options: validateRunOptions(o.options, 'message.options'),
      };
    case 'run/prepare':
      return {
        type,
        script: str(o.script, 'message.script'),
        bundleCache: str(o.bundleCache, 'message.bundleCache'),
      };
    case 'capture/request':
    case 'run/pause':
    case 'run/resume':
      return { type };
    default:
      assertUnknownType(type);
  }
}

// A `type` string from the wire is only claimed to be a known tag; this reports the real value.
function assertUnknownType(type: never): never {
  throw new ProtocolError('message.type', `unknown message type ${JSON.stringify(type)}`);
}
