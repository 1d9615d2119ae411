// agtree2dot parity in a real VS Code (code-server + Chromium): intermediate tensors carry
// their variable's name in the graph view (Q on SubBackward0, P on PowBackward0), and the
// gradlens.graph.direction setting turns the shown graph root-top and back; search finds Q.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { ROOT } from './harness/code-server';
import {
  closeSession,
  openInFirstGroup,
  openSession,
  runCommand,
  screenshot,
  shownGraph,
  type Session,
  waitForActivation,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  copyFileSync(join(ROOT, 'examples', 'retain-grad.ts'), join(ws.dir, 'retain-grad.ts'));
  session = await openSession({ workspace: ws.dir, disableWorkspaceTrust: true });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

/** The text lines drawn in the box of the node named `name`. */
async function boxLines(frame: Frame, name: string): Promise<string[][]> {
  return frame.$$eval(`g.gl-node[data-name="${name}"]`, (gs) =>
    gs.map((g) => [...g.querySelectorAll(':scope > text')].map((t) => t.textContent)),
  );
}

/** The vertical centre on screen of the first box matching `selector`. */
async function centreY(frame: Frame, selector: string): Promise<number> {
  return frame.$eval(selector, (g) => {
    const r = g.getBoundingClientRect();
    return r.y + r.height / 2;
  });
}

/** Sets gradlens.graph.direction in the workspace and waits for the graph to be painted again. */
async function setDirection(frame: Frame, direction: string): Promise<Frame> {
  const paints = Number(await frame.$eval('#app', (a) => (a as HTMLElement).dataset.paints));
  mkdirSync(join(ws.dir, '.vscode'), { recursive: true });
  writeFileSync(
    join(ws.dir, '.vscode', 'settings.json'),
    JSON.stringify({ 'gradlens.graph.direction': direction }),
  );
  await frame.waitForFunction(
    (p) => {
      const app = document.getElementById('app')!;
      return Number(app.dataset.paints) > p && app.dataset.state === 'painted';
    },
    paints,
    { timeout: 60_000 },
  );
  return frame;
}

test('Q and P name their nodes; the direction setting turns the graph root-top, where stepping works', async () => {
  await openInFirstGroup(page, 'retain-grad.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const frame = await shownGraph(page, 'retain-grad.ts: backward() #1');

  // The PyTorch name stays the title; the variable is a line under it.
  expect(await boxLines(frame, 'SubBackward0')).toEqual([
    expect.arrayContaining(['SubBackward0', '→ Q']),
  ]);
  const pows = await boxLines(frame, 'PowBackward0');
  expect(pows.filter((lines) => lines.includes('→ P'))).toHaveLength(1);
  expect(pows.filter((lines) => lines.includes('→ Q'))).toHaveLength(0);
  await frame.click('g.gl-node[data-name="SubBackward0"]');
  const variable = frame
    .locator('#details tr', { has: frame.locator('th', { hasText: /^variable$/ }) })
    .locator('td');
  expect(await variable.innerText()).toBe('Q');
  // Search finds a node by its variable too.
  await frame.fill('#search', 'Q');
  await frame.waitForFunction(() => document.getElementById('matches')!.textContent === '1 match');
  expect(
    await frame.$$eval('g.gl-node.gl-match', (gs) => gs.map((g) => g.getAttribute('data-name'))),
  ).toEqual(['SubBackward0']);
  await frame.fill('#search', '');

  // Leaves on top by default, as torchviz draws them.
  const leaf = 'g.gl-node.gl-leaf[data-name="a"]';
  const output = 'g.gl-node.gl-output';
  expect(await centreY(frame, output)).toBeGreaterThan(await centreY(frame, leaf));
  await screenshot(page, 'names-leaves-top');

  await setDirection(frame, 'root-top');
  expect(await centreY(frame, output)).toBeLessThan(await centreY(frame, leaf));
  expect(await boxLines(frame, 'SubBackward0')).toEqual([
    expect.arrayContaining(['SubBackward0', '→ Q']),
  ]);
  await screenshot(page, 'names-root-top');
  // Stepping through backward starts at the root, now on top, and keeps it in view.
  if (!(await frame.locator('#step').isVisible())) await frame.click('#more');
  await frame.click('#step');
  await frame.locator('#step-bar').waitFor({ state: 'visible' });
  expect(await frame.locator('#step-count').textContent()).toBe('step 1 of 6');
  const now = frame.locator('g.gl-step-now');
  expect(await now.locator(':scope > text').allTextContents()).toContain('→ P');
  expect(
    await now.evaluate((g) => {
      const r = g.getBoundingClientRect();
      return (
        r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth
      );
    }),
  ).toBe(true);
  await page.keyboard.press('End');
  await expect
    .poll(() => frame.locator('#step-count').textContent(), { timeout: 30_000 })
    .toBe('step 6 of 6');
  await page.keyboard.press('Escape');
  await frame.locator('#step-bar').waitFor({ state: 'detached' });

  await setDirection(frame, 'leaves-top');
  expect(await centreY(frame, output)).toBeGreaterThan(await centreY(frame, leaf));
});
