// The monitor page's one handle on VS Code (`acquireVsCodeApi` may be called once per page).
import type { FromMonitor, RunMeta } from './protocol';

/**
 * What the page keeps across hide/show and reloads. The steps themselves are not kept here
 * (a million of them would make every setState slow): the host replays them on 'ready'.
 */
export interface MonitorState {
  readonly overlay: boolean;
  readonly zoom: [number, number] | null;
  /** The run last shown, so the header is right before the replay arrives. */
  readonly meta: RunMeta | null;
}

interface VsCodeApi {
  postMessage(m: FromMonitor): void;
  getState(): MonitorState | undefined;
  setState(s: MonitorState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();
