// Expanding and collapsing groups (modules, repeated blocks) in place: the worker lays out the
// change, and the view keeps the group where it was on screen.
import { app } from './dom';
import { hideDetails } from './details';
import { itemRect } from './geometry';
import { CANCELLED, layout } from './layout-client';
import { containerOf, save, state, vscode } from './state';
import { nextPaint } from './timing';
import { paint, panBy } from './viewport';

export async function toggleGroup(group: string, op: 'expand' | 'collapse'): Promise<void> {
  if (!state.opened) return;
  try {
    const started = performance.now();
    // Where the group is on screen now: its box, or the nodes it holds.
    const before = op === 'expand' ? boxRect(group) : membersRect(group);
    const r = await layout({ op, group });
    const collapsed = new Set(state.saved.collapsed);
    if (op === 'collapse') collapsed.add(group);
    else collapsed.delete(group);
    save({ ...state.saved, collapsed: [...collapsed] });
    paint(r, false);
    // An in-place step keeps every position, so zoom and pan stay as they are. A full layout
    // (the box found no room) moves everything: pan so the group stays where it was on screen.
    if (r.engine !== 'incremental' && r.engine !== 'restored' && before !== null) {
      const after = op === 'expand' ? membersRect(group) : boxRect(group);
      if (after !== null) panBy(before.left - after.left, before.top - after.top);
    }
    hideDetails();
    // Click to pixels on screen, for tests and the bench to report (the box count changes
    // before the browser has drawn the new picture).
    await nextPaint();
    app.dataset.toggleMs = String(Math.round(performance.now() - started));
    app.dataset.toggles = String(Number(app.dataset.toggles ?? '0') + 1);
  } catch (e) {
    if ((e as Error).message !== CANCELLED)
      vscode.postMessage({ type: 'error', message: (e as Error).message });
  }
}

/** Whether a node or group id lies (at any depth) inside `group`. */
function isInside(id: string, group: string): boolean {
  for (let g = containerOf(id); g !== null; g = containerOf(g)) if (g === group) return true;
  return false;
}

function boxRect(group: string): { left: number; top: number } | null {
  const p = state.parts;
  const it = p?.items.find((i) => i.kind === 'node' && i.id === group);
  return p == null || it === undefined ? null : itemRect(p, it);
}

/** The screen rectangle around the group's nodes (and groups inside it) that are shown. */
function membersRect(group: string): { left: number; top: number } | null {
  const p = state.parts;
  if (p === null) return null;
  let left = Infinity;
  let top = Infinity;
  for (const it of p.items) {
    if (it.kind !== 'node' || !isInside(it.id, group)) continue;
    const r = itemRect(p, it);
    left = Math.min(left, r.left);
    top = Math.min(top, r.top);
  }
  return left === Infinity ? null : { left, top };
}
