// "Step through backward": the backward pass node by node in the order the engine ran it
// (src/explain/walkthrough.ts), with First/Previous/Next/Last buttons and ←/→/Home/End keys.
// A step whose node sits in a collapsed group expands the group first; leaving collapses
// again what the step-through expanded and takes its marks off the drawing.
import { noStepsReason, walkthrough } from '../../src/explain/walkthrough';
import { btn, details, el, stepBtn, toolbar, view } from './dom';
import { hideDetails } from './details';
import { toggleGroup } from './groups';
import { panelAskedFrom } from './panel';
import { markStep } from './step-marks';
import { showNoSteps, showStepPanel } from './step-panel';
import { awaitsRead, containerOf, state } from './state';
import { panBy } from './viewport';
import { itemRect } from './geometry';

const first = btn('step-first', 'First', 'First step (Home)');
const prev = btn('step-prev', '◀ Previous', 'Previous step (←)');
const next = btn('step-next', 'Next ▶', 'Next step (→)');
const last = btn('step-last', 'Last', 'Last step (End)');
const leave = btn('step-exit', 'Exit', 'Leave the step-through (Esc)');
const counter = el('span', { id: 'step-count' });
const bar = el('div', { id: 'step-bar' }, first, prev, counter, next, last, leave);

/** Steps run one after another: each may wait for a group to be laid out. */
let queue: Promise<void> = Promise.resolve();

/** After a new graph is shown: stepping ends, and the button says whether this graph can step. */
export function resetStepping(): void {
  if (state.step !== null) leaveStepping(false);
  const can = state.snapshot?.flowRecorded === true;
  stepBtn.classList.toggle('unavailable', !can);
  stepBtn.title =
    can || state.snapshot === null
      ? 'Walk through the backward pass node by node (← → Home End, Esc to leave)'
      : noStepsReason(state.snapshot);
}

function enter(): void {
  if (awaitsRead(enter)) return;
  const s = state.snapshot;
  if (s === null || !state.opened) return;
  const steps = walkthrough(s);
  if (steps.length === 0) {
    showNoSteps(noStepsReason(s));
    return;
  }
  state.step = { steps, index: 0, opened: [] };
  panelAskedFrom(stepBtn);
  stepBtn.hidden = true;
  toolbar.after(bar);
  go(0);
}

/**
 * Moves to step `index` (clamped) at once, so quick key presses add up, and shows it once the
 * steps asked for before it are shown.
 */
function go(index: number): void {
  const mode = state.step;
  if (mode === null) return;
  mode.index = Math.max(0, Math.min(mode.steps.length - 1, index));
  queue = queue.then(show);
}

async function show(): Promise<void> {
  const mode = state.step;
  if (mode === null) return;
  const st = mode.steps[mode.index];
  await openGroupsAround(st.node);
  if (state.step !== mode) return;
  markStep();
  counter.textContent = `step ${String(mode.index + 1)} of ${String(mode.steps.length)}`;
  first.disabled = prev.disabled = mode.index === 0;
  next.disabled = last.disabled = mode.index === mode.steps.length - 1;
  showStepPanel(st, mode.index, mode.steps.length, () => {
    leaveStepping(true);
  });
  keepInView(st.node);
}

/** Expands, outermost first, the collapsed groups around node `id`. */
async function openGroupsAround(id: string): Promise<void> {
  const around: string[] = [];
  for (let g = containerOf(id); g !== null; g = containerOf(g)) around.unshift(g);
  for (const g of around) {
    if (state.expanded.has(g)) continue;
    await toggleGroup(g, 'expand');
    state.step?.opened.push(g);
  }
}

/**
 * Pans the running node into the middle of the part of the view the details box leaves
 * free, when it is not wholly there already.
 */
function keepInView(id: string): void {
  const p = state.parts;
  const it = p?.items.find((i) => i.kind === 'node' && i.id === id);
  if (p == null || it === undefined) return;
  const r = itemRect(p, it);
  const v = view.getBoundingClientRect();
  const box = details.hidden ? null : details.getBoundingClientRect();
  // Beside the box when that leaves room for the graph, else the whole view.
  const right = box !== null && box.left - v.left > v.width * 0.4 ? box.left - 8 : v.right;
  const inside =
    r.left >= v.left && r.top >= v.top && r.left + r.width <= right && r.top + r.height <= v.bottom;
  if (!inside)
    panBy(
      (v.left + right) / 2 - (r.left + r.width / 2),
      (v.top + v.bottom) / 2 - (r.top + r.height / 2),
    );
}

/** Ends the step-through; `restore` also collapses the groups it expanded. */
function leaveStepping(restore: boolean): void {
  const mode = state.step;
  if (mode === null) return;
  state.step = null;
  bar.remove();
  stepBtn.hidden = false;
  markStep();
  hideDetails();
  if (restore)
    for (const g of mode.opened.reverse())
      queue = queue.then(() => (state.expanded.has(g) ? toggleGroup(g, 'collapse') : undefined));
}

/** ←/→/Home/End step, Esc leaves; not while typing. */
function onKey(e: KeyboardEvent): void {
  const mode = state.step;
  if (mode === null || e.target instanceof HTMLInputElement) return;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const to: Readonly<Record<string, number>> = {
    ArrowRight: mode.index + 1,
    ArrowLeft: mode.index - 1,
    Home: 0,
    End: Infinity,
  };
  if (e.key === 'Escape') leaveStepping(true);
  else if (e.key in to) go(to[e.key]);
  else return;
  e.preventDefault();
}

export function installStepping(): void {
  stepBtn.addEventListener('click', enter);
  first.addEventListener('click', () => {
    go(0);
  });
  prev.addEventListener('click', () => {
    go((state.step?.index ?? 0) - 1);
  });
  next.addEventListener('click', () => {
    go((state.step?.index ?? 0) + 1);
  });
  last.addEventListener('click', () => {
    go(Infinity);
  });
  leave.addEventListener('click', () => {
    leaveStepping(true);
  });
  window.addEventListener('keydown', onKey);
}
