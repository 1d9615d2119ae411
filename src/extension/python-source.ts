// Reading Python source as text for the editor features: which files use torch, and the code
// with comments and strings blanked so a `.backward(` inside them is not taken for a call.

/** Whether a Python file imports torch (only those get lenses). */
export function importsTorch(text: string): boolean {
  return /^\s*(?:import\s+torch\b|from\s+torch\b)/m.test(text);
}

/** Replaces comments and string contents by spaces, keeping every offset and newline. */
export function blankPythonCommentsAndStrings(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '#') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      let k = i + quote.length;
      while (k < text.length && !text.startsWith(quote, k)) {
        // Even in a raw string a backslash keeps the next quote from ending it.
        if (text[k] === '\\') k++;
        else if (!triple && text[k] === '\n') break;
        k++;
      }
      blank(i + quote.length, Math.min(k, text.length));
      i = Math.min(k + quote.length, text.length);
    } else {
      i++;
    }
  }
  return out.join('');
}
