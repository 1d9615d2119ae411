// Where a script declares, assigns and mentions a variable, from a small JavaScript/TypeScript
// tokenizer: just enough to tell code from strings, template text, comments and regular
// expressions, so that `Q = ${Q}` inside a template literal is not taken for an assignment to
// Q. (The TypeScript compiler's scanner would do, but bundling `typescript` would make the
// extension several times bigger.) No `vscode`: unit-tested.

export interface Token {
  /** `name` for identifiers and keywords, `punct` for operators and brackets, `literal` for numbers, strings and regular expressions. */
  readonly kind: 'name' | 'punct' | 'literal';
  readonly text: string;
  /** 0-based line of the token's first character. */
  readonly line: number;
}

// Longest first, so `===` is not read as `==` then `=`.
const PUNCTUATORS = [
  '>>>=',
  '...',
  '===',
  '!==',
  '**=',
  '<<=',
  '>>=',
  '>>>',
  '&&=',
  '||=',
  '??=',
  '=>',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '?.',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '**',
  '<<',
  '>>',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ';',
  ',',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '!',
  '~',
  '?',
  ':',
  '=',
  '.',
  '@',
  '#',
];

/** After these a `/` starts a regular expression, not a division. */
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

const NAME_START = /[\p{ID_Start}$_]/u;
const NAME_PART = /[\p{ID_Continue}$\u200c\u200d]/u;

/** The tokens of `text`, without whitespace, comments, and the text parts of strings and templates. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 0;
  // One entry per open `${`: the brace depth inside it, so its `}` ends it and resumes the template.
  const templates: number[] = [];

  const push = (kind: Token['kind'], from: number, startLine: number): void => {
    out.push({ kind, text: text.slice(from, i), line: startLine });
  };
  /** Skips to after `end` (a quote or backtick), honouring escapes and counting lines. */
  const skipQuoted = (end: string): boolean => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') {
        if (text[i + 1] === '\n') line++;
        i += 2;
        continue;
      }
      if (c === '\n') line++;
      if (c === end) {
        i++;
        return true;
      }
      if (end === '`' && c === '$' && text[i + 1] === '{') {
        i += 2;
        return false;
      }
      i++;
    }
    return true;
  };
  const regexAllowed = (): boolean => {
    const prev = out.at(-1);
    if (prev === undefined) return true;
    if (prev.kind === 'literal') return false;
    if (prev.kind === 'name') return KEYWORDS_BEFORE_EXPRESSION.has(prev.text);
    return !(
      prev.text === ')' ||
      prev.text === ']' ||
      prev.text === '}' ||
      prev.text === '++' ||
      prev.text === '--'
    );
  };
  /** A template literal's text from i (just after its backtick or a `}`) to its end or next `${`. */
  const templateText = (from: number, startLine: number): void => {
    const closed = skipQuoted('`');
    if (!closed) templates.push(0);
    push('literal', from, startLine);
  };

  while (i < text.length) {
    const c = text[i];
    const from = i;
    const startLine = line;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) if (text[i] === '\n') line++;
    } else if (c === '"' || c === "'") {
      i++;
      skipQuoted(c);
      push('literal', from, startLine);
    } else if (c === '`') {
      i++;
      templateText(from, startLine);
    } else if (c === '}' && templates.length > 0 && templates[templates.length - 1] === 0) {
      templates.pop();
      i++;
      templateText(from, startLine);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      while (i < text.length && /[\w.]/.test(text[i])) i++;
      push('literal', from, startLine);
    } else if (NAME_START.test(c) || c === '\\') {
      i++;
      while (i < text.length && NAME_PART.test(text[i])) i++;
      push('name', from, startLine);
    } else if (c === '/' && regexAllowed()) {
      skipRegex();
      push('literal', from, startLine);
    } else {
      const p = PUNCTUATORS.find((q) => text.startsWith(q, i)) ?? c;
      i += p.length;
      if (templates.length > 0 && (p === '{' || p === '}'))
        templates[templates.length - 1] += p === '{' ? 1 : -1;
      push('punct', from, startLine);
    }
  }
  return out;

  function skipRegex(): void {
    let inClass = false;
    for (i++; i < text.length && text[i] !== '\n'; i++) {
      const c = text[i];
      if (c === '\\') i++;
      else if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) break;
    }
    i++;
    while (i < text.length && NAME_PART.test(text[i])) i++;
  }
}

const ASSIGNMENT_OPERATORS = new Set([
  '=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '**=',
  '<<=',
  '>>=',
  '>>>=',
  '&=',
  '|=',
  '^=',
  '&&=',
  '||=',
  '??=',
]);
const DECLARATION_KEYWORDS = new Set(['const', 'let', 'var']);
/** What may stand between `const`/`let`/`var` and a name it declares: `const { a, b: [c] } =`. */
const PATTERN_PUNCT = new Set(['{', '}', '[', ']', ',', ':', '...']);

/** The token at `i`, or undefined past either end. */
function tokenAt(tokens: readonly Token[], i: number): Token | undefined {
  return tokens[i];
}

/** Whether the name token at `i` is declared there (`const x`, `let { x }`, `for (const [k, x] of`). */
function isDeclared(tokens: readonly Token[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const t = tokens[j];
    if (t.kind === 'name') {
      if (DECLARATION_KEYWORDS.has(t.text)) return true;
      // Names inside a destructuring pattern (`{ a, b }`) are the only other thing allowed.
      const before = tokenAt(tokens, j - 1);
      if (
        before === undefined ||
        (!(before.kind === 'punct' && PATTERN_PUNCT.has(before.text)) &&
          !DECLARATION_KEYWORDS.has(before.text))
      )
        return false;
    } else if (!(t.kind === 'punct' && PATTERN_PUNCT.has(t.text))) {
      return false;
    }
  }
  return false;
}

/** Lines (0-based) where `name` is declared or assigned, and lines where it is only mentioned. */
export function variableLines(
  tokens: readonly Token[],
  name: string,
): { assigned: Set<number>; mentioned: Set<number> } {
  const assigned = new Set<number>();
  const mentioned = new Set<number>();
  tokens.forEach((t, i) => {
    if (t.kind !== 'name' || t.text !== name) return;
    const prev = tokenAt(tokens, i - 1);
    if (prev !== undefined && prev.kind === 'punct' && (prev.text === '.' || prev.text === '?.'))
      return; // a member of something else
    const next = tokenAt(tokens, i + 1);
    if (next?.text === ':' && (prev?.text === '{' || prev?.text === ',')) return; // a property key: `{ name: value }`
    mentioned.add(t.line);
    if (
      (next !== undefined && next.kind === 'punct' && ASSIGNMENT_OPERATORS.has(next.text)) ||
      isDeclared(tokens, i)
    )
      assigned.add(t.line);
  });
  return { assigned, mentioned };
}

/** Lines (0-based) that set `name` on the object being built: `this.name =` (JS) or `self.name =` (Python). */
export function memberAssignmentLines(tokens: readonly Token[], name: string): Set<number> {
  const lines = new Set<number>();
  tokens.forEach((t, i) => {
    if (t.kind !== 'name' || t.text !== name || tokenAt(tokens, i - 1)?.text !== '.') return;
    const owner = tokenAt(tokens, i - 2)?.text;
    if ((owner === 'this' || owner === 'self') && tokenAt(tokens, i + 1)?.text === '=')
      lines.add(t.line);
  });
  return lines;
}

/** Variables whose gradient the script keeps, with the line (0-based) that asks: `x.retainGrad()`, `x.retain_grad()`. */
export function retainedGradients(tokens: readonly Token[]): { name: string; line: number }[] {
  const out: { name: string; line: number }[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'name' || tokenAt(tokens, i - 1)?.text === '.') return;
    if (tokenAt(tokens, i + 1)?.text !== '.') return;
    const method = tokenAt(tokens, i + 2)?.text;
    if (
      (method === 'retainGrad' || method === 'retain_grad') &&
      tokenAt(tokens, i + 3)?.text === '('
    )
      out.push({ name: t.text, line: t.line });
  });
  return out;
}
