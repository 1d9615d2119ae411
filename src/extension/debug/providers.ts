// Inline values (shape, values, grad next to tensor variables) and the debug hover for tensors,
// registered only while a gradlens debug session runs so ordinary debugging is untouched.
import * as vscode from 'vscode';
import { samePath } from '../../protocol/paths';
import { expressionAt } from './expressions';
import { codeLines, hoverExpression, placeInlineValues, tensorForExpression } from './present';
import { isPythonDebugType, pythonHoverExpression } from './python-config';
import { isGradlensSession, type DebugStops, type Stop } from './stops';

const SCRIPTS: vscode.DocumentSelector = [
  { language: 'typescript' },
  { language: 'javascript' },
  { language: 'typescriptreact' },
  { language: 'javascriptreact' },
  { language: 'python' },
];

function currentStop(stops: DebugStops): Stop | null {
  const stop = stops.stop;
  if (stop === null || !isGradlensSession(vscode.debug.activeDebugSession)) return null;
  return stop;
}

export function registerDebugProviders(
  stops: DebugStops,
  log: (line: string) => void,
): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const inline: vscode.InlineValuesProvider = {
    onDidChangeInlineValues: changed.event,
    async provideInlineValues(document, viewPort, context) {
      const stop = currentStop(stops);
      if (stop === null) return undefined;
      const inspection = await stops.inspectFrame(stop, context.frameId);
      if (inspection === null) return undefined;
      const lines = Array.from({ length: document.lineCount }, (_, i) => document.lineAt(i).text);
      const stopLine = context.stoppedLocation.end.line;
      const placed = placeInlineValues(
        codeLines(lines, document.languageId),
        inspection.tensors,
        stopLine,
        viewPort.start.line,
        viewPort.end.line,
      );
      log(
        `debug: stop ${stop.n}: ${placed.length} inline values ready ${(performance.now() - stop.at).toFixed(0)} ms after the stop`,
      );
      return placed.map((p) => {
        const end = lines[p.line].length;
        return new vscode.InlineValueText(new vscode.Range(p.line, end, p.line, end), p.text);
      });
    },
  };
  const hover: vscode.EvaluatableExpressionProvider = {
    provideEvaluatableExpression(document, position) {
      const e = expressionAt(document.lineAt(position.line).text, position.character);
      if (e === null) return undefined;
      const range = new vscode.Range(position.line, e.start, position.line, e.end);
      const stop = currentStop(stops);
      const inspection = stop?.top ?? null;
      const top = stop?.topFrame?.file;
      const sameFile = typeof top === 'string' && samePath(top, document.uri.fsPath);
      const tensor =
        inspection !== null && sameFile ? tensorForExpression(inspection, e.text) : null;
      // A tensor shows its summary (already fetched at the stop); anything else is evaluated as
      // VS Code would without this provider.
      if (tensor === null) return new vscode.EvaluatableExpression(range, e.text);
      const python = stop !== null && isPythonDebugType(stop.session.type);
      return new vscode.EvaluatableExpression(
        range,
        python ? pythonHoverExpression(tensor) : hoverExpression(tensor),
      );
    },
  };
  return vscode.Disposable.from(
    changed,
    stops.onDidChange(() => changed.fire()),
    vscode.languages.registerInlineValuesProvider(SCRIPTS, inline),
    vscode.languages.registerEvaluatableExpressionProvider(SCRIPTS, hover),
  );
}
