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
    vscode.commands.registerCommand('gradlens.openExamples', () =>
      openExamples(context.extensionUri),
    ),
    vscode.commands.registerCommand('gradlens.openWalkthrough', () => openWalkthrough()),
  );
}

function openWalkthrough(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
}

async function offerWalkthroughOnce(state: OfferState): Promise<void> {
  if (!(await firstOffer(state))) return;
  // VS Code's own switch for opening the walkthroughs of newly installed extensions.
  if (
    vscode.workspace
      .getConfiguration('workbench.welcomePage')
      .get<boolean>('walkthroughs.openOnInstall') === false
  )
    return;
  // Asked, not opened: activation usually follows opening a script, which should stay in front,
  // and VS Code may not have registered the walkthrough yet this early.
  const choice = await vscode.window.showInformationMessage(
    'Gradlens is ready. A short walkthrough shows the graph view, hovers, the training monitor and debugging.',
    'Get Started',
  );
  if (choice !== undefined) await openWalkthrough();
}
