// First-run onboarding: the walkthrough (package.json `contributes.walkthroughs`), the Get
// Started view in the side bar and the Open Examples command.
import * as vscode from 'vscode';
import { firstOffer, WALKTHROUGH_ID, type OfferState } from './first-run';
import { openExamples } from './open-examples';
import { registerStartView } from './start-view';

export function registerOnboarding(context: vscode.ExtensionContext): vscode.Disposable {
  void offerWalkthroughOnce(context.globalState);
  return vscode.Disposable.from(
    registerStartView(),
    vscode.commands.registerCommand('gradlens.openExamples', () => openExamples(context.extensionUri)),
    vscode.commands.registerCommand('gradlens.openWalkthrough', () => openWalkthrough(false)),
  );
}

function openWalkthrough(inactive: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, { toSide: false, inactive });
}

async function offerWalkthroughOnce(state: OfferState): Promise<void> {
  if (!await firstOffer(state)) return;
  // VS Code's own switch for opening the walkthroughs of newly installed extensions.
  if (vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall') === false) return;
  // Activation usually follows opening a script: leave that editor in front.
  await openWalkthrough(vscode.window.activeTextEditor !== undefined);
}
