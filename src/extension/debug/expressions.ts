// Expressions the host sends to the paused debuggee, and the expression under the mouse.
// Pure text work, no `vscode`, so it is unit-tested directly.
import { INSPECT_GLOBAL } from '../../runner/debug/protocol';

/** A variable of a scope as the debug adapter lists it (DAP `Variable`, the fields used here). */
export interface ScopeVariable {
  name: string;
  evaluateName?: string;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(['arguments', 'exports', 'module', 'require', '__filename', '__dirname']);

/**
 * The `evaluate` expression that inspects the given variables of the paused frame. Each
 * variable becomes a `[name, () => expr]` pair: arrows keep the frame's `this`, and a `let`
 * that is not yet initialised throws inside its own arrow, which the API skips.
 *
 * @example
 * inspectExpression([{ name: 'w' }]); // globalThis.__gradlens?.inspect([["w", () => w]]) ?? "null"
 */
export function inspectExpression(vars: readonly ScopeVariable[]): string {
  const seen = new Set<string>();
  const pairs: string[] = [];
  for (const v of vars) {
    const expr = v.evaluateName ?? v.name;
    if (seen.has(v.name) || RESERVED.has(v.name)) continue;
    if (!(IDENT.test(v.name) || v.name === 'this') || !(IDENT.test(expr) || expr === 'this'))
      continue;
    seen.add(v.name);
    pairs.push(`[${JSON.stringify(v.name)}, () => ${expr}]`);
  }
  // `?? "null"`: a session whose program is not ours answers null instead of throwing.
  return `globalThis.${INSPECT_GLOBAL}?.inspect([${pairs.join(', ')}]) ?? "null"`;
}

/**
 * The member expression ending at the word under `column` (0-based) on `line`, as VS Code's
 * own debug hover picks it: `model.fc1.weight` when the mouse is on `weight`, `model.fc1` on
 * `fc1`. Null off an identifier.
 */
export function expressionAt(
  line: string,
  column: number,
): { start: number; end: number; text: string } | null {
  const word = /[A-Za-z_$][\w$]*/g;
  let m: RegExpExecArray | null;
  while ((m = word.exec(line)) !== null) {
    const start = m.index;
    const end = start + m[0].length;
    if (column < start || column >= end) continue;
    let from = start;
    // Walk left over `.name` links (optional chaining and `!` included).
    for (;;) {
      const before = /[A-Za-z_$][\w$]*\s*[!?]?\.\s*$/.exec(line.slice(0, from));
      if (before === null) break;
      from = before.index;
    }
    if (/^\d/.test(line.slice(from))) return null;
    return { start: from, end, text: line.slice(from, end).replace(/\s+/g, '') };
  }
  return null;
}
