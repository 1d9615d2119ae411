// The one handle a page has on VS Code, typed by what the page posts and what it keeps across
// reloads. `acquireVsCodeApi` may be called only once per page: each page calls vscodeApi once.

export interface VsCodeApi<Msg, State> {
  postMessage(m: Msg): void;
  /** What the page last kept, as VS Code stored it with the panel (undefined on a first load). */
  getState(): State | undefined;
  setState(s: State): void;
}

declare function acquireVsCodeApi(): VsCodeApi<unknown, unknown>;

export function vscodeApi<Msg, State>(): VsCodeApi<Msg, State> {
  return acquireVsCodeApi() as VsCodeApi<Msg, State>;
}
