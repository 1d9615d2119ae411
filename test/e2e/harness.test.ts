// Proves the harness: the packaged extension activates in a real VS Code, its command opens
// the graph view, and the webview's text can be read back.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  closeSession,
  openFile,
  openSession,
  runCommand,
  screenshot,
  shownGraph,
  type Session,
  webviewFrame,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  session = await openSession({ workspace: ws.dir, disableWorkspaceTrust: true });
  page = session.page;
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

test('Visualize Graph opens the graph view beside the editor', async () => {
  await openFile(page, 'linear.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const frame = await webviewFrame(page, '#app[data-state="painted"]');
  await screenshot(page, 'harness-visualize');
  expect(await frame.textContent('#graph-title')).toContain('linear.ts');
  const names = await frame.$$eval('g.gl-node', (gs) => gs.map((g) => g.getAttribute('data-name')));
  expect(names).toEqual(
    expect.arrayContaining([
      'MmBackward0',
      'ReluBackward0',
      'SumBackward0',
      'AccumulateGrad',
      'w',
      'loss',
    ]),
  );
});

test('the graph view is restored after a window reload (serializer + webview state)', async () => {
  const reloaded = page.waitForEvent('load', { timeout: 60_000 });
  await runCommand(page, 'Developer: Reload Window');
  await reloaded;
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // A page drawn from its saved state: the one from before the reload (drawn for the command,
  // so it has a command-to-paint time) was found here, painted, just before it was torn down.
  const frame = await shownGraph(page, 'linear.ts', 60_000, true);
  await screenshot(page, 'harness-after-reload');
  expect(await frame.textContent('#graph-title')).toContain('linear.ts');
  const names = await frame.$$eval('g.gl-node', (gs) => gs.map((g) => g.getAttribute('data-name')));
  expect(names).toEqual(expect.arrayContaining(['MmBackward0', 'ReluBackward0', 'SumBackward0']));
});
