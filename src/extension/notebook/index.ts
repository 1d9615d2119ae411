// Visualize Graph and Run backward on the cells of an .ipynb, without a kernel: the cells up to
// the chosen one run in the Python tracer's child process, as a .py script does. The commands
// take a cell from the cell toolbar, the cell status bar or the notebook editor in front.
import * as vscode from 'vscode';
import { importsTorch } from '../python-source';
import type { Visualizer } from '../visualize';
import { backwardLinesOfCell } from './cell-sources';
import { JUPYTER_NOTEBOOK, cellOf, editorCell } from './editor';

const NO_CELL = 'Gradlens: select a cell of a notebook (.ipynb) first.';

/** "Visualize Graph" and "Run backward" under every Python cell of a notebook that uses torch. */
class CellStatusBar implements vscode.NotebookCellStatusBarItemProvider {
  provideCellStatusBarItems(cell: vscode.NotebookCell): vscode.NotebookCellStatusBarItem[] {
    const own = editorCell(cell);
    if (own.kind !== 'code' || own.language !== 'python' || !usesTorch(cell.notebook)) return [];
    const uri = cell.notebook.uri;
    const items = [
      item('$(type-hierarchy) Visualize Graph', {
        title: 'Gradlens: Visualize Graph',
        command: 'gradlens.visualizeCell',
        arguments: [uri, cell.index],
        tooltip:
          "Gradlens: run the cells up to this one in Python (no kernel) and show the graph of this cell's last backward()",
      }),
    ];
    const lines = backwardLinesOfCell(own);
    for (const line of lines)
      items.push(
        item(`$(debug-step-over) Run backward${lines.length > 1 ? ` (line ${line})` : ''}`, {
          title: 'Gradlens: Run backward',
          command: 'gradlens.runBackwardInCell',
          arguments: [uri, cell.index, line],
          tooltip: `Gradlens: run the cells up to this one until the backward() on line ${line} completes, then show its graph`,
        }),
      );
    return items;
  }
}

function item(text: string, command: vscode.Command): vscode.NotebookCellStatusBarItem {
  const it = new vscode.NotebookCellStatusBarItem(text, vscode.NotebookCellStatusBarAlignment.Left);
  it.command = command;
  it.tooltip = command.tooltip;
  return it;
}

function usesTorch(notebook: vscode.NotebookDocument): boolean {
  return notebook
    .getCells()
    .some((c) => c.kind === vscode.NotebookCellKind.Code && importsTorch(c.document.getText()));
}

export function registerNotebookCells(visualizer: Visualizer): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(
      'gradlens.visualizeCell',
      async (arg?: unknown, index?: unknown) => {
        const at = cellOf(arg, index);
        if (at === undefined) void vscode.window.showErrorMessage(NO_CELL);
        else await visualizer.run(at.notebook, { kind: 'cell', cell: at.index });
      },
    ),
    vscode.commands.registerCommand(
      'gradlens.runBackwardInCell',
      async (uri?: unknown, index?: unknown, line?: unknown) => {
        const at = cellOf(uri, index);
        if (at === undefined || typeof line !== 'number')
          void vscode.window.showErrorMessage(NO_CELL);
        else await visualizer.run(at.notebook, { kind: 'stopAfterLine', line, cell: at.index });
      },
    ),
    vscode.notebooks.registerNotebookCellStatusBarItemProvider(
      JUPYTER_NOTEBOOK,
      new CellStatusBar(),
    ),
  );
}
