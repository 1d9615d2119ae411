// The details box during the step-through: the step's node and rule, where gradients met the
// sum in numbers, and the same lines as `gradlens run --explain` (what the node received and
// what it sent to each input, with the rule's formula and its numbers).
import type { WalkStep } from '../../src/explain/walkthrough';
import { el } from './dom';
import { hidePanel, panelTitle, showPanel } from './panel';

/** Shows step `index` of `count`; `close` leaves the step-through. */
export function showStepPanel(st: WalkStep, index: number, count: number, close: () => void): void {
  const lines = [
    el('div', { className: 'gl-step-head', textContent: st.head.replace(/^step \d+: /, '') }),
    el('div', { className: 'gl-step-rule', textContent: st.rule }),
  ];
  if (st.sum !== null)
    lines.push(el('div', { className: 'gl-step-sum', textContent: `summed: ${st.sum}` }));
  for (const line of st.body)
    lines.push(el('div', { className: 'gl-step-line', textContent: line }));
  showPanel(
    panelTitle(`Step ${String(index + 1)} of ${String(count)}`),
    { action: close, label: 'Leave the step-through', tip: 'Leave the step-through (Esc)' },
    ...lines,
  );
}

/** Says why there is nothing to step through. */
export function showNoSteps(reason: string): void {
  showPanel(
    panelTitle('Step through backward'),
    { action: hidePanel },
    el('p', { id: 'step-unavailable', textContent: reason }),
  );
}
