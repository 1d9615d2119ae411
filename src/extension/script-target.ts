// The script a command run without a file argument means. With a walkthrough, the graph view
// or another non-text editor in front there is no active text editor, yet the walkthrough's
// "Visualize Graph" button must still find the example open beside it.
import * as vscode from 'vscode';

const SCRIPT_LANGUAGES = new Set([
  'typescript',
  'javascript',
  'typescriptreact',
  'javascriptreact',
  'python',
]);

/** The active editor's file, else the only script among the visible editors. */
export function scriptInSight(): vscode.Uri | undefined {
  const active = vscode.window.activeTextEditor;
  if (active !== undefined) return active.document.uri;
  const scripts = vscode.window.visibleTextEditors.filter(
    (e) => e.document.uri.scheme === 'file' && SCRIPT_LANGUAGES.has(e.document.languageId),
  );
  return scripts.length === 1 ? scripts[0].document.uri : undefined;
}
