// Selecting nodes: one by a click in the view, or those an editor line created (Reveal in
// Graph, the reverse of click-to-source). A node inside a collapsed group is shown by the box
// of that group.
import type { SvgItem } from '../../src/graph/svg';
import type { GraphNode } from '../../src/protocol/messages';
import { app } from './dom';
import { hideDetails, showDetails } from './details';
import { toggleGroup } from './groups';
import { markSelected } from './marks';
import { containerOf, state } from './state';
import { READABLE_SCALE, centerOn, zoomAt } from './viewport';

/** Nodes to reveal once the graph being laid out is drawn. */
let pending: readonly string[] | null = null;

/** Reveals what was asked for while the graph was being laid out. */
export function revealPending(): void {
  if (pending !== null) reveal(pending);
}

/** Selects the boxes `ids` and shows the details of the first node among `nodes`. */
export function select(ids: readonly string[], nodes = ids): GraphNode | undefined {
  state.selected = ids;
  markSelected();
  const n = nodes.map((id) => state.byId.get(id)).find((x) => x !== undefined);
  if (n === undefined) hideDetails();
  else showDetails(n, (group) => void toggleGroup(group, 'collapse'));
  return n;
}

/** Selects and centres the nodes `ids` (at a readable size), or the groups they are drawn in. */
export function reveal(ids: readonly string[]): void {
  const p = state.parts;
  if (p === null || !state.opened || state.reading !== null) {
    // The graph is still being laid out (the page was rebuilt) or read: once it is drawn and read.
    pending = ids;
    return;
  }
  pending = null;
  const boxes = new Map(p.items.filter((it) => it.kind === 'node').map((it) => [it.id, it]));
  const shown = new Map<string, SvgItem>();
  for (const id of ids) {
    for (let box: string | null = id; box !== null; box = containerOf(box)) {
      const it = boxes.get(box);
      if (it === undefined) continue;
      shown.set(box, it);
      break;
    }
  }
  select([...shown.keys()], ids);
  if (state.transform.scale < READABLE_SCALE) zoomAt(READABLE_SCALE / state.transform.scale);
  centerOn(...shown.values());
  app.dataset.reveals = String(Number(app.dataset.reveals ?? '0') + 1);
}
