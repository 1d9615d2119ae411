// What the graph view says around the graph, in a real VS Code (code-server + Chromium): a
// selection stays with its graph, a light capture says what it lacks and captures itself in
// full on one click, a failed run shows its failure with Show Output and Re-run, and the
// footer's layout figures are the Output channel's, module calls are framed clusters that
// collapse from their chevron; panels have headings, close with Esc and × and give the focus
// back, and a failure is announced to screen readers once. Screenshots go to test-artifacts/ux-*.png.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { ROOT } from './harness/code-server';
import {
  closeSession,
  notification,
  openFile,
  openSession,
  runCommand,
  runLog,
  screenshot,
  shownGraph,
  webviewFrame,
  type Session,
  waitForActivation,
  visualizeFile,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  for (const e of ['square-plus-3x', 'retain-grad', 'mnist-classifier'])
    copyFileSync(join(ROOT, 'examples', `${e}.ts`), join(ws.dir, `${e}.ts`));
  session = await openSession({
    workspace: ws.dir,
    disableWorkspaceTrust: true,
    settings: { 'gradlens.run.timeoutSeconds': 120 },
  });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  console.log(runLog(session).join('\n'));
  await closeSession(session);
  ws.remove();
});

const nodeIds = (frame: Frame): Promise<string[]> =>
  frame.$$eval('g.gl-node', (gs) => gs.map((g) => g.getAttribute('data-id') ?? ''));

test('a node selected in one graph is not selected in the next', async () => {
  const other = new Set(
    await nodeIds(await visualizeFile(page, 'retain-grad.ts', 'retain-grad.ts: backward() #1')),
  );
  const frame = await visualizeFile(page, 'square-plus-3x.ts', 'square-plus-3x.ts: backward() #');
  // Node ids repeat from graph to graph: select one the next graph has too.
  const shared = (await nodeIds(frame)).find((id) => other.has(id));
  expect(shared).toBeDefined();
  await frame.click(`g.gl-node[data-id="${shared}"]`);
  expect(await frame.locator('g.gl-selected').count()).toBe(1);
  const next = await visualizeFile(page, 'retain-grad.ts', 'retain-grad.ts: backward() #1');
  expect(await next.locator('g.gl-selected').count()).toBe(0);
  expect(await next.locator('#details').isHidden()).toBe(true);
});

test('the footer and the Output channel give the same layout figures', async () => {
  const frame = await shownGraph(page, 'retain-grad.ts: backward() #1');
  const footer = (await frame.textContent('#status')) ?? '';
  // "9 boxes · elk layout 40 ms, after 3 ms queued in the layout worker and 2 ms reading the graph"
  const figures = /^(\d+) boxes · (\w+ layout \d+ ms(?:, after .+)?)$/.exec(footer);
  expect(figures, footer).not.toBeNull();
  await expect
    .poll(
      () =>
        session.server.exthostLog().includes(`graph painted: ${figures![1]} boxes, ${figures![2]}`),
      { timeout: 15_000 },
    )
    .toBe(true);
});

/** The id of the element with the focus in the view's page ('' for none). */
const focused = (frame: Frame): Promise<string> =>
  frame.evaluate(() =>
    document.activeElement === document.body ? '' : document.activeElement!.id,
  );

test('panels: titled by headings under the graph title; Esc and × close them and give the focus back', async () => {
  const frame = await visualizeFile(page, 'square-plus-3x.ts', 'square-plus-3x.ts: backward() #');
  const title = (await frame.textContent('#graph-title'))!;
  expect(await frame.getByRole('heading', { level: 1 }).textContent()).toBe(title);
  const details = frame.locator('#details');
  const panelTitle = frame.locator('#details').getByRole('heading', { level: 2 });

  // A node's details: its name is the panel's heading.
  await frame.click('g.gl-node[data-name="PowBackward0"]');
  await details.waitFor({ state: 'visible' });
  expect(await panelTitle.textContent()).toBe('PowBackward0');
  // Esc outside the panel (here, on a zoom button) leaves it open; inside it, closes it.
  await frame.locator('#zoom-in').press('Escape');
  expect(await details.isVisible()).toBe(true);
  await details.getByRole('button', { name: 'Close' }).press('Escape');
  await details.waitFor({ state: 'hidden' });

  // The step-through's panel, opened from the keyboard: Esc in it leaves the step-through and
  // the focus returns to Step through backward.
  const stepThrough = async (): Promise<void> => {
    if (!(await frame.locator('#step').isVisible())) await frame.click('#more');
    await frame.locator('#step').press('Enter');
    await frame.locator('#step-bar').waitFor({ state: 'visible' });
    expect(await panelTitle.textContent()).toMatch(/^Step 1 of \d+$/);
  };
  const leave = details.getByRole('button', { name: 'Leave the step-through' });
  // A narrow toolbar holds the button in its closed "…" menu: the focus goes to the menu's button.
  const opener = (): Promise<string> =>
    frame.locator('#step').evaluate((b) => (b.closest('#more-menu') === null ? 'step' : 'more'));
  await stepThrough();
  await leave.press('Escape');
  await details.waitFor({ state: 'hidden' });
  expect(await frame.locator('#step-bar').count()).toBe(0);
  expect(await focused(frame)).toBe(await opener());
  // The same with a click on its ×.
  await stepThrough();
  await leave.click();
  await details.waitFor({ state: 'hidden' });
  expect(await focused(frame)).toBe(await opener());
  // Esc elsewhere in the page still leaves the step-through, as its tooltip says.
  await stepThrough();
  await frame.locator('#step-next').press('Escape');
  await frame.locator('#step-bar').waitFor({ state: 'detached' });
  expect(await details.isHidden()).toBe(true);
});

test('a light capture says what it lacks, and "Capture in full" shows that backward() with its values', async () => {
  const frame = await visualizeFile(
    page,
    'mnist-classifier.ts',
    'mnist-classifier.ts: backward() #',
  );
  const title = (await frame.textContent('#graph-title')) ?? '';
  const backward = /backward\(\) #(\d+)/.exec(title)![1];
  expect(Number(backward)).toBeGreaterThan(1);
  const note = frame.locator('#light-note');
  await note.waitFor({ state: 'visible' });
  expect(await note.innerText()).toContain('no values or gradients of intermediate results');
  await screenshot(page, 'ux-light-capture');
  const paints = Number(await frame.$eval('#app', (a) => (a as HTMLElement).dataset.paints));
  await frame.click('#capture-full');
  // The same call, captured this time with every value: no note, and its ops carry values.
  await frame.waitForFunction(
    (p) => {
      const app = document.getElementById('app')!;
      return Number(app.dataset.paints) > p && app.dataset.state === 'painted';
    },
    paints,
    { timeout: 90_000 },
  );
  const full = await shownGraph(page, `mnist-classifier.ts: backward() #${backward} `);
  expect(await full.locator('#light-note').isHidden()).toBe(true);
  await full.click('g.gl-node[data-name="AddmmBackward0"]');
  const value = full
    .locator('#details tr', { has: full.locator('th', { hasText: /^value$/ }) })
    .locator('td');
  expect(await value.innerText()).not.toBe('None');
  await screenshot(page, 'ux-full-capture');
});

test('a failed run shows its failure in the graph view, with Show Output and Re-run', async () => {
  await runCommand(page, 'View: Focus First Editor Group');
  await openFile(page, 'throws.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const frame = await webviewFrame(page, '#failure-message', 60_000);
  const message = (await frame.textContent('#failure-message'))!;
  expect(message).toContain('Gradlens: throws.ts threw (line 4)');
  // Screen readers hear it from the page's live region; the message itself is no live region,
  // or they would hear it twice.
  expect(await frame.locator('#announce[role="status"]').textContent()).toBe(message);
  expect(
    await frame
      .locator('[role="status"], [role="alert"], [aria-live]')
      .filter({ hasText: 'threw' })
      .count(),
  ).toBe(1);
  await screenshot(page, 'ux-failed-run');
  // Each text the live region takes is heard: count the failures it says from now on.
  await frame.evaluate(() => {
    const said: string[] = [];
    (window as unknown as { said: string[] }).said = said;
    const live = document.getElementById('announce')!;
    new MutationObserver(() => said.push(live.textContent)).observe(live, { childList: true });
  });

  await frame.click('#show-output');
  await page
    .locator('.output-view .view-lines', { hasText: '[gradlens] failed' })
    .first()
    .waitFor({ timeout: 15_000 });

  const runs = (): number =>
    session.server
      .exthostLog()
      .split('\n')
      .filter((l) => l.includes(`[gradlens] running ${join(ws.dir, 'throws.ts')}`)).length;
  const before = runs();
  await frame.click('#rerun');
  // The first run's toast may still be up with the same text: count the runs, not toasts.
  await expect.poll(runs, { timeout: 60_000 }).toBe(before + 1);
  await notification(page, 'Gradlens: throws.ts threw (line 4)', 60_000);
  const again = await webviewFrame(page, '#failure-message', 60_000);
  expect(await again.textContent('#failure-message')).toContain('threw (line 4)');
  // The re-run was announced, then its failure, once.
  const said = await frame.evaluate(() => (window as unknown as { said: string[] }).said);
  expect(said.filter((t) => t.includes('threw'))).toEqual([message]);
});

test('module calls show as framed clusters: the chevron collapses one into its box, a click on the box brings its frame back', async () => {
  const frame = await visualizeFile(
    page,
    'mnist-classifier.ts',
    'mnist-classifier.ts: backward() #',
  );
  const labels = await frame.$$eval('g.gl-frame-toggle text', (ts) => ts.map((t) => t.textContent));
  expect(labels).toEqual(expect.arrayContaining(['MNISTClassifier', 'fc1', 'dropout', 'fc2']));
  // Labels at a readable size after Fit (a line's box is a little taller than its font).
  const labelPx = await frame.$eval(
    'g.gl-frame-toggle text',
    (t) => t.getBoundingClientRect().height,
  );
  expect(labelPx).toBeGreaterThanOrEqual(9);
  await screenshot(page, 'ux-module-frames');

  const group = await frame.$$eval('g.gl-frame-toggle', (gs) =>
    gs.find((g) => g.querySelector('text')?.textContent === 'fc1')?.getAttribute('data-group'),
  );
  expect(group).toBeDefined();
  // The header may lie outside the fitted view: click it where it is.
  await frame.$eval(`g.gl-frame-toggle[data-group="${group!}"] text`, (t) =>
    t.dispatchEvent(new MouseEvent('click', { bubbles: true })),
  );
  await frame.waitForSelector(`g.gl-group[data-id="${group!}"]`, { timeout: 30_000 });
  expect(await frame.locator(`g.gl-frame-toggle[data-group="${group!}"]`).count()).toBe(0);
  expect(await frame.textContent(`g.gl-group[data-id="${group!}"]`)).toContain(
    'MNISTClassifier.fc1',
  );
  await screenshot(page, 'ux-module-collapsed');

  await frame.$eval(`g.gl-group[data-id="${group!}"]`, (g) =>
    g.dispatchEvent(new MouseEvent('click', { bubbles: true })),
  );
  await frame.waitForSelector(`g.gl-frame-toggle[data-group="${group!}"]`, { timeout: 30_000 });
  expect(await frame.locator(`g.gl-group[data-id="${group!}"]`).count()).toBe(0);
});
