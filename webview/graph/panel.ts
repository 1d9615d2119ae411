// The details box is the view's one panel: a node's details, a step of the step-through, a
// gradient check, or why there is nothing to step through. Its title is a heading under the
// view's (the graph's title is the page's h1), its × and Esc close it, and closing it hands the
// focus back to the control that opened it, so a keyboard user goes on where they were.
import { closeButton, details, el, more, moreMenu } from './dom';

/** What a panel's × says and does. */
export interface PanelClose {
  readonly action: () => void;
  readonly label?: string;
  readonly tip?: string;
}

/** The control that had the focus when the panel opened (null: none, e.g. a click on a box). */
let opener: HTMLElement | null = null;
/** What the panel on screen does when it closes (its ×'s action). */
let closing: (() => void) | null = null;
/** The control a panel still to come was asked from (see panelAskedFrom). */
let askedFrom: HTMLElement | null = null;

/** A panel's title: an h2, under the page's h1 (the graph's title). */
export function panelTitle(text: string, props: Partial<HTMLHeadingElement> = {}): HTMLElement {
  return el('h2', { className: 'panel-title', textContent: text, ...props });
}

/**
 * Names the control that asks for a panel when the focus will have left it by the time the
 * panel shows: Step through backward hides itself at once, and its panel comes after a layout.
 */
export function panelAskedFrom(control: HTMLElement): void {
  askedFrom = control;
}

/**
 * Puts `title`, a × doing `close`, and `parts` in the panel and shows it. A panel replacing the
 * one on screen keeps its opener: the focus goes back to what opened the first.
 */
export function showPanel(
  title: HTMLElement,
  close: PanelClose,
  ...parts: HTMLElement[]
): HTMLButtonElement {
  if (details.hidden) opener = askedFrom ?? focusedControl();
  askedFrom = null;
  closing = close.action;
  const x = closeButton(
    () => {
      closePanel();
    },
    close.label,
    close.tip,
  );
  details.replaceChildren(el('div', { className: 'details-head' }, title, x), ...parts);
  details.hidden = false;
  return x;
}

/**
 * Closes the panel as its × or Esc does: the focus goes back to its opener (a click on the ×
 * need not have focused it, and the focus would be lost with the panel).
 */
export function closePanel(): void {
  const action = closing;
  closing = null;
  action?.();
  details.hidden = true;
  returnFocus();
}

/** Hides the panel without moving the focus (a new graph, a click beside the boxes). */
export function hidePanel(): void {
  closing = null;
  askedFrom = null;
  details.hidden = true;
}

/**
 * Esc with the focus in the panel closes it. It is handled on the panel itself, before the
 * page's own Esc (leaving the step-through), which then sees nothing left to do; Esc elsewhere
 * is left as it was.
 */
export function installPanelKeys(): void {
  details.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || details.hidden || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    e.stopPropagation();
    closePanel();
  });
}

function focusedControl(): HTMLElement | null {
  const f = document.activeElement;
  return f instanceof HTMLElement && f !== document.body && !details.contains(f) ? f : null;
}

/**
 * The opener gets the focus back if it can take it (a step-through's bar is gone by then); one
 * in the closed "…" menu of a narrow toolbar hands it to the menu's button.
 */
function returnFocus(): void {
  const o = opener;
  opener = null;
  if (o === null || !o.isConnected) return;
  o.focus();
  if (document.activeElement !== o && moreMenu.contains(o)) more.focus();
}
