// "Gradlens: Open Examples": copies the shipped examples into a folder the user picks and opens
// one, so a new user has a script to visualize without writing one.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  copyMissingExamples,
  defaultExamplesFolder,
  FIRST_EXAMPLE,
  type CopyResult,
} from './example-files';

export async function openExamples(extensionUri: vscode.Uri): Promise<void> {
  const target = await chooseFolder();
  if (target === undefined) return;
  let result: CopyResult;
  try {
    result = copyMissingExamples(vscode.Uri.joinPath(extensionUri, 'examples').fsPath, target);
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Gradlens: could not copy the examples to ${target}: ${(e as Error).message}`,
    );
    return;
  }
  // Beside the walkthrough (or any other non-text editor) rather than over it.
  const front = vscode.window.tabGroups.activeTabGroup.activeTab;
  const beside = front !== undefined && !(front.input instanceof vscode.TabInputText);
  await vscode.window.showTextDocument(vscode.Uri.file(path.join(target, FIRST_EXAMPLE)), {
    preview: false,
    viewColumn: beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active,
  });
  // With a folder open the user already has a workspace; do not pull them out of it.
  if (vscode.workspace.workspaceFolders !== undefined) return;
  void vscode.window
    .showInformationMessage(copiedMessage(target, result), 'Open Folder')
    .then((choice) => {
      if (choice !== undefined)
        void vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(target));
    });
}

function copiedMessage(target: string, { kept }: CopyResult): string {
  const keptNote =
    kept.length === 0 ? '' : ` (${kept.length} already there were left as they were)`;
  return `Gradlens: the examples are in ${target}${keptNote}. Open that folder to see them all?`;
}

async function chooseFolder(): Promise<string | undefined> {
  const fallback = defaultExamplesFolder();
  const suggested: vscode.QuickPickItem = {
    label: `$(folder) ${fallback}`,
    description: 'default',
  };
  const browse: vscode.QuickPickItem = { label: '$(folder-opened) Choose a folder…' };
  const pick = await vscode.window.showQuickPick([suggested, browse], {
    title: 'Gradlens: copy the examples to',
    placeHolder: 'Only missing files are copied: your edits to earlier copies stay',
    // Opened from the walkthrough, whose page may take the focus back a moment later: that
    // closed the picker before the user could choose (Escape still cancels).
    ignoreFocusOut: true,
  });
  if (pick === suggested) return fallback;
  if (pick !== browse) return undefined;
  const chosen = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Copy Examples Here',
    defaultUri: vscode.Uri.file(path.dirname(fallback)),
  });
  return chosen?.[0]?.fsPath;
}
