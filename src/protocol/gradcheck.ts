// The result of "Check with finite differences" (a graph's gradients against central
// differences), as the TypeScript check (src/cli/gradcheck.ts) and the Python one
// (python/gradlens/gradcheck.py) both report it: in the graph view's messages, in a snapshot's
// `gradcheck` field of `gradlens run --gradcheck --graph x.json`, checked field by field.
import { ProtocolError, type Num } from './messages';

/** One element of a gradient: what autograd computed and what central differences give. */
export interface GradcheckElement {
  /** `w[0, 1]`, or the bare name for a scalar. */
  label: string;
  analytic: Num;
  numeric: Num;
  agree: boolean;
}

/** The checked elements of one node of the graph. */
export interface GradcheckNode {
  /** The snapshot's node id (the leaf, or the function node checked on its own function). */
  node: string;
  name: string;
  /**
   * `leaf`: d(output)/d(leaf element), from reruns of the script with the element moved.
   * `local`: the node's own function (a custom autograd Function) checked on its recorded
   * inputs: its backward against differences of its forward.
   */
  how: 'leaf' | 'local';
  elements: GradcheckElement[];
  /** Elements of the node left unchecked by the size limit. */
  skipped: number;
  maxAbsError: Num;
  maxRelError: Num;
  agree: boolean;
}

export interface GradcheckResult {
  /** The backward() call checked (1-based). */
  backward: number;
  /** The node the check was asked for (its leaves and itself), or null for the whole graph. */
  scope: string | null;
  /** `unavailable`: the check could not be done; `message` says why. */
  outcome: 'agree' | 'disagree' | 'unavailable';
  /** One line a person reads: what agreed, what did not, or why there is no check. */
  message: string;
  /** The dtype the output was computed in by the reruns (float64 unless the script forced float32). */
  dtype: string;
  /** The step of the central differences, and the relative tolerance of agreement. */
  eps: number;
  rtol: number;
  /** Runs of the script the check took. */
  runs: number;
  nodes: GradcheckNode[];
}

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ProtocolError(path, 'expected an object');
  return v as Obj;
}
function str(o: Obj, path: string, key: string): string {
  if (typeof o[key] !== 'string') throw new ProtocolError(`${path}.${key}`, 'expected a string');
  return o[key];
}
function bool(o: Obj, path: string, key: string): boolean {
  if (typeof o[key] !== 'boolean') throw new ProtocolError(`${path}.${key}`, 'expected a boolean');
  return o[key];
}
function count(o: Obj, path: string, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new ProtocolError(`${path}.${key}`, 'expected an integer >= 0');
  return v;
}
function positive(o: Obj, path: string, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
    throw new ProtocolError(`${path}.${key}`, 'expected a positive number');
  return v;
}
function num(o: Obj, path: string, key: string): Num {
  const v = o[key];
  if (
    (typeof v === 'number' && Number.isFinite(v)) ||
    v === 'NaN' ||
    v === 'Infinity' ||
    v === '-Infinity'
  )
    return v;
  throw new ProtocolError(`${path}.${key}`, 'expected a number');
}
function oneOf<T extends string>(o: Obj, path: string, key: string, options: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v))
    throw new ProtocolError(`${path}.${key}`, `expected one of ${options.join(', ')}`);
  return v as T;
}
function list<T>(o: Obj, path: string, key: string, check: (v: unknown, p: string) => T): T[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new ProtocolError(`${path}.${key}`, 'expected an array');
  return v.map((x, i) => check(x, `${path}.${key}[${String(i)}]`));
}

function validateElement(v: unknown, path: string): GradcheckElement {
  const o = obj(v, path);
  return {
    label: str(o, path, 'label'),
    analytic: num(o, path, 'analytic'),
    numeric: num(o, path, 'numeric'),
    agree: bool(o, path, 'agree'),
  };
}

function validateNode(v: unknown, path: string): GradcheckNode {
  const o = obj(v, path);
  return {
    node: str(o, path, 'node'),
    name: str(o, path, 'name'),
    how: oneOf(o, path, 'how', ['leaf', 'local'] as const),
    elements: list(o, path, 'elements', validateElement),
    skipped: count(o, path, 'skipped'),
    maxAbsError: num(o, path, 'maxAbsError'),
    maxRelError: num(o, path, 'maxRelError'),
    agree: bool(o, path, 'agree'),
  };
}

/** Checks a gradcheck result field by field; throws a ProtocolError naming the bad field. */
export function validateGradcheck(v: unknown, path = 'gradcheck'): GradcheckResult {
  const o = obj(v, path);
  if (o.scope !== null && typeof o.scope !== 'string')
    throw new ProtocolError(`${path}.scope`, 'expected a node id or null');
  const backward = count(o, path, 'backward');
  if (backward < 1) throw new ProtocolError(`${path}.backward`, 'expected at least 1');
  return {
    backward,
    scope: o.scope,
    outcome: oneOf(o, path, 'outcome', ['agree', 'disagree', 'unavailable'] as const),
    message: str(o, path, 'message'),
    dtype: str(o, path, 'dtype'),
    eps: positive(o, path, 'eps'),
    rtol: positive(o, path, 'rtol'),
    runs: count(o, path, 'runs'),
    nodes: list(o, path, 'nodes', validateNode),
  };
}

/**
 * Whether a gradient element agrees with its central difference: within `rtol` of the
 * numeric value, or of 1% of the largest numeric value checked (`scale`) where the value is
 * near zero, whose difference is mostly rounding. The Python check uses the same rule.
 */
export function agrees(analytic: number, numeric: number, rtol: number, scale: number): boolean {
  return Math.abs(numeric - analytic) <= rtol * Math.max(Math.abs(numeric), 1e-2 * scale);
}

/** A result that says why there is no check. */
export function unavailable(
  backward: number,
  scope: string | null,
  message: string,
): GradcheckResult {
  return {
    backward,
    scope,
    outcome: 'unavailable',
    message,
    dtype: '',
    eps: 1e-6,
    rtol: 1e-3,
    runs: 0,
    nodes: [],
  };
}
