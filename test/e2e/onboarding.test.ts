// First run in a real VS Code: the walkthrough is offered once the extension starts, Help:
// Welcome lists it, its step buttons work (Open Examples copies the examples into the default
// folder and opens retain-grad.ts, Visualize Graph shows its graph) and check the steps off;
// the Get Started view in the Gradlens side bar shows its buttons and they work.
// Screenshots go to test-artifacts/onboarding-*.png.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { listExamples } from '../../src/extension/onboarding/example-files';
import { ROOT } from './harness/code-server';
import {
  closeSession,
  openFile,
  openSession,
  runCommand,
  screenshot,
  shownGraph,
  type Session,
  waitForActivation,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

// code-server and its extension host inherit HOME, so the default folder of Open Examples
// (~/gradlens-examples) lands in this throw-away home, not the real one.
const home = mkdtempSync(join(tmpdir(), 'gradlens-home-'));
process.env.HOME = home;
const copies = join(home, 'gradlens-examples');
const ws = makeWorkspace();
let session: Session;
let page: Page;

beforeAll(async () => {
  session = await openSession({
    workspace: ws.dir,
    disableWorkspaceTrust: true,
    settings: { 'workbench.welcomePage.walkthroughs.openOnInstall': true },
  });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
  rmSync(home, { recursive: true, force: true });
});

const walkthroughTab = (): Locator =>
  page.locator('.tabs-container .tab', { hasText: 'Walkthrough: Gradlens' }).first();
const step = (id: string): Locator =>
  page.locator(`button.getting-started-step[data-step-id$="${id}"]`);

/** Expands a walkthrough step and clicks the button its description ends with. */
async function stepButton(id: string, label: string): Promise<void> {
  await step(id).click();
  await step(id).locator('.monaco-button, a', { hasText: label }).first().click();
}

async function chooseDefaultFolder(): Promise<void> {
  const row = page
    .locator('.quick-input-list .monaco-list-row', { hasText: 'gradlens-examples' })
    .first();
  // The default folder is the focused first row; Enter takes it, as a keyboard user would.
  // (Clicking it failed now and then on a busy machine: Playwright found the row laid out but
  // not yet visible.)
  await row.waitFor({ state: 'attached', timeout: 30_000 });
  await expect.poll(() => row.getAttribute('class'), { timeout: 30_000 }).toContain('focused');
  const picker = page.locator('.quick-input-widget').first();
  // A busy workbench now and then drops the key while the picker settles: while the picker
  // stays open, Enter again.
  for (let tries = 0; tries < 5 && (await picker.isVisible()); tries++) {
    await page.locator('.quick-input-box input').first().focus();
    await page.keyboard.press('Enter');
    await picker.waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
  }
}

test('on first run the walkthrough is offered, and opens with its steps listed', async () => {
  await openFile(page, 'linear.ts');
  const offer = page.locator('.notification-toast', { hasText: 'A short walkthrough' }).first();
  await offer.waitFor({ timeout: 60_000 });
  // Offered, not imposed: the script stays in front.
  expect(await page.locator('.tab.active').first().getAttribute('aria-label')).toContain(
    'linear.ts',
  );
  await offer.locator('.monaco-button', { hasText: 'Get Started' }).click();
  await walkthroughTab().waitFor({ timeout: 30_000 });
  await expect
    .poll(() => page.locator('button.getting-started-step .step-title').allInnerTexts(), {
      timeout: 30_000,
    })
    .toEqual([
      'Open an example',
      'Visualize the graph',
      'Click a node',
      'Run backward, hover a tensor',
      'Watch training',
      'Debug a script',
    ]);
  await screenshot(page, 'onboarding-first-run');
});

test('Help: Welcome lists the walkthrough; its buttons open an example and visualize it, checking the steps off', async () => {
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'Help: Welcome');
  await page
    .locator('.getting-started-category', { hasText: 'Get Started with Gradlens' })
    .first()
    .click();
  await step('#openExample').waitFor();
  expect(await step('#openExample').getAttribute('aria-checked')).toBe('false');

  await stepButton('#openExample', 'Open Examples');
  await chooseDefaultFolder();
  await page
    .locator('.tab.active[aria-label*="retain-grad.ts"]')
    .first()
    .waitFor({ timeout: 30_000 })
    .catch(async (e: unknown) => {
      await screenshot(page, 'onboarding-open-example-failed');
      throw e;
    });
  expect(listExamples(copies)).toEqual(listExamples(join(ROOT, 'examples')));
  await expect
    .poll(() => step('#openExample').getAttribute('aria-checked'), { timeout: 15_000 })
    .toBe('true');

  // The example opened beside the walkthrough; its Visualize button must still find it.
  await stepButton('#visualize', 'Visualize Graph');
  const frame = await shownGraph(page, 'retain-grad.ts');
  expect(
    await frame.$$eval('g.gl-node', (gs) => gs.map((g) => g.getAttribute('data-name'))),
  ).toContain('PowBackward0');
  await expect
    .poll(() => step('#visualize').getAttribute('aria-checked'), { timeout: 15_000 })
    .toBe('true');
  await screenshot(page, 'onboarding-walkthrough');
});

test('the Get Started view shows its buttons; Open Examples adds only missing files, Visualize current file shows the graph', async () => {
  await runCommand(page, 'View: Close All Editors');
  await page.locator('.activitybar [aria-label^="Gradlens Training"]').first().click();
  const welcome = page
    .locator('.pane', { has: page.locator('.pane-header', { hasText: 'Get Started' }) })
    .locator('.welcome-view-content');
  await welcome.waitFor({ timeout: 30_000 });
  const visualizeButton = welcome.locator('.monaco-button', { hasText: 'Visualize current file' });
  const examplesButton = welcome.locator('.monaco-button', { hasText: 'Open Examples' });
  await visualizeButton.waitFor();
  await examplesButton.waitFor();
  await screenshot(page, 'onboarding-start-view');

  await welcome.locator('a', { hasText: 'Get Started walkthrough' }).click();
  await step('#openExample').waitFor({ timeout: 30_000 });
  await runCommand(page, 'View: Close All Editors');

  writeFileSync(join(copies, 'nn-line.ts'), '// my edits\n');
  rmSync(join(copies, 'solve-with-adam.ts'));
  await examplesButton.click();
  await chooseDefaultFolder();
  await page
    .locator('.tab.active[aria-label*="retain-grad.ts"]')
    .first()
    .waitFor({ timeout: 30_000 });
  expect(readFileSync(join(copies, 'nn-line.ts'), 'utf8')).toBe('// my edits\n');
  expect(existsSync(join(copies, 'solve-with-adam.ts'))).toBe(true);

  await openFile(page, 'linear.ts');
  await visualizeButton.click();
  const frame = await shownGraph(page, 'linear.ts');
  expect(await frame.$$eval('g.gl-node', (gs) => gs.length)).toBeGreaterThan(0);
});
