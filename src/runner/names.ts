// Variable names for leaves, read from the user's source the way agtree2dot reads a
// frame's locals: the node that consumed a leaf was created at file:line:col, and V8's
// column points at the called method, so the receiver before `.method(` and the arguments
// inside its parentheses are the expressions that were passed in.
import { readFileSync } from 'node:fs';
import type { SourceLocation } from '../protocol/messages';

const files = new Map<string, string[] | null>();

export function sourceLines(file: string): string[] | null {
  let lines = files.get(file);
  if (lines === undefined) {
    try {
      lines = readFileSync(file, 'utf8').split(/\r?\n/);
    } catch {
      lines = null;
    }
    files.set(file, lines);
  }
  return lines;
}

const IDENT = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/** Splits the text after `(` at top-level commas up to the matching `)`. */
function callArgs(text: string): string[] | null {
  const args: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) {
        args.push(cur.trim());
        return args;
      }
      depth--;
    }
    if (ch === ',' && depth === 0) {
      args.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  return null;
}

/**
 * The source expressions of the tensors passed to the call at `loc`: the receiver (when the
 * call is a method on a tensor) followed by the arguments. Namespaces such as `torch.` are
 * not receivers. Null when the line cannot be read that way.
 */
export function callOperands(
  loc: SourceLocation,
  namespaces: ReadonlySet<string>,
): string[] | null {
  const line = sourceLines(loc.file)?.[loc.line - 1];
  if (line === undefined) return null;
  const at = loc.column - 1;
  const m = /^([A-Za-z_$][\w$]*)\s*\(/.exec(line.slice(at));
  if (m === null) return null;
  const args = callArgs(line.slice(at + m[0].length));
  if (args === null) return null;
  const before = line.slice(0, at);
  const operands = args.filter((a) => a !== '');
  if (!/\.\s*$/.test(before)) return operands;
  // A method call: its receiver is the first operand, unless it is the engine namespace
  // (`torch.add(a, b)`, `torch.nn.functional.relu(x)`). A receiver that is itself an
  // expression (`x.mul(w).add(b)`) keeps its place without a name.
  const recv = /([A-Za-z_$][\w$.]*)\s*\.\s*$/.exec(before);
  if (recv === null) operands.unshift('<expr>');
  else if (!namespaces.has(recv[1].split('.')[0])) operands.unshift(recv[1]);
  return operands;
}

/** A plain variable (or member) name, or null for any other expression. */
export function asName(expr: string | undefined): string | null {
  if (expr === undefined) return null;
  const e = expr.replace(/!$/, '');
  return IDENT.test(e) && !/^\d/.test(e) ? e : null;
}

/** Names the `gradlens` import is bound to in a file (`import * as torch from 'gradlens'`). */
export function engineNamespaces(file: string): Set<string> {
  const text = sourceLines(file)?.join('\n') ?? '';
  const out = new Set<string>(['torch']);
  for (const m of text.matchAll(/import\s+\*\s+as\s+([A-Za-z_$][\w$]*)\s+from\s+['"]gradlens['"]/g))
    out.add(m[1]);
  for (const m of text.matchAll(
    /(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*['"]gradlens['"]\s*\)/g,
  ))
    out.add(m[1]);
  return out;
}
