// The graph view's page skeleton: every element the modules of the view fill or listen to.
// Built once; `app` shows the skeleton once there is a graph, and a message or failure otherwise.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

export const btn = (id: string, text: string, tip: string): HTMLButtonElement =>
  el('button', { id, textContent: text, title: tip });

/** A panel's ×: screen readers name it by `label`, not by the sign. */
export function closeButton(onClose: () => void, label = 'Close', tip = label): HTMLButtonElement {
  const x = el('button', { textContent: '×', title: tip });
  x.setAttribute('aria-label', label);
  x.addEventListener('click', onClose);
  return x;
}

/**
 * What screen readers are told as it happens (a run going on, a check's verdict). A live
 * region is heard only when it changes after it joined the page, so this one lives outside
 * `app`, whose content is replaced whole, from the page's start on.
 */
const announcer = el('div', { id: 'announce', className: 'visually-hidden', role: 'status' });
announcer.setAttribute('aria-atomic', 'true');
document.body.append(announcer);

export function announce(text: string): void {
  // A new text node even for the same words: a second run of one script is heard again.
  announcer.replaceChildren(document.createTextNode(text));
}

// The shell's root element (src/extension/webview-html.ts); its data-* attributes report the
// view's progress to tests.
export const app = document.getElementById('app') ?? document.body;

export const title = el('h1', { id: 'graph-title' });
export const search = el('input', {
  id: 'search',
  type: 'search',
  placeholder: 'Search names…',
  title: 'Search node names (Enter: go to next match)',
});
export const matches = el('span', { id: 'matches', className: 'muted' });
export const pick = el('button', {
  id: 'pick',
  textContent: 'backward() …',
  title: 'Choose another captured graph (backward() or capture point hit)',
});
export const zoomIn = btn('zoom-in', '+', 'Zoom in (+)');
export const zoomOut = btn('zoom-out', '−', 'Zoom out (−)');
export const fitBtn = btn('fit', 'Fit', 'Fit the graph to the view (0)');
export const exportSvg = btn('export-svg', 'SVG', 'Export as SVG');
export const exportPng = btn('export-png', 'PNG', 'Export as PNG');
export const exportDot = btn('export-dot', 'DOT', 'Export as Graphviz DOT');
const exports = el(
  'span',
  { id: 'exports', className: 'tool-group' },
  el('span', { className: 'muted', textContent: 'Export' }),
  exportSvg,
  exportPng,
  exportDot,
);
/** Enters the step-through of the backward pass (webview/graph/step.ts). */
export const stepBtn = btn(
  'step',
  'Step through backward',
  'Walk through the backward pass node by node (← → Home End, Esc to leave)',
);
/** Checks the graph's gradients with finite differences (webview/graph/gradcheck.ts). */
export const checkBtn = btn(
  'gradcheck',
  'Check gradients',
  "Check with finite differences: rerun the script in float64 and compare the leaves' gradients with central differences",
);
/** Opens the menu of the toolbar's items that did not fit in it. */
export const more = btn('more', '…', 'More actions');
export const moreMenu = el('div', { id: 'more-menu', hidden: true });
/** The items that move into the menu when the toolbar is too narrow, the first to go first. */
const searchGroup = el('span', { id: 'search-group', className: 'tool-group' }, search, matches);
export const overflowable: readonly HTMLElement[] = [
  exports,
  checkBtn,
  pick,
  stepBtn,
  fitBtn,
  searchGroup,
];
export const toolbar = el(
  'div',
  { id: 'toolbar' },
  title,
  el('span', { className: 'spacer' }),
  searchGroup,
  pick,
  stepBtn,
  checkBtn,
  zoomOut,
  zoomIn,
  fitBtn,
  exports,
  more,
);

export const progressBar = el('div', { id: 'progress-bar' });
export const progressText = el('span', { id: 'progress-text' });
export const cancelLayout = btn('cancel-layout', 'Cancel', 'Stop this layout');
export const progress = el(
  'div',
  { id: 'progress', hidden: true },
  progressText,
  el('div', { id: 'progress-track' }, progressBar),
  cancelLayout,
);

export const lightText = el('span', { id: 'light-text' });
export const captureFull = btn(
  'capture-full',
  'Capture in full',
  'Run the script again, capturing this backward() with every value and gradient',
);
export const lightNote = el('div', { id: 'light-note', hidden: true }, lightText, captureFull);

export const canvas = el('div', { id: 'canvas' });
/** What the box colours mean; the colours come from the theme (media/graph-view.css). */
const legend = el(
  'div',
  { id: 'legend', title: 'Box colours' },
  ...(
    [
      ['gl-leaf', 'leaf'],
      ['gl-function', 'function'],
      ['gl-output', 'output'],
      ['gl-flagged', 'NaN/Inf'],
    ] as const
  ).map(([cls, label]) => el('span', {}, el('i', { className: `gl-swatch ${cls}` }), label)),
);
export const minimapCanvas = el('canvas');
export const minimapView = el('div', { id: 'minimap-view' });
export const minimap = el(
  'div',
  { id: 'minimap', hidden: true, title: 'The whole graph: click or drag to move the view' },
  minimapCanvas,
  minimapView,
);
export const view = el('div', { id: 'view' }, canvas, legend, minimap);
export const details = el('div', { id: 'details', hidden: true });
export const status = el('div', { id: 'status', className: 'muted' });

/** Puts the graph view's skeleton in the page (after a message or failure took its place). */
export function showSkeleton(): void {
  if (!title.isConnected)
    app.replaceChildren(toolbar, moreMenu, lightNote, progress, view, details, status);
}

/** A message in place of the drawing, with an optional action button. */
export function showMessage(text: string, action?: string, onAction?: () => void): void {
  canvas.replaceChildren();
  const p = el('p', { className: 'empty', textContent: text });
  if (action !== undefined && onAction !== undefined) {
    const b = el('button', { textContent: action });
    b.addEventListener('click', onAction);
    p.append(' ', b);
  }
  canvas.append(p);
}

/** The whole page is this one paragraph (no graph, no toolbar). */
export function showPageMessage(text: string): void {
  app.replaceChildren(el('p', { className: 'empty', textContent: text }));
}
