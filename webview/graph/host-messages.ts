// The host's messages to the graph view, checked field by field (isToWebview) before use.
import { isToWebview, runningText, type ToWebview } from '../../src/protocol/graph-view';
import { EARLY_MESSAGES_GLOBAL } from '../../src/protocol/early-messages';
import { assertNever } from '../../src/protocol/messages';
import { announce, status, title } from './dom';
import { exportAs } from './export';
import { showGradcheck } from './gradcheck';
import { openRequest, render, showFailure, showRunning } from './graph';
import { layout } from './layout-client';
import { reveal } from './select';

function onMessage(m: ToWebview): void {
  switch (m.type) {
    case 'graph/show': {
      performance.mark('gradlens/graph-arrived');
      const arrivedAt = Date.now();
      // The worker reads and lays out its copy; the page reads its own once the drawing is
      // painted, since the first paint needs nothing of it (see openGraph).
      const opening = layout(openRequest(m.snapshotGzip, m.payload));
      opening.catch(() => undefined); // awaited in openGraph
      render({ ...m.payload, snapshot: null }, { gzip: m.snapshotGzip, opening, arrivedAt });
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
  if (isToWebview(m)) onMessage(m);
}
