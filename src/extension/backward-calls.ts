// Finds the `.backward(` calls a CodeLens goes above, in TypeScript/JavaScript and Python.
// Text only (no parser): comments and strings are blanked first so a `.backward(` inside them
// is not taken for a call.
import { blankPythonCommentsAndStrings, importsTorch } from './python-source';

export interface BackwardCall {
  /** 1-based line and column of the `.` of `.backward(`. */
  readonly line: number;
  readonly column: number;
}

/** Whether the script imports the engine (only those get lenses). */
export function importsGradlens(text: string): boolean {
  return /\bfrom\s+['"]gradlens['"]|\brequire\(\s*['"]gradlens['"]\s*\)|\bimport\(\s*['"]gradlens['"]\s*\)/.test(
    text,
  );
}

/** Replaces comments and string contents by spaces, keeping every offset and newline. */
export function blankCommentsAndStrings(text: string): string {
  const out = text.split('');
  let i = 0;
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < text.length) {
    const c = text[i];
    const d = text[i + 1];
    if (c === '/' && d === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && d === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let k = i + 1;
      while (k < text.length && text[k] !== c) {
        if (text[k] === '\\') k++;
        else if (c !== '`' && text[k] === '\n') break;
        k++;
      }
      blank(i + 1, Math.min(k, text.length));
      i = k + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

/**
 * Every `.backward(` call of a script that imports gradlens (Python: torch), in source order;
 * none otherwise.
 *
 * @example
 * findBackwardCalls("import * as torch from 'gradlens';\nloss.backward();") // [{ line: 2, column: 5 }]
 * findBackwardCalls('import torch\nloss.backward()', 'python') // [{ line: 2, column: 5 }]
 */
export function findBackwardCalls(text: string, language = 'typescript'): BackwardCall[] {
  const python = language === 'python';
  if (python ? !importsTorch(text) : !importsGradlens(text)) return [];
  return backwardCallsIn(text, language);
}

/** Every `.backward(` call of `text`, whatever it imports (a notebook cell imports nothing itself). */
export function backwardCallsIn(text: string, language: string): BackwardCall[] {
  const code =
    language === 'python' ? blankPythonCommentsAndStrings(text) : blankCommentsAndStrings(text);
  const calls: BackwardCall[] = [];
  const re = /\.\s*backward\s*\(/g;
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code[i] === '\n') lineStarts.push(i + 1);
  for (let m = re.exec(code); m !== null; m = re.exec(code)) {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= m.index) lo = mid;
      else hi = mid - 1;
    }
    calls.push({ line: lo + 1, column: m.index - lineStarts[lo] + 1 });
  }
  return calls;
}
