// A script's errors as diagnostics: where (the mapped RunError.location) and what to say.
import type { RunError } from '../protocol/messages';
import { lineWhere } from '../protocol/where';

export interface ErrorDiagnostic {
  readonly file: string;
  /** 0-based, as VS Code ranges count. */
  readonly line: number;
  readonly column: number;
  /** A notebook's cell (0-based): the diagnostic goes on that cell's document. */
  readonly cell?: number;
  readonly message: string;
}

/** Errors of the user's code that point at a line; host-side stops (cancel, timeout) do not. */
export function errorDiagnostics(errors: readonly RunError[]): ErrorDiagnostic[] {
  const out: ErrorDiagnostic[] = [];
  for (const e of errors) {
    if (e.location === null) continue;
    out.push({
      file: e.location.file,
      line: Math.max(0, e.location.line - 1),
      column: Math.max(0, e.location.column - 1),
      ...(e.location.cell === undefined ? {} : { cell: e.location.cell }),
      message: e.kind === 'syntax' ? `Syntax error: ${e.message}` : e.message,
    });
  }
  return out;
}

/** One line for the notification after a failed run. */
export function errorSummary(errors: readonly RunError[], scriptName: string): string {
  const e = errors.at(0);
  if (e === undefined) return `Gradlens: ${scriptName} failed.`;
  const where = e.location === null ? '' : ` (${lineWhere(e.location)})`;
  switch (e.kind) {
    case 'no-backward':
      return `Gradlens: ${scriptName} never called backward(), so there is no graph to show.`;
    case 'timeout':
    case 'memory':
      return `Gradlens: ${scriptName}: ${e.message}.`;
    case 'launch':
      return `Gradlens: could not run ${scriptName}: ${e.message}`;
    default:
      return `Gradlens: ${scriptName} threw${where}: ${e.message}`;
  }
}
