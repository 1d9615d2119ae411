// Python scripts in a real VS Code: Visualize Graph on an unmodified PyTorch script shows
// PyTorch's own graph, the CodeLens runs up to a backward() inside an endless loop, hovers
// show the gradients PyTorch computed, the training monitor fills, and an interpreter without
// torch gets a message that says what to do. Python comes from the `gradlens.python.path`
// setting (here Debian's /usr/bin/python3, which has torch).
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { displayName } from '../../src/graph/labels';
import { launchRunner } from '../../src/runner/launch';
import { ROOT } from './harness/code-server';
import {
  charCenter,
  closeSession,
  nodeNames,
  notification,
  openInFirstGroup,
  openSession,
  runCommand,
  screenshot,
  shownGraph,
  webviewFrame,
  type Session,
  waitForActivation,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';

const LOOP = `import torch

w = torch.tensor([0.5], requires_grad=True)
step = 0
while True:
    loss = ((w * 3 - 1) ** 2).sum()
    loss.backward()
    step += 1
`;

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  for (const f of ['retain_grad.py', 'nn_sinus.py'])
    copyFileSync(join(ROOT, 'examples/python', f), join(ws.dir, f));
  writeFileSync(join(ws.dir, 'loop_forever.py'), LOOP);
  copyFileSync(join(ROOT, 'test/fixtures/python/over_cap.py'), join(ws.dir, 'over_cap.py'));
  session = await openSession({
    workspace: ws.dir,
    disableWorkspaceTrust: true,
    settings: { 'gradlens.run.timeoutSeconds': 120, 'gradlens.python.path': PYTHON },
  });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

test('Visualize Graph on a PyTorch script shows the graph PyTorch built', async () => {
  const expected = await launchRunner({
    script: join(ws.dir, 'retain_grad.py'),
    python: PYTHON,
    maxNodes: 50_000,
    timeoutMs: 60_000,
  }).done;
  expect(expected.errors).toEqual([]);
  await openInFirstGroup(page, 'retain_grad.py');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const frame = await shownGraph(page, 'retain_grad.py: backward() #1');
  const names = new Set(await nodeNames(frame));
  expect(names).toEqual(new Set(expected.snapshots[0].nodes.map(displayName)));
  expect(names).toContain('PowBackward0');
  expect(names).toContain('a');
  await screenshot(page, 'python-graph-retain-grad');
});

test('hovering a.grad after the run shows the gradient PyTorch computed', async () => {
  await openInFirstGroup(page, 'retain_grad.py');
  const text = 'print("dP/da", a.grad.item())';
  const hover = page.locator('.monaco-hover-content', { hasText: 'a.grad' }).first();
  // The editor may still be settling (CodeLens zones, the graph view beside it): a hover it
  // was about to show is then dropped, so rest elsewhere and come back.
  for (let attempt = 1; ; attempt++) {
    const away = await charCenter(page, text, 0);
    await page.mouse.move(away.x, away.y);
    const at = await charCenter(page, text, text.indexOf('grad') + 1);
    await page.mouse.move(at.x, at.y);
    try {
      await hover.waitFor({ state: 'visible', timeout: 5_000 });
      break;
    } catch (e) {
      if (attempt === 4) throw e;
    }
  }
  expect(await hover.innerText()).toContain('-384');
  await page.mouse.move(5, 5);
});

test('CodeLens "Run backward" stops at that call inside while True and shows its graph', async () => {
  await openInFirstGroup(page, 'loop_forever.py');
  const lens = page.locator('.monaco-editor[data-uri$="loop_forever.py"] .codelens-decoration a', {
    hasText: 'Run backward',
  });
  await lens.first().waitFor({ timeout: 30_000 });
  await lens.first().click();
  const frame = await shownGraph(page, 'loop_forever.py: backward() #1 (line 7)');
  expect(await nodeNames(frame)).toContain('PowBackward0');
  await screenshot(page, 'python-run-backward-loop');
});

test('the training monitor fills with every step of a PyTorch training loop', async () => {
  await openInFirstGroup(page, 'nn_sinus.py');
  await runCommand(page, 'Gradlens: Visualize Graph');
  await runCommand(page, 'Focus on Training Monitor View');
  const frame = await webviewFrame(page, '#monitor[data-gradlens="monitor"] .head');
  await expect
    .poll(() => frame.getAttribute('#monitor', 'data-status'), { timeout: 90_000 })
    .toBe('done');
  expect(await frame.getAttribute('#monitor', 'data-script')).toMatch(/nn_sinus\.py$/);
  expect(await frame.getAttribute('#monitor', 'data-last-step')).toBe('300');
  expect(await frame.locator('#chart-grad .u-legend').innerText()).toContain('fc1.weight');
  await screenshot(page, 'python-monitor');
});

test('a graph over the walk cap is a note, not a failure: a warning, and the footer says it', async () => {
  await openInFirstGroup(page, 'over_cap.py');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const text = await notification(page, 'has more than 300 nodes');
  expect(text).toContain('over_cap.py: the graph of backward() #1 has more than 300 nodes');
  const frame = await shownGraph(page, 'over_cap.py: backward() #2');
  await expect
    .poll(() => frame.$eval('#status', (e) => e.textContent), { timeout: 30_000 })
    .toContain('note: the graph of backward() #1 has more than 300 nodes');
  expect(await page.locator('.notification-toast', { hasText: 'failed' }).count()).toBe(0);
});

test('an interpreter without torch: a message that names it and says how to choose another', async () => {
  // A window whose setting names a Python without torch (a wrapper around Debian's, site off).
  await closeSession(session);
  session = await openSession({
    workspace: ws.dir,
    disableWorkspaceTrust: true,
    settings: { 'gradlens.python.path': join(ROOT, 'test/fixtures/python/python-without-torch') },
  });
  page = session.page;
  await waitForActivation(page);
  await openInFirstGroup(page, 'retain_grad.py');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const text = await notification(
    page,
    /could not run retain_grad\.py: torch is not importable/,
    60_000,
  );
  expect(text).toContain('python-without-torch');
  expect(text).toContain('gradlens.python.path');
  await screenshot(page, 'python-no-torch');
});
