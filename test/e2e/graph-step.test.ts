// Step through backward in a real VS Code (code-server + Chromium): on the seed's Q/P graph
// the keyboard walks the chain rule node by node and the panel reads -32, -384, 96 and the
// leaves' .grad; in a graph whose module is collapsed, stepping onto a node inside it expands
// it, and leaving collapses it again; a graph without recorded flow says why it cannot step.
// Screenshots: test-artifacts/step-*.png.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { ROOT } from './harness/code-server';
import {
  closeSession,
  openSession,
  runLog,
  screenshot,
  type Session,
  waitForActivation,
  visualizeFile,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

/** Over 2,000 nodes: by default ('auto') its flow is not recorded. */
const LONG = `import * as torch from 'gradlens';
const w = torch.tensor(0.5, { requiresGrad: true });
let h = torch.tensor(1.0);
for (let i = 0; i < 1100; i++) h = h.mul(w).add(1);
h.backward();
`;

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  copyFileSync(join(ROOT, 'test', 'fixtures', 'scripts', 'explain-qp.ts'), join(ws.dir, 'qp.ts'));
  copyFileSync(join(ROOT, 'test', 'e2e', 'fixtures', 'mlp.ts'), join(ws.dir, 'mlp.ts'));
  writeFileSync(join(ws.dir, 'long.ts'), LONG);
  session = await openSession({ workspace: ws.dir, disableWorkspaceTrust: true });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  console.log(runLog(session).join('\n'));
  await closeSession(session);
  ws.remove();
});

/** Clicks the toolbar's Step through backward, from the "…" menu when the toolbar had no room. */
async function startStepping(frame: Frame): Promise<void> {
  if (!(await frame.locator('#step').isVisible())) await frame.click('#more');
  await frame.click('#step');
  await frame.locator('#step-bar').waitFor({ state: 'visible' });
}

const details = (frame: Frame): Promise<string> =>
  frame.locator('#details').evaluate((e) => e.textContent);

/** Presses a key and waits for the step it leads to. */
async function press(frame: Frame, key: string, step: number): Promise<void> {
  await page.keyboard.press(key);
  await expect
    .poll(() => frame.locator('#step-count').textContent(), { timeout: 30_000 })
    .toBe(`step ${String(step)} of 6`);
}

test('the keyboard walks the Q/P backward pass with its numbers in the panel', async () => {
  const frame = await visualizeFile(page, 'qp.ts');
  await startStepping(frame);
  expect(await frame.locator('#step-count').textContent()).toBe('step 1 of 6');
  expect(await frame.locator('g.gl-step-now').getAttribute('data-name')).toBe('PowBackward0');
  expect(await details(frame)).toContain('= -32 (= 1 * -32)');
  await press(frame, 'ArrowRight', 2);
  expect(await details(frame)).toContain('received grad = -32 from PowBackward0 (step 1) as self');
  expect(await details(frame)).toContain('= 32 (= -32 * -1)');
  expect(await frame.locator('g.gl-step-done').count()).toBe(1);
  expect(await frame.locator('g.gl-step-todo').count()).toBe(4);
  await press(frame, 'ArrowRight', 3);
  expect(await details(frame)).toContain('grad * other = 96 (= 32 * 3)');
  await press(frame, 'ArrowRight', 4);
  expect(await details(frame)).toContain('b.grad: None -> 96');
  await press(frame, 'ArrowRight', 5);
  expect(await details(frame)).toContain('= -384 (= -32 * 12)');
  await press(frame, 'ArrowRight', 6);
  expect(await details(frame)).toContain('a.grad: None -> -384');
  const labels = await frame
    .locator('.gl-step-label')
    .evaluateAll((els) => els.map((e) => e.textContent));
  expect(labels.sort()).toEqual(['-32', '-32', '-384', '.grad -384', '.grad 96', '1', '32', '96']);
  await screenshot(page, 'step-qp-last');
  await press(frame, 'Home', 1);
  await page.keyboard.press('Escape');
  await frame.locator('#step-bar').waitFor({ state: 'detached' });
  expect(await frame.locator('.gl-step-label, .gl-step-now, .gl-step-todo').count()).toBe(0);
  expect(await frame.locator('#details').isVisible()).toBe(false);
});

test('stepping onto a node inside a collapsed module expands it; leaving collapses it', async () => {
  const frame = await visualizeFile(page, 'mlp.ts');
  const toggles = (): Promise<number> =>
    frame.$eval('#app', (a) => Number((a as HTMLElement).dataset.toggles ?? '0'));
  // Collapse the whole model from a node inside it (its details offer each open group).
  await frame.locator('g.gl-node[data-name="ReluBackward0"]').click();
  const collapse = frame.locator('#details button.collapse-group').last();
  await collapse.waitFor();
  let seen = await toggles();
  await collapse.click();
  await expect.poll(toggles, { timeout: 60_000 }).toBeGreaterThan(seen);
  expect(await frame.locator('g.gl-group').count()).toBe(1);
  expect(await frame.locator('g.gl-node[data-name="ReluBackward0"]').count()).toBe(0);

  await startStepping(frame);
  seen = await toggles();
  await page.keyboard.press('End');
  await expect.poll(toggles, { timeout: 60_000 }).toBeGreaterThan(seen);
  await frame.locator('g.gl-step-now').waitFor();
  expect(await frame.locator('g.gl-group').count()).toBe(0);
  expect(await details(frame)).toContain('.grad: None -> ');
  await screenshot(page, 'step-mlp-expanded');

  seen = await toggles();
  await frame.click('#step-exit');
  await expect.poll(toggles, { timeout: 60_000 }).toBeGreaterThan(seen);
  expect(await frame.locator('g.gl-group').count()).toBe(1);
});

test('without recorded flow the button says why', async () => {
  const frame = await visualizeFile(page, 'long.ts');
  if (!(await frame.locator('#step').isVisible())) await frame.click('#more');
  expect(await frame.locator('#step').getAttribute('title')).toContain('was not recorded');
  await frame.click('#step');
  expect(await frame.locator('#step-unavailable').textContent()).toContain(
    "The backward pass's flow was not recorded for this graph",
  );
  expect(await frame.locator('#step-bar').count()).toBe(0);
});
