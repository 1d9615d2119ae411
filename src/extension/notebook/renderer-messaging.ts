// Tells the notebook renderer the gradlens.graph.direction setting: when it asks (it cannot
// read settings itself) and whenever the setting changes, so saved graph outputs stand the way
// the graph view does.
import * as vscode from 'vscode';
import {
  DIRECTION_MESSAGE,
  isDirectionRequest,
  type DirectionMessage,
} from '../../protocol/notebook-renderer';
import { readSettings } from '../runs';

/** package.json contributes.notebookRenderer's id. */
const RENDERER_ID = 'gradlens.graph';

export function registerRendererMessaging(): vscode.Disposable {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  const send = (editor?: vscode.NotebookEditor): void => {
    const m: DirectionMessage = {
      type: DIRECTION_MESSAGE,
      direction: readSettings().graphDirection,
    };
    void messaging.postMessage(m, editor);
  };
  return vscode.Disposable.from(
    messaging.onDidReceiveMessage((e) => {
      if (isDirectionRequest(e.message)) send(e.editor);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gradlens.graph.direction')) send();
    }),
  );
}
