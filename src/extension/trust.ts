// Running a script executes the user's code (in a child process), so it needs a trusted
// workspace. The manifest declares `untrustedWorkspaces: limited`; this is the check in code.
import * as vscode from 'vscode';

export const UNTRUSTED_MESSAGE =
  'Gradlens: running scripts needs a trusted workspace. Captured graphs stay viewable.';

/** True when scripts may run; otherwise tells the user why not and offers the trust editor. */
export function ensureTrusted(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust')
    .then((choice) => {
      if (choice !== undefined) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
