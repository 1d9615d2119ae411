// Entry point of the standalone graph page (dist/webview/graph-standalone.js, copied into the
// Python package as gradlens/assets/graph.js): reads the snapshot the document carries,
// checks it, and shows it, or says why it cannot.
import { GRAPH_DIRECTIONS, type GraphDirection } from '../../src/graph/direction';
import { SNAPSHOT_ELEMENT } from './document';
import { showGraph } from './graph-page';
import { parseGraphPayload } from './payload';
import { THEME_CSS, applyTheme, markTheme, themeVariables } from './theme';

async function boot(doc: Document): Promise<void> {
  const root = doc.documentElement;
  markTheme(root);
  window.addEventListener('message', (e) => {
    const variables = e.source === window.parent ? themeVariables(e.data) : null;
    if (variables !== null) applyTheme(root, variables);
  });
  const holder = doc.getElementById(SNAPSHOT_ELEMENT);
  if (holder === null) {
    showMessage(doc, 'Gradlens: this page carries no graph.');
    return;
  }
  const text =
    holder.dataset.encoding === 'gzip-base64'
      ? await gunzipBase64(holder.textContent)
      : holder.textContent;
  const parsed = parseGraphPayload(text);
  if (!parsed.ok) {
    showMessage(doc, parsed.message);
    return;
  }
  await showGraph(doc, parsed.snapshot, doc.title || 'Gradlens autograd graph', directionOf(root));
}

/** The direction the renderer put on the document; leaves on top anywhere else. */
function directionOf(root: HTMLElement): GraphDirection {
  const d = root.dataset.direction;
  return GRAPH_DIRECTIONS.find((x) => x === d) ?? 'leaves-top';
}

async function gunzipBase64(b64: string): Promise<string> {
  const bytes = Uint8Array.from(atob(b64.trim()), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

function showMessage(doc: Document, message: string): void {
  const style = doc.createElement('style');
  style.textContent = THEME_CSS;
  const p = doc.createElement('p');
  p.className = 'gl-message';
  p.textContent = message;
  doc.head.append(style);
  doc.body.replaceChildren(p);
}

boot(document).catch((e: unknown) => {
  showMessage(
    document,
    `Gradlens could not draw this graph: ${e instanceof Error ? e.message : String(e)}`,
  );
});
