// The notebook renderer for application/vnd.gradlens.graph+json outputs (package.json
// contributes.notebookRenderer). Each output is checked, then drawn as the standalone page in
// a sandboxed frame of its own, so outputs cannot disturb each other or the notebook; the
// frame gets the theme's --vscode-* variables now and whenever the theme changes, and the
// graph stands as the gradlens.graph.direction setting says once the extension has told it.
import pageSource from 'standalone-page-source';
import type { GraphDirection } from '../../src/graph/direction';
import {
  DIRECTION_REQUEST,
  directionIn,
  type DirectionRequest,
} from '../../src/protocol/notebook-renderer';
import { standaloneDocument } from './document';
import { parseGraphPayload } from './payload';
import type { ThemeMessage } from './theme';

/** The parts of VS Code's renderer API used here (vscode-notebook-renderer). */
interface OutputItem {
  readonly id: string;
  data(): Uint8Array;
}

/** Messaging is there only when the extension host is (requiresMessaging: optional). */
interface RendererContext {
  postMessage?(message: unknown): void;
  onDidReceiveMessage?(listener: (message: unknown) => void): unknown;
}

/** The height of an output's frame (the page inside zooms and pans). */
const FRAME_HEIGHT = 520;

export function activate(context: RendererContext = {}): {
  renderOutputItem: (item: OutputItem, element: HTMLElement) => void;
  disposeOutputItem: (id?: string) => void;
} {
  const themes = new Map<string, MutationObserver>();
  const shown = new Map<string, { item: OutputItem; element: HTMLElement }>();
  let direction: GraphDirection = 'leaves-top';
  const dispose = (id: string): void => {
    themes.get(id)?.disconnect();
    themes.delete(id);
    shown.delete(id);
  };
  const render = (item: OutputItem, element: HTMLElement): void => {
    dispose(item.id);
    shown.set(item.id, { item, element });
    const parsed = parseGraphPayload(item.data());
    if (!parsed.ok) {
      element.replaceChildren(message(parsed.message));
      return;
    }
    const frame = document.createElement('iframe');
    // Scripts only: no access to the notebook, its storage or the renderer's messaging.
    frame.setAttribute('sandbox', 'allow-scripts allow-downloads');
    frame.dataset.gradlens = 'graph-output';
    frame.style.cssText = `width:100%;height:${FRAME_HEIGHT}px;border:1px solid var(--vscode-panel-border,transparent);display:block`;
    frame.srcdoc = standaloneDocument(parsed.text, pageSource, {
      title: titleOf(parsed.snapshot.outputs, parsed.snapshot.nodes),
      rootStyle: Object.entries(themeVariables())
        .map(([k, v]) => `${k}:${v}`)
        .join(';'),
      direction,
    });
    element.replaceChildren(frame);
    themes.set(item.id, followTheme(frame));
  };
  context.onDidReceiveMessage?.((m) => {
    const d = directionIn(m);
    if (d === null || d === direction) return;
    direction = d;
    for (const { item, element } of [...shown.values()]) render(item, element);
  });
  const ask: DirectionRequest = { type: DIRECTION_REQUEST };
  context.postMessage?.(ask);
  return {
    renderOutputItem: render,
    disposeOutputItem(id) {
      if (id !== undefined) dispose(id);
      else for (const k of [...themes.keys()]) dispose(k);
    },
  };
}

function titleOf(outputs: string[], nodes: { id: string; name: string }[]): string {
  const names = outputs.map((id) => nodes.find((n) => n.id === id)?.name ?? id);
  return `autograd graph of ${names.join(', ') || 'a tensor'}`;
}

/** The --vscode-* variables VS Code puts on the notebook webview's root. */
function themeVariables(): Record<string, string> {
  const style = document.documentElement.style;
  const out: Record<string, string> = {};
  for (let i = 0; i < style.length; i++) {
    const name = style.item(i);
    if (name.startsWith('--vscode-')) out[name] = style.getPropertyValue(name);
  }
  return out;
}

/** Sends the variables to the frame again each time VS Code changes them. */
function followTheme(frame: HTMLIFrameElement): MutationObserver {
  const observer = new MutationObserver(() => {
    const m: ThemeMessage = { type: 'gradlens/theme', variables: themeVariables() };
    frame.contentWindow?.postMessage(m, '*');
  });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return observer;
}

function message(text: string): HTMLElement {
  const p = document.createElement('p');
  p.dataset.gradlens = 'graph-output-error';
  p.style.cssText = 'color:var(--vscode-errorForeground,#a1260d);white-space:pre-wrap;margin:8px 0';
  p.textContent = text;
  return p;
}
