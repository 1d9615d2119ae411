// Entry point of the graph view page.
import { isToWebview, type GraphPayload, type ToWebview } from './messages';
import { vscode, type ViewState } from './vscode-api';

const app = document.getElementById('app')!;
let state: ViewState = vscode.getState() ?? { payload: null, collapsed: [], search: '' };

function render(payload: GraphPayload): void {
  app.replaceChildren();
  const h = document.createElement('h1');
  h.id = 'graph-title';
  h.textContent = payload.title;
  app.append(h);
}

function onMessage(m: ToWebview): void {
  switch (m.type) {
    case 'graph/show':
      state = { ...state, payload: m.payload };
      vscode.setState(state);
      render(m.payload);
      return;
    case 'graph/running':
      return;
    case 'export/request':
      return;
  }
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (isToWebview(e.data)) onMessage(e.data);
});
if (state.payload !== null) render(state.payload);
vscode.postMessage({ type: 'ready' });
