// Captures the pictures of MARKETPLACE.md (media/screenshots/) and of the walkthrough's steps
// (media/walkthrough/) from a real VS Code. Runs only when asked, since it rewrites tracked files:
//   GRADLENS_SCREENSHOTS=1 npx vitest run --config vitest.e2e.config.ts test/e2e/marketplace-screenshots.test.ts
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { ROOT } from './harness/code-server';
import {
  closeSession,
  openFile,
  openSession,
  runCommand,
  shownGraph,
  webviewFrame,
  type Session,
  waitForActivation,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

const SCREENSHOTS = join(ROOT, 'media/screenshots');
const WALKTHROUGH = join(ROOT, 'media/walkthrough');

describe.runIf(process.env.GRADLENS_SCREENSHOTS === '1')(
  'pictures for the Marketplace and the walkthrough',
  () => {
    const ws = makeWorkspace();
    let session: Session;
    let page: Page;

    beforeAll(async () => {
      for (const e of ['retain-grad.ts', 'nn-sinus.ts', 'square-plus-3x.ts'])
        copyFileSync(join(ROOT, 'examples', e), join(ws.dir, e));
      session = await openSession({ workspace: ws.dir, disableWorkspaceTrust: true });
      page = session.page;
      await page.setViewportSize({ width: 1280, height: 760 });
      await waitForActivation(page);
    });

    afterAll(async () => {
      await closeSession(session);
      ws.remove();
    });

    const editorPart = (): Locator => page.locator('.part.editor').first();
    const save = async (dir: string, name: string, what?: Locator): Promise<void> => {
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `${name}.png`);
      await (what === undefined ? page.screenshot({ path }) : what.screenshot({ path }));
    };
    const fresh = async (file: string): Promise<void> => {
      await runCommand(page, 'View: Close All Editors');
      await openFile(page, file);
    };

    test("an example, its graph and a node's details", async () => {
      await fresh('retain-grad.ts');
      await runCommand(page, 'View: Close Primary Side Bar');
      await save(WALKTHROUGH, 'open-example', editorPart());
      await runCommand(page, 'Gradlens: Visualize Graph');
      const frame = await shownGraph(page, 'retain-grad.ts');
      await save(WALKTHROUGH, 'visualize', editorPart());
      await frame.click('g.gl-node[data-name="PowBackward0"]');
      await frame.waitForSelector('#details:not([hidden])');
      expect(await frame.textContent('#details')).toContain('PowBackward0');
      await save(WALKTHROUGH, 'node-details', editorPart());
    });

    test('the graph of a small network and the training monitor', async () => {
      await fresh('nn-sinus.ts');
      await runCommand(page, 'Gradlens: Visualize Graph');
      await shownGraph(page, 'nn-sinus.ts');
      await runCommand(page, 'Focus on Training Monitor View');
      // The charts, not the welcome buttons, are the picture.
      await page.locator('.pane-header', { hasText: 'Get Started' }).first().click();
      const monitor = await webviewFrame(page, '#monitor[data-status="done"]', 120_000);
      expect(await monitor.getAttribute('#monitor', 'data-rows')).toBe('300');
      await save(SCREENSHOTS, 'graph-view');
      await save(SCREENSHOTS, 'monitor', page.locator('.part.sidebar').first());
      await save(WALKTHROUGH, 'monitor', page.locator('.part.sidebar').first());
    });

    test('Run backward and a hover with a gradient', async () => {
      await runCommand(page, 'View: Close Primary Side Bar');
      await fresh('square-plus-3x.ts');
      const lens = page.locator(
        '.monaco-editor[data-uri$="square-plus-3x.ts"] .codelens-decoration a',
        { hasText: 'Run backward' },
      );
      await lens.first().click({ timeout: 30_000 });
      await shownGraph(page, 'square-plus-3x.ts: backward() #1');
      const line = page.locator('.view-line', { hasText: "console.log('dy/dx', x.grad" });
      await line
        .locator('span > span', { hasText: /^grad$/ })
        .first()
        .hover();
      const hover = page.locator('.monaco-hover-content', { hasText: 'x.grad' }).first();
      await hover.waitFor({ state: 'visible', timeout: 15_000 });
      expect(await hover.innerText()).toContain('7');
      await save(SCREENSHOTS, 'hover');
      await save(WALKTHROUGH, 'run-backward', editorPart());
      await page.mouse.move(5, 5);
    });

    test('a breakpoint with the graph of the tensors in scope', async () => {
      await fresh('retain-grad.ts');
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill(':19');
      await page.keyboard.press('Enter');
      await runCommand(page, 'Debug: Toggle Breakpoint');
      await runCommand(page, 'Gradlens: Debug Script');
      const frame = await webviewFrame(page, '#graph-title');
      await frame.waitForFunction(
        () =>
          document.getElementById('app')?.dataset.state === 'painted' &&
          (document.getElementById('graph-title')?.textContent ?? '').includes('debug stop'),
        undefined,
        { timeout: 60_000 },
      );
      await page.locator('.monaco-editor .view-lines', { hasText: 'grad' }).first().waitFor();
      await save(WALKTHROUGH, 'debug');
      await runCommand(page, 'Debug: Stop');
    });
  },
);
