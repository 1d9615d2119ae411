// "Check with finite differences" (`gradlens run script --gradcheck`, and the graph view's
// check through src/extension/gradcheck.ts): the leaves' gradients of the first backward()
// against central differences, for the whole graph or for the leaves below one node.
// TypeScript scripts: the gradients the run recorded, against reruns of the script in float64
// with one leaf element moved by +h and by -h (src/runner/gradcheck-child.ts), two runs per
// element checked; each custom autograd.Function is also checked on its own, its backward
// against differences of its forward on the inputs it was given. Python scripts:
// python/gradlens/gradcheck.py does the whole check in one process (a float64 rerun,
// torch.autograd.gradcheck style) and reports the same result.
// Reruns are whole runs of the script, so at most MAX_ELEMENTS elements are checked, and the
// script must compute the same thing each time (seeded randomness).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  agrees,
  unavailable,
  validateGradcheck,
  type GradcheckNode,
  type GradcheckResult,
} from '../protocol/gradcheck';
import { digits, onlyFirstBackward } from '../explain/gradcheck-text';
import { decodeNum, encodeNum, type GraphNode, type GraphSnapshot } from '../protocol/messages';
import { killTree, languageOf, pythonCommand } from '../runner/child-process';
import { launchRunner, type LaunchOptions } from '../runner/launch';
import {
  GRADCHECK_ENV,
  GRADCHECK_MARK,
  type GradcheckReport,
  type GradcheckRequest,
  type LocalCheck,
} from '../runner/gradcheck-child';

/** Leaf elements checked at most, over all leaves (each costs two runs of the script). */
export const MAX_ELEMENTS = 16;
const H = 1e-6;
const RTOL = 1e-3;

/** What a rerun takes from the run that made the graph, and the user's Cancel. */
export type RunOf = Pick<
  LaunchOptions,
  'script' | 'cwd' | 'args' | 'timeoutMs' | 'maxMemoryMb' | 'python'
> & { signal?: AbortSignal };

const CANCELLED = 'the check was cancelled';

/**
 * Checks the leaves of `snapshot` (backward() #1 of the run) below node `scope` (all of them
 * when null), and the custom Functions there on their own. Never throws: a check that cannot be done is an `unavailable` result saying why.
 */
export async function checkGradients(
  snapshot: GraphSnapshot,
  run: RunOf,
  scope: string | null = null,
): Promise<GradcheckResult> {
  const no = (why: string): GradcheckResult => unavailable(snapshot.index, scope, why);
  if (snapshot.index !== 1)
    return no(onlyFirstBackward(snapshot.index, 'run with --at 1 (or show backward() #1)'));
  if (scope !== null && !snapshot.nodes.some((n) => n.id === scope))
    return no(`node ${scope} is not in this graph`);
  try {
    return languageOf(run.script) === 'python'
      ? await checkPython(run, scope)
      : await checkScript(snapshot, run, scope);
  } catch (e) {
    return no(run.signal?.aborted === true ? CANCELLED : (e as Error).message);
  }
}

async function checkScript(
  snapshot: GraphSnapshot,
  run: RunOf,
  scope: string | null,
): Promise<GradcheckResult> {
  const no = (why: string): GradcheckResult => unavailable(1, scope, why);
  const leaves = snapshot.nodes.filter((n) => n.kind === 'leaf');
  const below = nodesBelow(snapshot, scope);
  const base = await rerun(run, { at: 1, leaf: -1, index: 0, delta: 0 });
  if (base.loss === null)
    return no('backward() #1 was called on a tensor of more than one element');
  if (base.leaves.length !== leaves.length || base.leaves.includes(-1))
    return no(
      'the rerun did not reach the same leaves: does the script compute the same each time?',
    );
  const byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
  const picks = elementsToCheck(leaves, byId, below);
  const locals = base.locals.filter((l) => below.has(l.node));
  if (picks.length === 0 && locals.length === 0)
    return no(
      'no leaf below this node has an exact recorded gradient (large tensors are summarised), and no custom Function lies below it',
    );
  const checked = new Map<GraphNode, { name: string; of: number; rows: Row[] }>();
  for (const p of picks) {
    const leaf = base.leaves[p.leaf];
    const up = await rerun(run, { at: 1, leaf, index: p.index, delta: H });
    const down = await rerun(run, { at: 1, leaf, index: p.index, delta: -H });
    if (up.loss === null || down.loss === null) return no('a rerun gave no output value');
    const c = checked.get(p.node) ?? { name: p.name, of: p.of, rows: [] };
    c.rows.push([p.label, p.recorded, (up.loss - down.loss) / (2 * H)]);
    checked.set(p.node, c);
  }
  return summarise({
    backward: 1,
    scope,
    outcome: 'agree',
    message: '',
    dtype: base.dtype,
    eps: H,
    rtol: RTOL,
    runs: 1 + 2 * picks.length,
    nodes: [
      ...[...checked].map(([leaf, c]) => nodeResult(leaf.id, c.name, 'leaf', c.rows, c.of)),
      ...locals.map((l) => nodeResult(l.node, l.name, 'local', l.rows, l.skipped + l.rows.length)),
    ],
  });
}

/** A checked element: its label, analytic and numeric values. */
type Row = [string, number, number];

/** One checked node's result from its rows, out of `of` elements. */
function nodeResult(
  node: string,
  name: string,
  how: GradcheckNode['how'],
  rows: Row[],
  of: number,
): GradcheckNode {
  const scale = Math.max(1, ...rows.map(([, , n]) => Math.abs(n)));
  const elements = rows.map(([label, a, n]) => ({
    label,
    analytic: encodeNum(a),
    numeric: encodeNum(n),
    agree: agrees(a, n, RTOL, scale),
  }));
  const abs = rows.map(([, a, n]) => Math.abs(a - n));
  const rel = rows.map(([, , n], i) => abs[i] / Math.max(Math.abs(n), 1e-12));
  return {
    node,
    name,
    how,
    elements,
    skipped: of - rows.length,
    maxAbsError: encodeNum(Math.max(0, ...abs)),
    maxRelError: encodeNum(Math.max(0, ...rel)),
    agree: elements.every((e) => e.agree),
  };
}

/** Fills in the outcome and the message from the nodes' verdicts. */
function summarise(r: GradcheckResult): GradcheckResult {
  const elements = r.nodes.flatMap((n) => n.elements);
  const bad = elements.filter((e) => !e.agree).length;
  const skipped = r.nodes.reduce((s, n) => s + n.skipped, 0);
  const left =
    skipped > 0
      ? ` (${String(skipped)} more left unchecked: the check takes ${String(MAX_ELEMENTS)} leaf elements at most)`
      : '';
  return {
    ...r,
    outcome: bad > 0 ? 'disagree' : 'agree',
    message:
      bad === 0
        ? `all ${String(elements.length)} checked gradients agree${left}`
        : `${String(bad)} of ${String(elements.length)} checked gradients disagree${left}`,
  };
}

/** The ids of the nodes whose gradient passes through node `scope` (all when null). */
function nodesBelow(snapshot: GraphSnapshot, scope: string | null): Set<string> {
  if (scope === null) return new Set(snapshot.nodes.map((n) => n.id));
  const byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
  const start = byId.get(scope);
  if (start?.kind === 'leaf') return new Set([scope]);
  const seen = new Set<string>();
  const todo = [start?.kind === 'output' ? start.attachedTo : scope];
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    if (id === null || seen.has(id)) continue;
    seen.add(id);
    for (const e of byId.get(id)?.next ?? []) if (e !== null) todo.push(e.id);
  }
  // A leaf hangs on its AccumulateGrad.
  for (const n of snapshot.nodes)
    if (n.kind === 'leaf' && n.attachedTo !== null && seen.has(n.attachedTo)) seen.add(n.id);
  return seen;
}

interface Element {
  node: GraphNode;
  name: string;
  /** Position of the leaf among the snapshot's leaves. */
  leaf: number;
  index: number;
  label: string;
  recorded: number;
  /** The leaf's element count. */
  of: number;
}

/** Up to MAX_ELEMENTS elements of the wanted leaves, shared out, whose recorded gradient is exact. */
function elementsToCheck(
  leaves: GraphNode[],
  byId: Map<string, GraphNode>,
  wanted: Set<string>,
): Element[] {
  const count = leaves.filter((l) => wanted.has(l.id)).length;
  const each = Math.max(1, Math.floor(MAX_ELEMENTS / Math.max(1, count)));
  const picks: Element[] = [];
  leaves.forEach((leaf, k) => {
    if (!wanted.has(leaf.id)) return;
    const acc = leaf.attachedTo === null ? undefined : byId.get(leaf.attachedTo);
    // This backward's own gradient (what reached AccumulateGrad), else the leaf's .grad.
    const grad = acc?.flow?.gradOutputs[0] ?? leaf.grad;
    const values = grad?.values;
    if (grad === null || values === undefined) return;
    const name = leaf.name === '' ? `leaf ${String(k + 1)}` : leaf.name;
    for (let i = 0; i < Math.min(each, values.length) && picks.length < MAX_ELEMENTS; i++)
      picks.push({
        node: leaf,
        name,
        leaf: k,
        index: i,
        label: elementLabel(name, grad.shape, i),
        recorded: decodeNum(values[i]),
        of: grad.shape.reduce((a, b) => a * b, 1),
      });
  });
  return picks;
}

/** `w[1, 2]` for the flat index 6 of a 4-wide matrix; the bare name for a scalar. */
function elementLabel(name: string, shape: readonly number[], flat: number): string {
  if (shape.length === 0) return name;
  const at: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    at.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return `${name}[${at.join(', ')}]`;
}

/** One rerun of the script as `req` says; its report, read field by field. */
async function rerun({ signal, ...run }: RunOf, req: GradcheckRequest): Promise<GradcheckReport> {
  signal?.throwIfAborted();
  let out = '';
  // The child takes its environment from this process's when it is made (synchronously, in
  // launchRunner): the request is there for that moment only, so no other run sees it.
  process.env[GRADCHECK_ENV] = JSON.stringify(req);
  let handle;
  try {
    handle = launchRunner(
      { ...run, flow: 'never' },
      {
        onStdout: (t) => {
          out += t;
        },
      },
    );
  } finally {
    Reflect.deleteProperty(process.env, GRADCHECK_ENV);
  }
  const cancel = (): void => handle.cancel();
  signal?.addEventListener('abort', cancel);
  const result = await handle.done.finally(() => signal?.removeEventListener('abort', cancel));
  signal?.throwIfAborted();
  const line = out.split('\n').find((l) => l.startsWith(GRADCHECK_MARK));
  if (line === undefined) {
    const error = result.errors.at(0);
    throw new Error(
      error === undefined
        ? 'the rerun of the script ended before its backward()'
        : `the rerun of the script failed: ${error.message}`,
    );
  }
  return validateReport(JSON.parse(line.slice(GRADCHECK_MARK.length)));
}

function validateReport(v: unknown): GradcheckReport {
  const o = v as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) throw new Error('gradcheck report: not an object');
  const { loss, dtype, leaves, locals } = o;
  if (loss !== null && typeof loss !== 'number')
    throw new Error('gradcheck report.loss: not a number');
  if (typeof dtype !== 'string') throw new Error('gradcheck report.dtype: not a string');
  if (!Array.isArray(leaves) || !leaves.every((x) => Number.isInteger(x)))
    throw new Error('gradcheck report.leaves: not a list of integers');
  if (!Array.isArray(locals)) throw new Error('gradcheck report.locals: not a list');
  return { loss, dtype, leaves: leaves as number[], locals: locals.map(validateLocal) };
}

function validateLocal(v: unknown, i: number): LocalCheck {
  const o = v as Record<string, unknown> | null;
  const where = `gradcheck report.locals[${String(i)}]`;
  if (typeof o !== 'object' || o === null) throw new Error(`${where}: not an object`);
  const { node, name, rows, skipped } = o;
  if (typeof node !== 'string' || typeof name !== 'string')
    throw new Error(`${where}: node and name must be strings`);
  if (typeof skipped !== 'number' || !Number.isInteger(skipped) || skipped < 0)
    throw new Error(`${where}.skipped: not a count`);
  const isRow = (r: unknown): boolean =>
    Array.isArray(r) &&
    r.length === 3 &&
    typeof r[0] === 'string' &&
    typeof r[1] === 'number' &&
    typeof r[2] === 'number';
  if (!Array.isArray(rows) || !rows.every(isRow)) throw new Error(`${where}.rows: not rows`);
  return { node, name, rows: rows as LocalCheck['rows'], skipped };
}

/**
 * The Python check: `python -m gradlens.gradcheck` reruns the script in float64 and prints its
 * result on one stdout line after GRADCHECK_MARK (the script's own output around it).
 */
async function checkPython(run: RunOf, scope: string | null): Promise<GradcheckResult> {
  run.signal?.throwIfAborted();
  const cmd = pythonCommand(run.python ?? 'python3');
  const cwd = path.resolve(run.cwd ?? path.dirname(run.script));
  const request = {
    script: path.resolve(cwd, run.script),
    args: run.args ?? [],
    at: 1,
    scope,
    maxElements: MAX_ELEMENTS,
  };
  const child = spawn(cmd.command, ['-m', 'gradlens.gradcheck'], {
    cwd,
    env: { ...cmd.env, [GRADCHECK_ENV]: JSON.stringify(request) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-4000)));
  const kill = (): void => killTree(child);
  const timer = run.timeoutMs === undefined ? undefined : setTimeout(kill, run.timeoutMs);
  run.signal?.addEventListener('abort', kill);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).finally(() => {
    clearTimeout(timer);
    run.signal?.removeEventListener('abort', kill);
  });
  run.signal?.throwIfAborted();
  const line = out.split('\n').find((l) => l.startsWith(GRADCHECK_MARK));
  if (line === undefined)
    throw new Error(
      `the Python check ended without a result (exit code ${String(code)})${err.trim() === '' ? '' : `: ${err.trim().split('\n').slice(-3).join(' ')}`}`,
    );
  return validateGradcheck(JSON.parse(line.slice(GRADCHECK_MARK.length)));
}

/** The result as `gradlens run --gradcheck` prints it. */
export function gradcheckLines(r: GradcheckResult): string[] {
  if (r.outcome === 'unavailable') return [`gradcheck: ${r.message}`];
  const lines = [
    `gradcheck of backward() #${String(r.backward)}: gradients vs central differences in ${r.dtype} (h = ${String(r.eps)}), ${String(r.runs)} runs of the script`,
  ];
  for (const n of r.nodes) {
    if (n.how === 'local') lines.push(`  ${n.name} (its own function, on its recorded inputs):`);
    for (const e of n.elements)
      lines.push(
        `  ${n.how === 'local' ? '  ' : ''}${e.label}: analytic ${digits(decodeNum(e.analytic))}, numerical ${digits(decodeNum(e.numeric))}, ${e.agree ? 'ok' : 'DISAGREE'}`,
      );
  }
  lines.push(r.message);
  if (r.dtype !== 'float64')
    lines.push('note: the output stayed float32 in the rerun, so the differences are coarse');
  return lines;
}
