// Messages between the notebook renderer (webview/standalone/renderer.ts) and the extension
// host (src/extension/notebook/renderer-messaging.ts). A renderer cannot read settings: it asks
// for the graph direction once and is told again whenever the setting changes. No DOM, no
// `vscode`: both ends import it, and each checks what the other sent.
import { GRAPH_DIRECTIONS, type GraphDirection } from '../graph/direction';

export const DIRECTION_REQUEST = 'gradlens/direction?';
export const DIRECTION_MESSAGE = 'gradlens/direction';

export interface DirectionRequest {
  readonly type: typeof DIRECTION_REQUEST;
}

export interface DirectionMessage {
  readonly type: typeof DIRECTION_MESSAGE;
  readonly direction: GraphDirection;
}

export function isDirectionRequest(m: unknown): m is DirectionRequest {
  return (
    typeof m === 'object' && m !== null && (m as { type?: unknown }).type === DIRECTION_REQUEST
  );
}

/** The direction a host message carries, or null for anything else. */
export function directionIn(m: unknown): GraphDirection | null {
  if (typeof m !== 'object' || m === null) return null;
  const { type, direction } = m as { type?: unknown; direction?: unknown };
  if (type !== DIRECTION_MESSAGE) return null;
  return GRAPH_DIRECTIONS.find((d) => d === direction) ?? null;
}
