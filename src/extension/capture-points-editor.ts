// The editor's side of capture points: VS Code's own breakpoints, read as the run starts.
import * as vscode from 'vscode';
import type { CapturePoints } from '../protocol/messages';
import { choosePoints, startLine, type EditorBreakpoint } from './capture-points';

function editorBreakpoints(): EditorBreakpoint[] {
  return vscode.debug.breakpoints.flatMap((b) =>
    b instanceof vscode.SourceBreakpoint && b.location.uri.scheme === 'file'
      ? [
          {
            file: b.location.uri.fsPath,
            line: b.location.range.start.line + 1,
            enabled: b.enabled,
            condition: b.condition,
            hitCondition: b.hitCondition,
            logMessage: b.logMessage,
          },
        ]
      : [],
  );
}

/**
 * The capture points of a run of the .py `script` (undefined: none), said in the Output as
 * the run starts.
 */
export function capturePointsFor(
  script: string,
  maxHits: number,
  output: vscode.OutputChannel,
): CapturePoints | undefined {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const { points, notes } = choosePoints(script, editorBreakpoints(), folders);
  for (const note of notes) output.appendLine(`[gradlens] ${note}`);
  if (points.length === 0) return undefined;
  output.appendLine(startLine(points));
  return { points, maxHits };
}
