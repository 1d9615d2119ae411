// A notebook's saved Gradlens output in a real VS Code, with no kernel and no Jupyter
// extension (code-server's built-in ipynb serializer opens it): the extension's notebook
// renderer draws the graph gradlens.show(P) saved (test/e2e/fixtures/qp-graph-output.ipynb,
// written by scripts/gen_notebook_fixture.py with Debian's PyTorch), in preference to the
// output's text/html fallback, and a damaged output gets a message instead of a graph; the
// gradlens.graph.direction setting turns the saved graph root-top.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  closeSession,
  nodeNames,
  openSession,
  screenshot,
  webviewFrame,
  type Session,
  waitForActivation,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  session = await openSession({ workspace: ws.dir, disableWorkspaceTrust: true });
  page = session.page;
  // Until the extensions' contributions are in, an .ipynb opens as JSON text: the notebook
  // editor for it is registered with them.
  await waitForActivation(page);
  // From the explorer: Quick Open's file search can lag behind a freshly opened folder.
  await page
    .locator('.explorer-folders-view .monaco-list-row', { hasText: 'qp-graph-output.ipynb' })
    .first()
    .click({ timeout: 60_000 });
  await page.locator('.notebook-editor').first().waitFor({ state: 'attached', timeout: 60_000 });
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

/** The frame of the graph page our renderer put into the notebook's output webview. */
async function graphOutput(): Promise<Frame> {
  const frame = await webviewFrame(page, 'svg g.gl-node', 120_000);
  const parent = frame.parentFrame();
  expect(parent).not.toBeNull();
  // The renderer's own frame, not the text/html fallback's.
  expect(await parent!.$('iframe[data-gradlens="graph-output"]')).not.toBeNull();
  return frame;
}

test('the saved output of gradlens.show(P) renders the graph PyTorch built', async () => {
  const frame = await graphOutput();
  const names = new Set(await nodeNames(frame));
  for (const name of [
    'PowBackward0',
    'SubBackward0',
    'MulBackward0',
    'AccumulateGrad',
    'a',
    'b',
    'P',
  ])
    expect(names).toContain(name);
  // Theme-aware: the page got VS Code's --vscode-* variables from the renderer.
  expect(await frame.evaluate(() => document.documentElement.classList.contains('gl-vscode'))).toBe(
    true,
  );
  // The notebook shows its outputs' webview once its cells are laid out: on a busy machine
  // that comes well after the output's page has drawn.
  const sub = frame.locator('g.gl-node[data-name="SubBackward0"]');
  await sub.waitFor({ state: 'visible', timeout: 120_000 }).catch(async (e: unknown) => {
    await screenshot(page, 'notebook-render-hidden');
    throw e;
  });
  await sub.click();
  await expect.poll(() => frame.locator('#details').textContent()).toContain('grad -32');
  await frame.fill('#search', 'backward');
  await expect.poll(() => frame.locator('#count').textContent()).toBe('4 matches');
  await screenshot(page, 'notebook-render-qp');
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    frame.click('#gl-export'),
  ]);
  expect(download.suggestedFilename()).toBe('autograd_graph_of_P.svg');
});

test('a damaged saved output shows what is wrong, not a broken graph', async () => {
  const frame = await webviewFrame(page, '[data-gradlens="graph-output-error"]', 60_000);
  expect(await frame.locator('[data-gradlens="graph-output-error"]').textContent()).toMatch(
    /Gradlens cannot show this output\. This is not a Gradlens graph \(snapshot\.nodes: expected an array\)/,
  );
});

/** How far the output's box lies below leaf a's in the output frame (negative: above it). */
async function outputBelowLeaf(frame: Frame): Promise<number> {
  return frame.evaluate(() => {
    const centre = (sel: string): number => {
      const r = document.querySelector(sel)!.getBoundingClientRect();
      return r.y + r.height / 2;
    };
    return centre('g.gl-node.gl-output') - centre('g.gl-node.gl-leaf[data-name="a"]');
  });
}

test('the direction setting turns the saved graph root-top', async () => {
  expect(await outputBelowLeaf(await graphOutput())).toBeGreaterThan(0);
  mkdirSync(join(ws.dir, '.vscode'), { recursive: true });
  writeFileSync(
    join(ws.dir, '.vscode', 'settings.json'),
    JSON.stringify({ 'gradlens.graph.direction': 'root-top' }),
  );
  // The renderer draws the output again in a new frame once the extension tells it.
  await expect
    .poll(async () => outputBelowLeaf(await graphOutput()), { timeout: 60_000, interval: 500 })
    .toBeLessThan(0);
  await screenshot(page, 'notebook-render-root-top');
});
