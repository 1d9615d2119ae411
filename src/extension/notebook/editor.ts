// Notebooks open in VS Code as Gradlens sees them: the cells a run is given, the cell a
// command means, and the cell document a diagnostic goes on.
import * as vscode from 'vscode';
import type { NotebookCellSource } from '../../protocol/messages';
import { cellSources, type EditorCell } from './cell-sources';

/** The notebook type of VS Code's built-in .ipynb serializer (no Jupyter extension needed). */
export const JUPYTER_NOTEBOOK = 'jupyter-notebook';

/** A cell of an open notebook. */
export interface CellAt {
  readonly notebook: vscode.Uri;
  /** 0-based, markdown cells counted. */
  readonly index: number;
}

export function isNotebookFile(file: string): boolean {
  return /\.ipynb$/i.test(file);
}

function openNotebook(uri: vscode.Uri): vscode.NotebookDocument | undefined {
  return vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString());
}

export function editorCell(cell: vscode.NotebookCell): EditorCell {
  return {
    kind: cell.kind === vscode.NotebookCellKind.Code ? 'code' : 'markup',
    language: cell.document.languageId,
    text: cell.document.getText(),
  };
}

/**
 * The cells a run of `uri` is given, up to `upTo`, when it is an open notebook; undefined
 * otherwise (the runner then reads the file).
 */
export function cellsToRun(uri: vscode.Uri, upTo?: number): NotebookCellSource[] | undefined {
  const doc = openNotebook(uri);
  return doc === undefined ? undefined : cellSources(doc.getCells().map(editorCell), upTo);
}

/** The document of cell `index` of the open notebook `file`, for a diagnostic at its line. */
export function cellDocumentUri(file: string, index: number): vscode.Uri | undefined {
  const doc = openNotebook(vscode.Uri.file(file));
  return doc !== undefined && index < doc.cellCount ? doc.cellAt(index).document.uri : undefined;
}

/** The document of cell `index` of notebook `file`, opening the notebook when it is not open. */
export async function notebookCellDocument(
  file: string,
  index: number,
): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
  if (index >= doc.cellCount)
    throw new Error(`${file} has ${doc.cellCount} cells, the graph names cell ${index + 1}`);
  return doc.cellAt(index).document;
}

function isCell(v: unknown): v is vscode.NotebookCell {
  return typeof v === 'object' && v !== null && 'notebook' in v && 'index' in v && 'document' in v;
}

/**
 * The cell a command means: a cell (the cell toolbar passes it), a notebook's uri and a cell
 * index (the cell status bar), else the cell in front in the active notebook editor.
 */
export function cellOf(arg: unknown, index: unknown): CellAt | undefined {
  if (isCell(arg)) return { notebook: arg.notebook.uri, index: arg.index };
  if (arg instanceof vscode.Uri && typeof index === 'number') return { notebook: arg, index };
  return arg === undefined ? cellInSight() : undefined;
}

/** The cell being edited or selected in the active notebook editor. */
export function cellInSight(): CellAt | undefined {
  const editor = vscode.window.activeNotebookEditor;
  if (editor === undefined) return undefined;
  const text = vscode.window.activeTextEditor?.document;
  if (text !== undefined && text.uri.scheme !== 'vscode-notebook-cell') return undefined;
  const edited = editor.notebook.getCells().find((c) => c.document === text);
  return { notebook: editor.notebook.uri, index: edited?.index ?? editor.selection.start };
}

/** The notebook cell whose editor shows `doc`, when `doc` is a cell of an open notebook. */
export function cellOfDocument(doc: vscode.TextDocument): CellAt | undefined {
  if (doc.uri.scheme !== 'vscode-notebook-cell') return undefined;
  for (const nb of vscode.workspace.notebookDocuments) {
    const cell = nb.getCells().find((c) => c.document.uri.toString() === doc.uri.toString());
    if (cell !== undefined) return { notebook: nb.uri, index: cell.index };
  }
  return undefined;
}
