// Entry point of the graph view page. The view is split by concern: state.ts (its one state
// object), dom.ts (the page's elements), layout-client.ts (the layout workers), drawing.ts and
// viewport.ts (what is drawn, and where), marks.ts (search, path, selection), interaction.ts
// (the user's input), groups.ts, details.ts, export.ts, graph.ts (the graph's life on screen)
// and host-messages.ts (the extension's messages).
import { showPageMessage } from './dom';
import { render, restoredGraph } from './graph';
import { listenToHost } from './host-messages';
import { installInteraction } from './interaction';
import { startFastWorker } from './layout-client';
import { state, vscode } from './state';

performance.mark('gradlens/script');

installInteraction();
listenToHost();
const { payload, dropped } = state.saved;
if (payload !== null) render(payload, null);
else if (dropped !== undefined)
  showPageMessage(
    `"${dropped}" was too large to keep across a reload: run Gradlens: Visualize Graph again to see it.`,
  );
vscode.postMessage({ type: 'ready', restoredGraph: payload !== null });
performance.mark('gradlens/ready');
if (payload !== null) vscode.postMessage({ type: 'restored', graph: restoredGraph(payload) });
// After 'ready': the host sends a graph that waits meanwhile as soon as it hears it. ELK's
// worker starts once a graph is on screen (see openGraph).
startFastWorker();
