// The notebook renderer for application/vnd.gradlens.graph+json outputs (package.json
// contributes.notebookRenderer). Each output is checked, then drawn as the standalone page in
// a sandboxed frame of its own, so outputs cannot disturb each other or the notebook; the
// frame gets the theme's --vscode-* variables now and whenever the theme changes.
import pageSource from 'standalone-page-source';
import { standaloneDocument } from './document';
import { parseGraphPayload } from './payload';
import type { ThemeMessage } from './theme';

/** The parts of VS Code's renderer API used here (vscode-notebook-renderer). */
interface OutputItem {
  readonly id: string;
  data(): Uint8Array;
}

/** The height of an output's frame (the page inside zooms and pans). */
const FRAME_HEIGHT = 520;

export function activate(): {
  renderOutputItem: (item: OutputItem, element: HTMLElement) => void;
  disposeOutputItem: (id?: string) => void;
} {
  const themes = new Map<string, MutationObserver>();
  const dispose = (id: string): void => {
    themes.get(id)?.disconnect();
    themes.delete(id);
  };
  return {
    renderOutputItem(item, element) {
      dispose(item.id);
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
      });
      element.replaceChildren(frame);
      themes.set(item.id, followTheme(frame));
    },
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
