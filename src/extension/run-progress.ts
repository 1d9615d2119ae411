// Where a run shows that it goes on. The graph view's running page says so with a Stop of its
// own, and the status bar holds the script's name and step: a progress notification beside
// them would only repeat it, and its moving bar keeps the browser repainting while the
// script needs the CPU (the first graph of a window comes sooner without it).
import * as vscode from 'vscode';

type Progress = vscode.Progress<{ message?: string }>;

/**
 * Runs `task` behind a cancellable progress notification titled `title`, or with none when
 * `title` is null (its progress reports go nowhere and its token is never cancelled: the
 * view's and the status bar's Stop end the run instead).
 */
export async function withRunProgress<T>(
  title: string | null,
  task: (progress: Progress, token: vscode.CancellationToken) => Promise<T>,
): Promise<T> {
  if (title !== null)
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      task,
    );
  const source = new vscode.CancellationTokenSource();
  try {
    return await task({ report: () => undefined }, source.token);
  } finally {
    source.dispose();
  }
}
