// "Visualize Graph with Arguments…": the arguments of one run, typed as on a command line.

/**
 * Splits a command line into arguments as a POSIX shell would for plain words and quotes:
 * whitespace separates, '…' keeps everything, "…" keeps everything but \" and \\, and a
 * backslash outside quotes keeps the next character. No variables, globs or redirections.
 *
 * @example
 * splitArguments(`--steps 1 --name "my run"`) // ['--steps', '1', '--name', 'my run']
 */
export function splitArguments(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) current += line[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) args.push(current);
  return args;
}

/** The arguments as a command line again, quoted where needed (to prefill the prompt). */
export function joinArguments(args: readonly string[]): string {
  return args
    .map((a) => (a !== '' && /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
