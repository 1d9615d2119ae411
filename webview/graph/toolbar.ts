// The toolbar stays one row in a narrow panel: the items it cannot hold (exports first, then
// the backward() picker, Fit and search) move into the "…" menu, and come back when there is
// room again. The title shrinks first, down to a few letters.
import { more, moreMenu, overflowable, title, toolbar } from './dom';

/** Where each item that can move into the menu stands in the toolbar. */
const homes = new Map<HTMLElement, Comment>();

/** Puts every item back, then moves the first to go into the menu until the row fits. */
export function fitToolbar(): void {
  if (!toolbar.isConnected) return;
  // Only items away from home move: moving one takes the focus off it (a panel's opener
  // shown again gets the focus back just before this runs).
  for (const [item, home] of homes) if (item.nextSibling !== home) home.before(item);
  more.hidden = false;
  for (const item of overflowable) {
    if (toolbar.scrollWidth <= toolbar.clientWidth) break;
    moreMenu.append(item);
  }
  more.hidden = moreMenu.childElementCount === 0;
  if (more.hidden) moreMenu.hidden = true;
}

export function installToolbarOverflow(): void {
  for (const item of overflowable) {
    const home = document.createComment(item.id);
    item.after(home);
    homes.set(item, home);
  }
  new ResizeObserver(fitToolbar).observe(toolbar);
  // What fits also changes without a resize: a new title, a button shown, hidden or relabelled
  // (the step and check buttons change after a graph arrives). Moving items does not count.
  const changed = new MutationObserver(fitToolbar);
  const content = { childList: true, characterData: true, subtree: true };
  changed.observe(title, content);
  for (const item of overflowable)
    changed.observe(item, { ...content, attributes: true, attributeFilter: ['hidden'] });
  more.addEventListener('click', (e) => {
    e.stopPropagation();
    moreMenu.style.top = `${String(toolbar.offsetHeight)}px`;
    moreMenu.hidden = !moreMenu.hidden;
  });
  // A button in the menu, or a click anywhere else, closes it (typing a search does not).
  window.addEventListener('click', (e) => {
    const inMenu = e.target instanceof Node && moreMenu.contains(e.target);
    if (!inMenu || (e.target as Element).closest('button') !== null) moreMenu.hidden = true;
  });
}
