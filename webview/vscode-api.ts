// The one handle the page has on VS Code. `acquireVsCodeApi` may be called only once per page.
import type { FromWebview, GraphPayload } from './messages';

/** What survives a reload (VS Code keeps it with the panel; the serializer restores the panel). */
export interface ViewState {
  readonly payload: GraphPayload | null;
  readonly collapsed: readonly string[];
  readonly search: string;
  /** Title of a graph too big to keep here (see saveState in graph-view.ts). */
  readonly dropped?: string;
}

interface VsCodeApi {
  postMessage(m: FromWebview): void;
  getState(): ViewState | undefined;
  setState(s: ViewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();
