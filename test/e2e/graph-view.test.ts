// The graph view in a real VS Code (code-server + Chromium), with the packaged .vsix installed
// outside the repository: Visualize Graph on the examples shows every node of the last
// backward(), CodeLens "Run backward", the .grad hover, Cancel on a script that never ends,
// and a throwing script's diagnostic. Screenshots go to test-artifacts/graph-*.png; the
// command-to-paint times are printed (measured, not asserted: see the report in CHANGELOG).
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { displayName } from '../../src/graph/labels';
import { launchRunner } from '../../src/runner/launch';
import { alive } from '../helpers/process';
import { ROOT } from './harness/code-server';
import {
  closeSession,
  nodeNames,
  notification,
  openInFirstGroup,
  openSession,
  runCommand,
  runLog,
  screenshot,
  shownGraph,
  type Session,
  waitForActivation,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

const EXAMPLES = [
  'square-plus-3x',
  'linear-regression',
  'nn-line',
  'relu-neuron',
  'sigmoid-neuron',
  'retain-grad',
  'solve-with-adam',
  'nn-sinus',
  'mnist-classifier',
  'polynomial-sin',
];

// ~1,000 function nodes: 330 steps of a tanh recurrence, three ops each.
const BIG = `import * as torch from 'gradlens';
torch.manualSeed(0);
const weight = torch.randn([8, 8], { requiresGrad: true });
const bias = torch.zeros([8], { requiresGrad: true });
let h = torch.randn([1, 8]);
for (let i = 0; i < 330; i++) h = h.matmul(weight).add(bias).tanh();
const loss = h.sum();
loss.backward();
`;

const FOREVER = `import * as torch from 'gradlens';
import { writeFileSync } from 'node:fs';
// The runner starts scripts in their own folder.
writeFileSync('forever.pid', String(process.pid));
const x = torch.tensor(1, { requiresGrad: true });
for (;;) x.mul(2).backward();
`;

let session: Session;
let page: Page;
const ws = makeWorkspace();
const timings: string[] = [];

beforeAll(async () => {
  for (const e of EXAMPLES)
    copyFileSync(join(ROOT, 'examples', `${e}.ts`), join(ws.dir, `${e}.ts`));
  writeFileSync(join(ws.dir, 'big-graph.ts'), BIG);
  writeFileSync(join(ws.dir, 'forever.ts'), FOREVER);
  session = await openSession({
    workspace: ws.dir,
    disableWorkspaceTrust: true,
    settings: { 'gradlens.run.timeoutSeconds': 120 },
  });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  if (timings.length) console.log(`command to painted graph:\n  ${timings.join('\n  ')}`);
  console.log(runLog(session).slice(0, 6).join('\n'));
  await closeSession(session);
  ws.remove();
});

async function visualize(file: string, title: string): Promise<{ frame: Frame; ms: number }> {
  await openInFirstGroup(page, file);
  await runCommand(page, 'Gradlens: Visualize Graph');
  const frame = await shownGraph(page, title);
  const ms = Number(
    await frame.$eval('#app', (a) => (a as HTMLElement).dataset.commandToPaintMs ?? 'NaN'),
  );
  return { frame, ms };
}

test('Visualize Graph shows every node of the last backward() of each example', async () => {
  for (const e of EXAMPLES) {
    const script = join(ws.dir, `${e}.ts`);
    const expected = await launchRunner({
      script,
      captureAt: 'last',
      maxNodes: 50_000,
      timeoutMs: 60_000,
      childPath: join(ROOT, 'dist/runner/child.cjs'),
    }).done;
    const last = expected.snapshots[expected.snapshots.length - 1];
    const { frame, ms } = await visualize(`${e}.ts`, `${e}.ts: backward() #${last.index}`);
    timings.push(`${e}.ts (${last.nodes.length} nodes): ${ms} ms`);
    expect(await frame.textContent('#graph-title')).toContain(`${e}.ts: backward() #${last.index}`);
    expect(new Set(await nodeNames(frame))).toEqual(new Set(last.nodes.map(displayName)));
    if (e === 'square-plus-3x' || e === 'nn-sinus') await screenshot(page, `graph-${e}`);
  }
});

test('a 1,000-node graph opens, and search finds its leaves', async () => {
  const { frame, ms } = await visualize('big-graph.ts', 'big-graph.ts: backward() #1');
  const names = await nodeNames(frame);
  timings.push(
    `big-graph.ts (${names.length} boxes): ${ms} ms (${await frame.textContent('#status')})`,
  );
  // Fit keeps text readable, so the page draws the part around the output; search counts all.
  expect(names).toContain('TanhBackward0');
  await frame.fill('#search', 'TanhBackward0');
  await frame.waitForFunction(
    () => document.getElementById('matches')!.textContent === '330 matches',
  );
  await frame.fill('#search', 'weight');
  await frame.waitForFunction(() => document.getElementById('matches')!.textContent === '1 match');
  // Enter centres the match, wherever it is in the graph.
  await frame.press('#search', 'Enter');
  await frame.waitForSelector('g.gl-node.gl-match');
  expect(
    await frame.$$eval('g.gl-node.gl-match', (gs) => gs.map((g) => g.getAttribute('data-name'))),
  ).toEqual(['weight']);
  await frame.fill('#search', '');
  await screenshot(page, 'graph-big');
});

test('CodeLens "Run backward" runs up to that call and shows its graph; hover shows .grad', async () => {
  await openInFirstGroup(page, 'square-plus-3x.ts');
  const lens = page.locator(
    '.monaco-editor[data-uri$="square-plus-3x.ts"] .codelens-decoration a',
    { hasText: 'Run backward' },
  );
  await lens.first().waitFor({ timeout: 30_000 });
  await expect.poll(() => lens.count(), { timeout: 15_000 }).toBe(2);
  await lens.first().click();
  // The first backward() is on line 8 (y.backward()); the run stops after it.
  const frame = await shownGraph(page, 'square-plus-3x.ts: backward() #1 (line 8)');
  expect(new Set(await nodeNames(frame))).toEqual(
    new Set(['x', 'AccumulateGrad', 'PowBackward0', 'MulBackward0', 'AddBackward0', 'y']),
  );

  // Hover `x.grad` on line 10: `console.log('dy/dx', x.grad!.item());`
  const line10 = page.locator('.view-line', { hasText: "console.log('dy/dx', x.grad" });
  const grad = line10.locator('span > span', { hasText: /^grad$/ }).first();
  await grad.hover();
  const hover = page.locator('.monaco-hover-content', { hasText: 'x.grad' }).first();
  await hover.waitFor({ state: 'visible', timeout: 15_000 });
  expect(await hover.innerText()).toContain('float32 () 7');
  await screenshot(page, 'graph-hover');
  await page.mouse.move(5, 5);
});

test('clicking a node shows its details and reveals its line', async () => {
  const frame = await shownGraph(page, 'square-plus-3x.ts: backward() #1 (line 8)');
  await frame.click('g.gl-node[data-name="PowBackward0"]');
  await frame.waitForSelector('#details:not([hidden])');
  const text = await frame.textContent('#details');
  expect(text).toContain('PowBackward0');
  expect(text).toContain('square-plus-3x.ts:5');
  await page
    .locator('.monaco-editor .cursor-line-number, .line-numbers.active-line-number', {
      hasText: /^5$/,
    })
    .first()
    .waitFor({ timeout: 15_000 });
});

test('Cancel on the progress notification kills a script that never ends', async () => {
  // The view keeps the last graph on screen (its footer says that the run goes on), so the
  // notification carries the Stop.
  const pidFile = join(ws.dir, 'forever.pid');
  await openInFirstGroup(page, 'forever.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const toast = page
    .locator('.notification-toast', { hasText: 'Gradlens: running forever.ts' })
    .first();
  await toast.waitFor({ timeout: 30_000 });
  for (let i = 0; i < 100 && !existsSync(pidFile); i++) await page.waitForTimeout(100);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  expect(alive(pid)).toBe(true);
  await toast.hover();
  await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
  // The same calm message as a Stop in the training monitor (monitor.test.ts).
  await notification(page, /Gradlens: stopped forever\.ts at step \d+\./, 30_000);
  for (let i = 0; i < 50 && alive(pid); i++) await page.waitForTimeout(100);
  expect(alive(pid)).toBe(false);
});

test('a throwing script gives a diagnostic at its line and a notification with Show Output', async () => {
  await openInFirstGroup(page, 'throws.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const text = await notification(page, 'Gradlens: throws.ts threw (line 4)', 60_000);
  expect(text).toContain('Show Output');
  await page.locator('.squiggly-error').first().waitFor({ state: 'attached', timeout: 15_000 });
  await runCommand(page, 'Problems: Focus on Problems View');
  // The runner's diagnostic (source gradlens) at the matmul on line 4.
  const row = page
    .locator('.markers-panel .monaco-list-row')
    .filter({ hasText: 'gradlens' })
    .filter({ hasText: /\[Ln 4, Col/ })
    .first();
  await row.waitFor({ timeout: 15_000 });
  await screenshot(page, 'graph-diagnostic');
});

test('after a window reload the graph view comes back with the same graph, without a new run', async () => {
  const { frame } = await visualize('nn-sinus.ts', 'nn-sinus.ts: backward() #');
  const title = (await frame.textContent('#graph-title'))!;
  const names = await nodeNames(frame);
  const runs = runLog(session).filter((l) => l.includes('finished')).length;
  const reloaded = page.waitForEvent('load', { timeout: 60_000 });
  await runCommand(page, 'Developer: Reload Window');
  await reloaded;
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  const restored = await shownGraph(page, title, 60_000, true);
  expect(new Set(await nodeNames(restored))).toEqual(new Set(names));
  expect(runLog(session).filter((l) => l.includes('finished')).length).toBe(runs);
  await screenshot(page, 'graph-after-reload');

  // The new extension host knows the restored graph: Reveal in Graph selects line 13's node.
  await runCommand(page, 'View: Focus First Editor Group');
  await runCommand(page, 'Go to Line/Column...');
  await page.keyboard.type('13');
  await page.keyboard.press('Enter');
  await runCommand(page, 'Gradlens: Reveal in Graph');
  await restored.waitForSelector('g.gl-selected', { timeout: 30_000 });
  // Line 13 makes fc1's product and its ReLU (and fc1's parameters' first use): all of that is
  // selected, nothing of fc2 (line 14).
  const selected = await restored.$$eval('g.gl-selected', (gs) =>
    gs.map((g) => g.getAttribute('data-name')),
  );
  expect(selected).toEqual(expect.arrayContaining(['AddmmBackward0', 'ReluBackward0']));
  expect(selected).toContain('fc1.weight');
  expect(selected).not.toContain('fc2.weight');
});
