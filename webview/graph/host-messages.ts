// The host's messages to the graph view, checked field by field (isToWebview) before use.
import {
  isToWebview,
  readGzipJson,
  runningText,
  type GraphPayload,
  type ToWebview,
} from '../../src/protocol/graph-view';
import { EARLY_MESSAGES_GLOBAL } from '../../src/protocol/early-messages';
import { assertNever } from '../../src/protocol/messages';
import { announce, showMessage, status, title } from './dom';
import { exportAs } from './export';
import { showGradcheck } from './gradcheck';
import { openRequest, render, showFailure, showRunning } from './graph';
import { layout } from './layout-client';
import { reveal } from './select';
import { save, state, vscode } from './state';

async function onMessage(m: ToWebview): Promise<void> {
  switch (m.type) {
    case 'graph/show': {
      const seq = ++state.shows;
      const arrivedAt = Date.now();
      performance.mark('gradlens/graph-arrived');
      // The worker reads and lays out its own copy while the page reads this one.
      const opening = layout(openRequest(m.snapshotGzip, m.payload));
      opening.catch(() => undefined); // awaited in openGraph, unless reading fails here first
      let snapshot: unknown;
      try {
        snapshot = await readGzipJson(m.snapshotGzip);
      } catch (e) {
        showMessage(`Could not read the graph from the extension: ${(e as Error).message}`);
        vscode.postMessage({ type: 'error', message: `unreadable graph: ${(e as Error).message}` });
        return;
      }
      if (seq !== state.shows) return;
      const payload: GraphPayload = { ...m.payload, snapshot };
      save({ payload, collapsed: [], search: state.saved.search });
      render(payload, { gzip: m.snapshotGzip, opening, arrivedAt, readMs: Date.now() - arrivedAt });
      return;
    }
    case 'graph/running':
      // With no graph on screen (first run, or after a failure) the whole view says so.
      if (title.isConnected) {
        status.textContent = runningText(m.file);
        announce(status.textContent);
      } else showRunning(m.file);
      return;
    case 'graph/failed':
      showFailure(m.file, m.message);
      return;
    case 'export/request':
      void exportAs(m.format);
      return;
    case 'graph/select':
      reveal(m.ids);
      return;
    case 'graph/gradcheck':
      showGradcheck(m.result);
      return;
    default:
      assertNever(m, 'message from the extension');
  }
}

/**
 * Listens to the host, after taking the messages that came before this script (the host posts
 * to a new page at once; see src/protocol/early-messages.ts). In one task, so none is missed or
 * handled twice.
 */
export function listenToHost(): void {
  const early = window as unknown as Record<string, unknown[] | undefined>;
  const before = early[EARLY_MESSAGES_GLOBAL] ?? [];
  early[EARLY_MESSAGES_GLOBAL] = undefined;
  window.addEventListener('message', (e: MessageEvent<unknown>) => {
    fromHost(e.data);
  });
  for (const m of before) fromHost(m);
}

function fromHost(m: unknown): void {
  if (isToWebview(m)) void onMessage(m);
}
