// The graph view's "Check with finite differences": reruns the shown graph's script as a
// gradient check in child processes (src/cli/gradcheck.ts), behind a cancellable progress
// notification, in a trusted workspace only (it runs the user's code, as any run does).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkGradients } from '../cli/gradcheck';
import type { GraphPayload } from '../protocol/graph-view';
import { unavailable, type GradcheckResult } from '../protocol/gradcheck';
import { languageOf } from '../runner/child-process';
import { gradcheckTarget } from './gradcheck-target';
import { pythonFor } from './python-interpreter';
import { readSettings } from './runs';
import { ensureTrusted, UNTRUSTED_MESSAGE } from './trust';

/** Checks the graph `shown` below `node` (all of it when null); never throws. */
export async function runGradcheck(
  shown: GraphPayload | null,
  node: string | null,
  output: vscode.OutputChannel,
): Promise<GradcheckResult> {
  try {
    return await check(shown, node, output);
  } catch (e) {
    // The page waits for an answer: it gets one, whatever went wrong here.
    return unavailable(1, node, `the check failed: ${(e as Error).message}`);
  }
}

async function check(
  shown: GraphPayload | null,
  node: string | null,
  output: vscode.OutputChannel,
): Promise<GradcheckResult> {
  const target = gradcheckTarget(shown, node);
  if ('outcome' in target) return target;
  if (!ensureTrusted()) return unavailable(1, node, UNTRUSTED_MESSAGE);
  const settings = readSettings();
  const uri = vscode.Uri.file(target.file);
  const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
  const cwd =
    settings.runDirectory === 'workspace' && folder !== undefined
      ? folder
      : path.dirname(target.file);
  const python =
    languageOf(target.file) === 'python'
      ? (await pythonFor(uri, settings.pythonPath)).python
      : undefined;
  const name = path.basename(target.file);
  output.appendLine(
    `[gradlens] checking the gradients of ${target.file}${node === null ? '' : ` below node ${node}`} with finite differences`,
  );
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Gradlens: checking the gradients of ${name} with finite differences`,
      cancellable: true,
    },
    (_progress, token) =>
      checkGradients(
        target.snapshot,
        {
          script: target.file,
          cwd,
          args: [...settings.scriptArgs],
          python,
          timeoutMs: settings.timeoutSeconds > 0 ? settings.timeoutSeconds * 1000 : undefined,
          maxMemoryMb: settings.memoryLimitMb,
          signal: abortSignalOf(token),
        },
        node,
      ),
  );
  output.appendLine(`[gradlens] gradient check: ${result.message}`);
  return result;
}

function abortSignalOf(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
