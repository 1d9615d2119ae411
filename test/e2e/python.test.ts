// Python scripts in a real VS Code: Visualize Graph on an unmodified PyTorch script shows
// PyTorch's own graph, the CodeLens runs up to a backward() inside an endless loop, hovers
// show the gradients PyTorch computed, the training monitor fills, and an interpreter without
// torch gets a message that says what to do. Python comes from the `gradlens.python.path`
// setting (here Debian's /usr/bin/python3, which has torch).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { displayName } from '../../src/graph/labels';
import { launchRunner } from '../../src/runner/launch';
import { ROOT } from './harness/code-server';
import { closeSession, notification, openFile, openSession, runCommand, screenshot, shownGraph, webviewFrame, type Session } from './harness/workbench';
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
  for (const f of ['retain_grad.py', 'nn_sinus.py']) copyFileSync(join(ROOT, 'examples/python', f), join(ws.dir, f));
  writeFileSync(join(ws.dir, 'loop_forever.py'), LOOP);
  session = await openSession({ workspace: ws.dir, disableWorkspaceTrust: true, settings: { 'gradlens.run.timeoutSeconds': 120, 'gradlens.python.path': PYTHON } });
  page = session.page;
  await page.locator('.activitybar [aria-label^="Gradlens Training"]').first().waitFor({ state: 'attached', timeout: 60_000 });
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

async function nodeNames(frame: Frame): Promise<string[]> {
  await frame.waitForSelector('g.gl-node', { state: 'attached', timeout: 10_000 });
  return frame.$$eval('g.gl-node', (gs) => gs.map((g) => g.getAttribute('data-name') ?? ''));
}

async function openInFirstGroup(file: string): Promise<void> {
  await runCommand(page, 'View: Focus First Editor Group');
  await openFile(page, file);
}

test('Visualize Graph on a PyTorch script shows the graph PyTorch built', async () => {
  const expected = await launchRunner({ script: join(ws.dir, 'retain_grad.py'), python: PYTHON, maxNodes: 50_000, timeoutMs: 60_000 }).done;
  expect(expected.errors).toEqual([]);
  await openInFirstGroup('retain_grad.py');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const frame = await shownGraph(page, 'retain_grad.py: backward() #1');
  const names = new Set(await nodeNames(frame));
  expect(names).toEqual(new Set(expected.snapshots[0].nodes.map(displayName)));
  expect(names).toContain('PowBackward0');
  expect(names).toContain('a');
  await screenshot(page, 'python-graph-retain-grad');
});

test('hovering a.grad after the run shows the gradient PyTorch computed', async () => {
  await openInFirstGroup('retain_grad.py');
  const line = page.locator('.view-line', { hasText: 'print("dP/da", a.grad.item())' });
  const grad = line.locator('span > span', { hasText: /^grad$/ }).first();
  await grad.hover();
  const hover = page.locator('.monaco-hover-content', { hasText: 'a.grad' }).first();
  await hover.waitFor({ state: 'visible', timeout: 15_000 });
  expect(await hover.innerText()).toContain('-384');
  await page.mouse.move(5, 5);
});

test('CodeLens "Run backward" stops at that call inside while True and shows its graph', async () => {
  await openInFirstGroup('loop_forever.py');
  const lens = page.locator('.monaco-editor[data-uri$="loop_forever.py"] .codelens-decoration a', { hasText: 'Run backward' });
  await lens.first().waitFor({ timeout: 30_000 });
  await lens.first().click();
  const frame = await shownGraph(page, 'loop_forever.py: backward() #1 (line 7)');
  expect(await nodeNames(frame)).toContain('PowBackward0');
  await screenshot(page, 'python-run-backward-loop');
});

test('the training monitor fills with every step of a PyTorch training loop', async () => {
  await openInFirstGroup('nn_sinus.py');
  await runCommand(page, 'Gradlens: Visualize Graph');
  await runCommand(page, 'Focus on Training Monitor View');
  const frame = await webviewFrame(page, '#monitor[data-gradlens="monitor"] .head');
  await expect.poll(() => frame.getAttribute('#monitor', 'data-status'), { timeout: 90_000 }).toBe('done');
  expect(await frame.getAttribute('#monitor', 'data-script')).toMatch(/nn_sinus\.py$/);
  expect(await frame.getAttribute('#monitor', 'data-last-step')).toBe('300');
  expect(await frame.locator('#chart-grad .u-legend').innerText()).toContain('fc1.weight');
  await screenshot(page, 'python-monitor');
});

test('an interpreter without torch: a message that names it and says how to choose another', async () => {
  mkdirSync(join(ws.dir, '.vscode'), { recursive: true });
  writeFileSync(join(ws.dir, '.vscode', 'settings.json'), JSON.stringify({ 'gradlens.python.path': join(ROOT, 'test/fixtures/python/python-without-torch') }));
  // VS Code's file watcher reads the new workspace setting.
  await page.waitForTimeout(2000);
  await openInFirstGroup('retain_grad.py');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const text = await notification(page, /torch is not importable/, 60_000);
  expect(text).toContain('python-without-torch');
  expect(text).toContain('gradlens.python.path');
});
