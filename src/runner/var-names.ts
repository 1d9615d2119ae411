// Variable names for intermediate tensors, as agtree2dot's labels dict gives them: the node
// that produced a tensor the source assigned (`const Q = a.pow(3).sub(b)`) or passed by name
// (`Q.pow(2)`) is named after that variable. A name stands for one tensor, as a variable
// holds one at a time: when several nodes claim a name (`h = h.mul(w)` in a loop, or
// `y = y.add(1)` after `y = x.mul(2)`), the one created last has it, as frame locals at
// capture time would say.
import type * as torch from '../engine/index';
import type { SourceLocation } from '../protocol/messages';
import { asName, callOperands, engineNamespaces, sourceLines } from './names';

type Node = torch.autograd.Node;

/** What `nameIntermediates` needs of each function node of a capture. */
export interface Candidate {
  node: Node;
  /** Where the node was created (V8's column points at the called function). */
  loc: SourceLocation | null;
  /** The node that first consumed this one's output, with its slot and location. */
  consumer: { node: Node; slot: number; loc: SourceLocation | null } | null;
}

/** Names by node, one node per name: the latest created of those that claim it. */
export function nameIntermediates(candidates: Candidate[]): Map<Node, string> {
  const holder = new Map<string, Node>();
  // A loop's nodes share their few source locations: each is read once.
  const read = new Map<string, string | null>();
  const once = (key: string, f: () => string | null): string | null => {
    if (!read.has(key)) read.set(key, f());
    return read.get(key) ?? null;
  };
  for (const c of candidates) {
    const { loc, consumer: via } = c;
    const at = loc === null ? null : where(loc);
    const passedAt = via?.loc == null ? null : where(via.loc);
    const name =
      (loc === null ? null : once(`=${at}`, () => assignedName(loc))) ??
      // Made and used by one call (`model(x)`, a composite op): passed inside it, not by the source.
      (passedAt === null || passedAt === at
        ? null
        : once(`${passedAt}#${String(via?.slot)}`, () => passedName(c)));
    if (name === null) continue;
    const held = holder.get(name);
    if (held === undefined || held.sequenceNr < c.node.sequenceNr) holder.set(name, c.node);
  }
  return new Map([...holder].map(([name, node]) => [node, name]));
}

function where(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/** The name a consumer's call passed this node's output by (`Q` in `Q.pow(2)`). */
function passedName(c: Candidate): string | null {
  const via = c.consumer;
  if (via === null || via.loc === null) return null;
  const ops = callOperands(via.loc, engineNamespaces(via.loc.file));
  // Numbers passed alongside take no nextFunctions slot: trust only an exact count.
  if (ops === null || ops.length !== via.node._edgeCount) return null;
  return plain(asName(ops[via.slot]));
}

/** `name =` or `const name: Type =`, at the start of a statement (also after `for (…)`). */
const ASSIGNMENT =
  /(?:^|[;{}()]|\b(?:const|let|var)\b)\s*((?:this\.)?[A-Za-z_$][\w$]*)\s*(?::\s*[\w$.<>[\], |]+?\s*)?=(?![=>])\s*/g;
/** `[a, b] =`, `const { weight, bias }: T =`: a destructuring pattern of names. */
const DESTRUCTURING =
  /(?:^|[;{}()]|\b(?:const|let|var)\b)\s*([[{][\w$\s,:.]*[\]}])\s*(?::\s*[\w$.<>[\], |]+?\s*)?=(?![=>])\s*/g;

/**
 * The variable a statement assigns when the call at `loc` is the outermost one of its right
 * side, i.e. the call whose result is assigned (`sub` in `Q = a.pow(3).sub(b.mul(3))`), or
 * of one element of an array or object literal that a pattern destructures (`w` for the
 * first call of `const [w, b] = [torch.randn(3), torch.randn(3)]`), as Python's tuple
 * unpacking leaves each value in its own variable.
 * A chain continued on following lines (`.add(b)`) or started on earlier ones is read whole.
 */
export function assignedName(loc: SourceLocation): string | null {
  const lines = sourceLines(loc.file);
  if (lines === null || loc.line < 1 || loc.line > lines.length) return null;
  let first = loc.line - 1;
  while (first > 0 && continues(lines[first - 1], lines[first])) first--;
  let last = loc.line - 1;
  while (last + 1 < lines.length && /^\s*\./.test(lines[last + 1])) last++;
  const before = lines.slice(first, loc.line - 1).join('\n');
  const text = lines.slice(first, last + 1).join('\n');
  const at = (first < loc.line - 1 ? before.length + 1 : 0) + loc.column - 1;
  // The last assignment before the call is the one its statement makes.
  const lastBefore = (re: RegExp): RegExpExecArray | null => {
    let m: RegExpExecArray | null = null;
    for (const a of text.matchAll(re)) if (a.index + a[0].length <= at) m = a;
    return m;
  };
  const m = lastBefore(ASSIGNMENT);
  const d = lastBefore(DESTRUCTURING);
  if (d !== null && (m === null || d.index > m.index))
    return destructuredName(text, d[1], d.index + d[0].length, at);
  if (m === null) return null;
  return outermostCall(text, m.index + m[0].length) === at ? plain(m[1]) : null;
}

/**
 * The name `pattern` gives the element of the literal at `start` whose outermost call is at
 * `at`: by position for an array (`[w, b] = [...]`), by key for an object
 * (`{ weight, bias: b } = { weight: ..., bias: ... }`). Null for any other right side.
 */
function destructuredName(text: string, pattern: string, start: number, at: number): string | null {
  const open = text[start];
  if (open !== '[' && open !== '{') return null;
  const names = patternNames(pattern);
  const entries = listEntries(text, start);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (at < e.start || at >= e.end) continue;
    if (open === '[') return outermostCall(text, e.start) === at ? (names.get(i) ?? null) : null;
    const key = /^\s*['"]?([\w$]+)['"]?\s*:/.exec(text.slice(e.start, e.end));
    if (key === null) return null;
    return outermostCall(text, e.start + key[0].length) === at ? (names.get(key[1]) ?? null) : null;
  }
  return null;
}

/** A flat pattern's variables: by position for `[a, , b]`, by key for `{ a, b: c }`. */
function patternNames(pattern: string): Map<number | string, string> {
  const out = new Map<number | string, string>();
  const inner = pattern.slice(1, -1);
  if (/[[\]{}]/.test(inner)) return out; // nested patterns are not read
  inner.split(',').forEach((part, i) => {
    const [key, name = key] = part.split(':').map((x) => x.trim());
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) return;
    out.set(pattern.startsWith('[') ? i : key, name);
  });
  return out;
}

/** The comma-separated entries of the bracketed list opening at `start`, as offsets. */
function listEntries(text: string, start: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let depth = 0;
  let from = start + 1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (--depth === 0) {
        out.push({ start: from, end: i });
        return out;
      }
    } else if (c === ',' && depth === 1) {
      out.push({ start: from, end: i });
      from = i + 1;
    }
  }
  return out;
}

/** Whether `next` continues the statement on `prev` (a chain or an unfinished right side). */
function continues(prev: string, next: string): boolean {
  return /^\s*\./.test(next) || /[=(,[{]\s*$/.test(prev);
}

/**
 * The offset of the last call at bracket depth 0 from `start`, the outermost one of a chain;
 * null for a function expression (its body's calls are not what is assigned).
 */
function outermostCall(text: string, start: number): number | null {
  let depth = 0;
  let found: number | null = null;
  const re = /[A-Za-z_$][\w$]*\s*(?=\()|=>|[()[\]{};,]/g;
  re.lastIndex = start;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const s = m[0];
    if (s === '=>' || s.trim() === 'function') return null;
    if (s === '(' || s === '[' || s === '{') depth++;
    else if (s === ')' || s === ']' || s === '}') depth--;
    else if (s === ';' || s === ',') {
      // The end of the statement, or of the literal's element being read.
      if (depth === 0) break;
    } else if (depth === 0) found = m.index;
    if (depth < 0) break;
  }
  return found;
}

/** `this.h` is shown as `h`, as leaf names are. */
function plain(name: string | null): string | null {
  return name === null ? null : name.replace(/^this\./, '');
}
