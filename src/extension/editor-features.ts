// What the editor shows from runs: "Run backward | Visualize" above every `.backward(` call,
// tensor hovers and `.grad` values at line ends from the file's last run.
import * as vscode from 'vscode';
import type { GraphSnapshot } from '../protocol/messages';
import { findBackwardCalls } from './backward-calls';
import { stopValues } from './capture-points';
import { revealLink } from './graph-lines';
import { blankPythonCommentsAndStrings } from './python-source';
import type { RunService } from './runs';
import { readSettings } from './runs';
import { cellOfDocument } from './notebook/editor';
import { hoverMarkdown, inlineGradients, lookupTensor } from './snapshot-lookup';

export const SCRIPT_SELECTOR: vscode.DocumentSelector = [
  { language: 'typescript', scheme: 'file' },
  { language: 'javascript', scheme: 'file' },
  { language: 'python', scheme: 'file' },
];

/** Hovers and inline values also work in the Python cells of a notebook a run went through. */
const HOVER_SELECTOR: vscode.DocumentSelector = [
  ...(SCRIPT_SELECTOR as vscode.DocumentFilter[]),
  { language: 'python', scheme: 'vscode-notebook-cell' },
];

class BackwardLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const call of findBackwardCalls(doc.getText(), doc.languageId)) {
      const range = new vscode.Range(call.line - 1, 0, call.line - 1, 0);
      lenses.push(
        new vscode.CodeLens(range, {
          title: 'Run backward',
          command: 'gradlens.runBackward',
          arguments: [doc.uri, call.line],
          tooltip: 'Run the script until this backward() completes, then show its graph',
        }),
        new vscode.CodeLens(range, {
          title: 'Visualize',
          command: 'gradlens.visualizeAt',
          arguments: [doc.uri, call.line],
          tooltip: 'Show the graph of this backward() call',
        }),
      );
    }
    return lenses;
  }
}

/**
 * The text the lookups read: the script's tokenizer knows JavaScript, so in Python the
 * comments (`#`, where an apostrophe would open a string) and string contents are blanked first.
 */
function codeOf(doc: vscode.TextDocument): string {
  return doc.languageId === 'python' ? blankPythonCommentsAndStrings(doc.getText()) : doc.getText();
}

/** Where a document's lines are in runs' locations: its file, or its notebook and cell. */
interface SourceOf {
  readonly file: string;
  readonly cell?: number;
}

function sourceOf(doc: vscode.TextDocument): SourceOf | undefined {
  if (doc.uri.scheme === 'file') return { file: doc.uri.fsPath };
  const cell = cellOfDocument(doc);
  return cell === undefined ? undefined : { file: cell.notebook.fsPath, cell: cell.index };
}

function snapshotsOf(runs: RunService, source: SourceOf): readonly GraphSnapshot[] {
  return runs.lastRun(source.file)?.snapshots ?? [];
}

export function registerEditorFeatures(runs: RunService): vscode.Disposable {
  const lenses = new BackwardLenses();
  const decoration = vscode.window.createTextEditorDecorationType({
    after: {
      color: new vscode.ThemeColor('editorCodeLens.foreground'),
      fontStyle: 'italic',
      margin: '0 0 0 2em',
    },
  });

  const decorate = (editor: vscode.TextEditor | undefined): void => {
    const source = editor === undefined ? undefined : sourceOf(editor.document);
    if (editor === undefined || source === undefined) return;
    const snaps = snapshotsOf(runs, source);
    const settings = readSettings();
    const doc = editor.document;
    const { file, cell } = source;
    const texts = new Map<number, string[]>();
    const put = (g: { line: number; text: string }): void => {
      texts.set(g.line, [...(texts.get(g.line) ?? []), g.text]);
    };
    if (settings.inlineGradients) {
      if (snaps.length > 0)
        inlineGradients(snaps, file, codeOf(doc), settings.inlinePlacement, cell).forEach(put);
      if (cell === undefined) stopValues(runs.stopsIn(file), file).forEach(put);
    }
    const options = [...texts.entries()]
      .filter(([line]) => line <= doc.lineCount)
      .map(([line, text]): vscode.DecorationOptions => {
        const end = doc.lineAt(line - 1).range.end;
        return {
          range: new vscode.Range(end, end),
          renderOptions: { after: { contentText: text.join('   ') } },
        };
      });
    editor.setDecorations(decoration, options);
  };
  const decorateAll = (): void => {
    for (const e of vscode.window.visibleTextEditors) decorate(e);
  };

  const hover: vscode.HoverProvider = {
    provideHover(doc, pos) {
      const source = sourceOf(doc);
      if (source === undefined) return undefined;
      const snaps = snapshotsOf(runs, source);
      if (snaps.length === 0) return undefined;
      const range = doc.getWordRangeAtPosition(pos, /[A-Za-z_$][\w$]*/);
      if (range === undefined) return undefined;
      const word = doc.getText(range);
      const lineText = doc.lineAt(pos.line).text;
      let name = word;
      let property: 'grad' | null = null;
      let full = range;
      if (word === 'grad' && lineText[range.start.character - 1] === '.') {
        // `x.grad`: the hover is about the tensor before the dot.
        const before = doc.getWordRangeAtPosition(range.start.translate(0, -1), /[A-Za-z_$][\w$]*/);
        if (before === undefined) return undefined;
        name = doc.getText(before);
        property = 'grad';
        full = new vscode.Range(before.start, range.end);
      }
      const info = lookupTensor(snaps, source.file, codeOf(doc), pos.line + 1, name, source.cell);
      if (info === null) return undefined;
      // Reveal in Graph reads a file's lines; a cell's would name the wrong nodes.
      const reveal =
        source.cell === undefined ? `\n\n${revealLink(source.file, pos.line + 1)}` : '';
      const md = new vscode.MarkdownString(`${hoverMarkdown(info, property)}${reveal}`);
      md.isTrusted = { enabledCommands: ['gradlens.revealInGraph'] };
      return new vscode.Hover(md, full);
    },
  };

  return vscode.Disposable.from(
    lenses,
    decoration,
    vscode.languages.registerCodeLensProvider(SCRIPT_SELECTOR, lenses),
    vscode.languages.registerHoverProvider(HOVER_SELECTOR, hover),
    runs.onDidChangeRun(() => {
      lenses.refresh();
      decorateAll();
    }),
    vscode.window.onDidChangeVisibleTextEditors(decorateAll),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gradlens.inlineGradients')) decorateAll();
    }),
    vscode.commands.registerCommand('gradlens.toggleInlineGradients', async () => {
      const c = vscode.workspace.getConfiguration('gradlens');
      await c.update(
        'inlineGradients.enabled',
        !readSettings().inlineGradients,
        vscode.ConfigurationTarget.Global,
      );
      decorateAll();
    }),
  );
}
