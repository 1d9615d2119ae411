// The "Get Started" view in the Gradlens side bar. Its content is package.json's `viewsWelcome`,
// which VS Code shows only while the view's tree is empty: so the tree stays empty.
import * as vscode from 'vscode';

export const START_VIEW_ID = 'gradlens.start';

export function registerStartView(): vscode.Disposable {
  const empty: vscode.TreeDataProvider<never> = {
    getChildren: () => [],
    getTreeItem: (element) => element,
  };
  return vscode.window.registerTreeDataProvider(START_VIEW_ID, empty);
}
