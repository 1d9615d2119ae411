// How graph nodes print: as Python's repr of a PyTorch node, `<MulBackward0 object at 0x…>`,
// and `nextFunctions` as Python's tuple of pairs, `((<PowBackward0 object at 0x…>, 0), (None, 0))`.
// The details (saved tensors, hooks, metadata) print only when asked for: `node.inspect()`,
// or `util.inspect(node, { depth })` with more depth than console.log's default.
import type { AccumulateGrad, Edge, Node } from '../autograd/node';

/** The depth console.log inspects with; asking for more shows a node's details. */
const CONSOLE_DEPTH = 2;

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

// Addresses are made up, one per node, stable for its life, in the form Python shows.
const addresses = new WeakMap<Node, string>();
let addressCount = 0;

function address(node: Node): string {
  let a = addresses.get(node);
  if (a === undefined) {
    a = `0x${(0x7f3a5c2e1000 + 0x70 * addressCount++).toString(16)}`;
    addresses.set(node, a);
  }
  return a;
}

/**
 * Python's repr of a node. `module` prefixes the class name as Python does for classes
 * defined in Python (`torch.autograd.function.` for custom Functions).
 * @example nodeRepr(y.gradFn!); // '<MulBackward0 object at 0x7f3a5c2e1000>'
 */
export function nodeRepr(node: Node, module = ''): string {
  const name = node.name();
  // `torch::autograd::AccumulateGrad` is the name(); its Python class is `AccumulateGrad`.
  return `<${module}${name.slice(name.lastIndexOf(':') + 1)} object at ${address(node)}>`;
}

/** Python's text of a tuple: `()`, `(a,)`, `(a, b)`. */
function tupleText(items: string[]): string {
  return `(${items.join(', ')}${items.length === 1 ? ',' : ''})`;
}

/** What the tuples here hold: nodes, input numbers, and (for nextFunctions) the pairs. */
type TupleItem = Node | Edge | number | null;

function itemText(item: TupleItem): string {
  return item === null ? 'None' : String(item);
}

/**
 * An array that prints as a Python tuple under String and util.inspect. A subclass is about
 * as quick to make as a plain array, where defining properties on each array or setting its
 * prototype is many times slower. Its map, filter and slice give plain arrays (species as a
 * data property: a getter makes construction slow too).
 */
class PythonTuple<T extends TupleItem> extends Array<T> {
  static override readonly [Symbol.species] = Array;

  override toString(): string {
    return tupleText(Array.from(this, itemText));
  }

  [INSPECT](): string {
    return this.toString();
  }
}

/**
 * A node's `nextFunctions`: an array of `[node, inputNr]` pairs, each a PythonTuple, so it
 * prints as PyTorch's `((<PowBackward0 object at 0x…>, 0), (None, 0))`.
 */
export function nextFunctionsOf(node: Node): Edge[] {
  const n = node._edgeCount;
  const edges = new PythonTuple<Edge>(n);
  for (let i = 0; i < n; i++) {
    const edge = new PythonTuple<Node | null | number>(2);
    edge[0] = node._edge(i);
    edge[1] = node._edgeNr(i);
    edges[i] = edge as unknown as Edge;
  }
  return edges;
}

function detailText(value: unknown): string {
  if (Array.isArray(value) && value.toString === Array.prototype.toString) {
    return `[${value.map(detailText).join(', ')}]`;
  }
  if (typeof value === 'object' && value !== null && value.toString === Object.prototype.toString) {
    try {
      return JSON.stringify(value);
    } catch {
      return '{…}';
    }
  }
  return String(value);
}

function indentFollowingLines(text: string): string {
  return text.replace(/\n/g, '\n    ');
}

/**
 * A node's repr and what PyTorch exposes on it: name, nextFunctions, saved tensors, hooks,
 * metadata, and an AccumulateGrad's variable.
 */
export function nodeDetails(node: Node): string {
  const fields: Record<string, unknown> = {
    name: `'${node.name()}'`,
    sequenceNr: node.sequenceNr,
    nextFunctions: node.nextFunctions,
  };
  if ('variable' in node) fields.variable = (node as AccumulateGrad).variable;
  fields.savedTensors = node.savedTensors();
  fields.preHooks = node.preHooks?.length ?? 0;
  fields.postHooks = node.postHooks?.length ?? 0;
  if (node._metadata !== null) fields.metadata = node._metadata;
  const lines = Object.entries(fields).map(
    ([key, value]) => `  ${key}: ${indentFollowingLines(detailText(value))}`,
  );
  return `${String(node)} {\n${lines.join(',\n')}\n}`;
}

/**
 * What Node.js's util.inspect shows of a graph node: the one-line repr, or the details when
 * the caller asks for more depth than console.log's default.
 */
export function inspectNode(node: Node, depth: number | null): string {
  return depth === null || depth > CONSOLE_DEPTH ? nodeDetails(node) : String(node);
}
