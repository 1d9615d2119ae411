// Debug Script runs the user's script bundled by esbuild, whose helpers (`__commonJS`,
// `__defProp`, `__toESM`, `require_gradlens`, …) are module-level variables of the bundle,
// so the Variables view's Module scope listed them before the user's own. This moves them to
// the end of that scope's `variables` responses as they pass through the debug adapter
// tracker. Plain DAP messages in, no `vscode`: unit-tested.

/** esbuild's runtime helpers (`__name`, `__toESM`) and module wrappers (`require_x`, `init_x`). */
export function isBundlerHelper(name: string): boolean {
  return /^__[a-z][A-Za-z]*$/.test(name) || /^(?:require|init)_[\w$]+$/.test(name);
}

/** The user's variables in their order, then the bundler's. */
export function helpersLast<T extends { name: string }>(variables: readonly T[]): T[] {
  return [
    ...variables.filter((v) => !isBundlerHelper(v.name)),
    ...variables.filter((v) => isBundlerHelper(v.name)),
  ];
}

interface DapMessage {
  type?: string;
  seq?: number;
  command?: string;
  event?: string;
  request_seq?: number;
  arguments?: { variablesReference?: unknown };
  body?: {
    scopes?: { name?: unknown; variablesReference?: unknown }[];
    variables?: { name: string }[];
  };
}

/**
 * Follows one session's messages: which variable references are Module scopes, which
 * `variables` requests ask for them, and reorders those responses in place (the tracker sees
 * each adapter message before the editor does).
 */
export class ModuleScopeOrder {
  private readonly moduleRefs = new Set<number>();
  private readonly pending = new Set<number>();

  /** A message from the editor to the adapter. */
  request(m: DapMessage): void {
    const ref = m.arguments?.variablesReference;
    if (
      m.type === 'request' &&
      m.command === 'variables' &&
      typeof ref === 'number' &&
      this.moduleRefs.has(ref) &&
      typeof m.seq === 'number'
    )
      this.pending.add(m.seq);
  }

  /** A message from the adapter to the editor; a Module scope's variables are reordered. */
  sent(m: DapMessage): void {
    if (m.type === 'event' && m.event === 'continued') {
      // References are valid only while the program is paused.
      this.moduleRefs.clear();
      this.pending.clear();
    } else if (m.type === 'response' && m.command === 'scopes') {
      for (const s of m.body?.scopes ?? []) {
        if (
          typeof s.name === 'string' &&
          /^module$/i.test(s.name) &&
          typeof s.variablesReference === 'number'
        )
          this.moduleRefs.add(s.variablesReference);
      }
    } else if (
      m.type === 'response' &&
      m.command === 'variables' &&
      typeof m.request_seq === 'number' &&
      this.pending.delete(m.request_seq)
    ) {
      if (m.body?.variables !== undefined) m.body.variables = helpersLast(m.body.variables);
    }
  }
}
