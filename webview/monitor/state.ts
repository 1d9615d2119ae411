// What the monitor page keeps across reloads, and its handle on VS Code.
import type { FromMonitor, RunMeta } from '../../src/protocol/monitor';
import { vscodeApi } from '../vscode-api';

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

export const vscode = vscodeApi<FromMonitor, MonitorState>();
