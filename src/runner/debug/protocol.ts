// What the inspection API inside a paused debuggee answers, as JSON text through the debug
// adapter's `evaluate`. Shared by the debuggee (which builds it) and the extension host (which
// validates it before trusting it); neither side imports `vscode`.
import {
  ProtocolError,
  validateSnapshot,
  validateTensorSummary,
  type GraphSnapshot,
  type TensorSummary,
} from '../../protocol/messages';

/** The global the debug preload installs in the debuggee. */
export const INSPECT_GLOBAL = '__gradlens';

/** Bumped on any incompatible change to the shapes below. */
export const INSPECT_VERSION = 1;

/** One tensor reachable from a variable in scope, summarised in the paused process. */
export interface InspectedTensor {
  /** The expression it was found under: `w`, `model.fc1.weight`, `xs[2]`. */
  name: string;
  /** Stable across stops for the same tensor object (`t3`), so the host can tell what changed. */
  id: string;
  value: TensorSummary;
  grad: TensorSummary | null;
  /** PyTorch's name of its gradFn (`MulBackward0`), null for leaves. */
  gradFn: string | null;
  isLeaf: boolean;
  requiresGrad: boolean;
  retainsGrad: boolean;
  /** The in-place version counter. */
  version: number;
  /** The graph node this tensor stands for in `graph` (its output or leaf node), if any. */
  nodeId: string | null;
}

export interface Inspection {
  version: typeof INSPECT_VERSION;
  tensors: InspectedTensor[];
  /** Everything reachable backwards from the tensors in scope; null when none has history. */
  graph: GraphSnapshot | null;
  /** Set when a limit (tensors or graph nodes) cut the answer short. */
  truncated: boolean;
}

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ProtocolError(path, 'expected an object');
  return v as Obj;
}

interface FieldKinds {
  string: string;
  number: number;
  boolean: boolean;
}

function field<K extends keyof FieldKinds>(
  o: Obj,
  key: string,
  path: string,
  kind: K,
): FieldKinds[K] {
  if (typeof o[key] !== kind) throw new ProtocolError(`${path}.${key}`, `expected a ${kind}`);
  return o[key] as FieldKinds[K];
}

function nullableString(o: Obj, key: string, path: string): string | null {
  return o[key] === null ? null : field(o, key, path, 'string');
}

/** Parses and checks the debuggee's answer; throws ProtocolError naming the bad field. */
export function parseInspection(text: string): Inspection {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError(
      'inspection',
      `not JSON (${(e as Error).message}): ${text.slice(0, 120)}`,
    );
  }
  const o = obj(raw, 'inspection');
  if (o.version !== INSPECT_VERSION)
    throw new ProtocolError(
      'inspection.version',
      `expected ${INSPECT_VERSION}, got ${JSON.stringify(o.version)}`,
    );
  if (!Array.isArray(o.tensors)) throw new ProtocolError('inspection.tensors', 'expected an array');
  const tensors = o.tensors.map((t, i): InspectedTensor => {
    const p = `inspection.tensors[${i}]`;
    const x = obj(t, p);
    return {
      name: field(x, 'name', p, 'string'),
      id: field(x, 'id', p, 'string'),
      value: validateTensorSummary(x.value, `${p}.value`),
      grad: x.grad === null ? null : validateTensorSummary(x.grad, `${p}.grad`),
      gradFn: nullableString(x, 'gradFn', p),
      isLeaf: field(x, 'isLeaf', p, 'boolean'),
      requiresGrad: field(x, 'requiresGrad', p, 'boolean'),
      retainsGrad: field(x, 'retainsGrad', p, 'boolean'),
      version: field(x, 'version', p, 'number'),
      nodeId: nullableString(x, 'nodeId', p),
    };
  });
  return {
    version: INSPECT_VERSION,
    tensors,
    graph: o.graph === null ? null : validateSnapshot(o.graph, 'inspection.graph'),
    truncated: field(o, 'truncated', 'inspection', 'boolean'),
  };
}
