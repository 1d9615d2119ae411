// The training monitor in a real VS Code: a training script's every step reaches the chart,
// pause holds the script, stop ends it, and the view survives hide/show and a
// window reload. Screenshots go to test-artifacts/monitor-*.png.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
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
  screenshot,
  type Session,
  webviewFrame,
  waitForActivation,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

// The monitor only sees runs the extension tells it about (MonitorRunEvent 'start'/'message').
// Until extension.ts launches scripts and fires those events, the run tests cannot run.
const RUNS_WIRED = /\.fire\(\{\s*type: 'start'/.test(
  readFileSync(join(ROOT, 'src/extension/extension.ts'), 'utf8'),
);

let session: Session;
let page: Page;
const ws = makeWorkspace();

// Trains until stopped: one backward() per step in a synchronous loop, as real scripts do.
const FOREVER = `import * as torch from 'gradlens';
const { nn, optim } = torch;
torch.manualSeed(0);
const model = new nn.Linear(1, 1);
const opt = new optim.SGD(model.parameters(), { lr: 0.001 });
const x = torch.linspace(-1, 1, 16).unsqueeze(1);
const y = x.mul(3);
const lossFn = new nn.MSELoss();
for (let i = 0; i < 1e9; i++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}
`;

// Diverges: the step size is far too large, so the gradients grow without bound.
const DIVERGE = `import * as torch from 'gradlens';
const { nn, optim } = torch;
torch.manualSeed(0);
const model = new nn.Linear(1, 1);
const opt = new optim.SGD(model.parameters(), { lr: 5 });
const x = torch.linspace(-3, 3, 32).unsqueeze(1);
const y = x.mul(2);
const lossFn = new nn.MSELoss();
for (let i = 0; i < 60; i++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
}
`;

// Fails before its first step: the monitor has nothing of its own to warn about.
const NO_STEPS = `import * as torch from 'gradlens';
torch.manualSeed(0);
throw new Error('no training here');
`;

beforeAll(async () => {
  writeFileSync(join(ws.dir, 'diverge.ts'), DIVERGE);
  writeFileSync(join(ws.dir, 'no-steps.ts'), NO_STEPS);
  copyFileSync(join(ROOT, 'examples/nn-sinus.ts'), join(ws.dir, 'nn-sinus.ts'));
  writeFileSync(join(ws.dir, 'train-forever.ts'), FOREVER);
  session = await openSession({
    workspace: ws.dir,
    disableWorkspaceTrust: true,
    settings: { 'gradlens.run.timeoutSeconds': 120 },
  });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

async function showMonitor(): Promise<Frame> {
  await runCommand(page, 'Focus on Training Monitor View');
  return webviewFrame(page, '#monitor[data-gradlens="monitor"] .head');
}

async function attr(frame: Frame, name: string): Promise<string> {
  return (await frame.getAttribute('#monitor', `data-${name}`)) ?? '';
}

async function waitAttr(
  frame: Frame,
  name: string,
  ok: (v: string) => boolean,
  timeoutMs = 90_000,
): Promise<string> {
  const end = Date.now() + timeoutMs;
  let v = '';
  while (Date.now() < end) {
    v = await attr(frame, name);
    if (ok(v)) return v;
    await page.waitForTimeout(200);
  }
  throw new Error(
    `data-${name} is still ${JSON.stringify(v)}\n${session.server.exthostLog().slice(-3000)}`,
  );
}

/** Linux process state letter (R, S, T for stopped...), or null once the process is gone. */
function procState(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
  } catch {
    return null;
  }
}

test('the monitor opens in its own container and says what to do', async () => {
  const frame = await showMonitor();
  expect(await attr(frame, 'status')).toBe('idle');
  expect(await frame.textContent('.empty')).toContain('backward()');
  await screenshot(page, 'monitor-empty');
});

test.runIf(RUNS_WIRED)(
  'every step of nn-sinus reaches the chart, and the run ends done',
  async () => {
    await openFile(page, 'nn-sinus.ts');
    await runCommand(page, 'Gradlens: Visualize Graph');
    const frame = await showMonitor();
    await waitAttr(frame, 'status', (v) => v === 'done');
    // nn-sinus calls backward() on its loss 300 times: steps 1..300, every one recorded and drawn.
    expect(await attr(frame, 'rows')).toBe('300');
    expect(await attr(frame, 'drawn-rows')).toBe('300');
    expect(await attr(frame, 'last-step')).toBe('300');
    expect(await frame.locator('#chart-loss canvas').count()).toBe(1);
    expect(await frame.locator('#chart-grad .u-legend').innerText()).toContain('fc1.weight');
    // With the cursor away from the charts, the legends show the last values, not "--".
    await page.mouse.move(0, 0);
    for (const chart of ['#chart-loss', '#chart-grad'])
      expect(await frame.locator(`${chart} .u-legend`).innerText()).not.toContain('--');
    await screenshot(page, 'monitor-nn-sinus');
  },
);

/** Clicks an export button and accepts the save dialog's suggested path (VS Code's simple file dialog here). */
async function exportVia(frame: Frame, button: string, file: string): Promise<Buffer> {
  await frame.click(button);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  // The dialog fills in the suggested path a moment after it opens.
  let value = '';
  for (let i = 0; i < 50 && !(value = await input.inputValue()).endsWith(file); i++)
    await page.waitForTimeout(100);
  expect(value).toBe(join(ws.dir, file));
  await page.keyboard.press('Enter');
  const path = join(ws.dir, file);
  for (let i = 0; i < 100 && !existsSync(path); i++) await page.waitForTimeout(200);
  return readFileSync(path);
}

test.runIf(RUNS_WIRED)(
  'CSV export holds every step; PNG export is an image of the charts',
  async () => {
    const frame = await showMonitor();
    const csv = (await exportVia(frame, '#monitor-csv', 'nn-sinus-training.csv'))
      .toString('utf8')
      .trimEnd()
      .split('\n');
    expect(csv.length).toBe(301);
    expect(csv[0]).toBe(
      'step,time_ms,loss,lr,grad_norm[fc1.weight],grad_norm[fc1.bias],grad_norm[fc2.weight],grad_norm[fc2.bias],grad_norm[fc3.weight],grad_norm[fc3.bias]',
    );
    expect(csv[300].split(',')[0]).toBe('300');
    expect(Number(csv[300].split(',')[3])).toBe(0.01);
    const png = await exportVia(frame, '#monitor-png', 'nn-sinus-training.png');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    writeFileSync(join(ROOT, 'test-artifacts/monitor-export.png'), png);
  },
);

test.runIf(RUNS_WIRED)('exploding gradients are flagged and their zone is tinted', async () => {
  await openFile(page, 'diverge.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const frame = await showMonitor();
  await waitAttr(frame, 'script', (v) => v.endsWith('diverge.ts'));
  await waitAttr(frame, 'status', (v) => v === 'done' || v === 'failed');
  expect(await attr(frame, 'rows')).toBe('60');
  const warnings = await frame.locator('#monitor-warnings').innerText();
  expect(warnings).toMatch(/weight: exploding gradient/);
  expect(warnings).toMatch(/loss is not finite from step \d+/);
  await screenshot(page, 'monitor-exploding');
  // A later run of another script starts without them, even one that never makes a step.
  await openFile(page, 'no-steps.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const next = await showMonitor();
  await waitAttr(next, 'script', (v) => v.endsWith('no-steps.ts'));
  await waitAttr(next, 'status', (v) => v === 'failed');
  expect(await next.locator('#monitor-warnings li').count()).toBe(0);
  // Back to nn-sinus for the replay test below.
  await openFile(page, 'nn-sinus.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  await waitAttr(await showMonitor(), 'status', (v) => v === 'done');
});

test.runIf(RUNS_WIRED)('the view replays its run after being hidden and shown again', async () => {
  const before = await showMonitor();
  await before.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
  await runCommand(page, 'View: Show Explorer');
  await page.waitForTimeout(500);
  const frame = await showMonitor();
  // A fresh page (hidden webviews are torn down), filled again by the host's replay.
  expect(
    await frame.evaluate(() => (window as unknown as { marker?: number }).marker),
  ).toBeUndefined();
  await waitAttr(frame, 'drawn-rows', (v) => v === '300', 30_000);
  expect(await attr(frame, 'status')).toBe('done');
});

test.runIf(RUNS_WIRED)(
  'pause freezes the script, resume continues it, stop ends the process',
  async () => {
    await openFile(page, 'train-forever.ts');
    await runCommand(page, 'Gradlens: Visualize Graph');
    const frame = await showMonitor();
    await waitAttr(frame, 'status', (v) => v === 'running');
    const pid = Number(await waitAttr(frame, 'pid', (v) => v !== ''));
    expect(procState(pid)).toMatch(/[RS]/);
    // The loop never yields, yet its record keeps arriving (it once froze at step 2,699 while the
    // child's queue grew): thinned to a bounded stream, and the view says so.
    await waitAttr(frame, 'last-step', (v) => Number(v) > 20_000, 60_000);
    const first = Number(await attr(frame, 'last-step'));
    await waitAttr(frame, 'last-step', (v) => Number(v) > first, 10_000);
    expect(await frame.locator('#monitor .status').first().innerText()).toMatch(
      /every \d+(st|nd|rd|th) step shown/,
    );

    await frame.click('#monitor-pause');
    await waitAttr(frame, 'status', (v) => v === 'paused', 10_000);
    // The runner holds the script itself (no SIGSTOP): once it answers, "pausing…" goes away
    // and the steps stop coming.
    const status = frame.locator('#monitor .status').first();
    await expect.poll(() => status.innerText(), { timeout: 20_000 }).not.toMatch(/pausing/);
    expect(procState(pid)).toMatch(/[RS]/);
    await page.waitForTimeout(500); // records sent before the pause may still be on their way
    const held = Number(await attr(frame, 'last-step'));
    await page.waitForTimeout(1500);
    expect(Number(await attr(frame, 'last-step'))).toBe(held);
    await screenshot(page, 'monitor-paused');

    await frame.click('#monitor-resume');
    await waitAttr(frame, 'status', (v) => v === 'running', 10_000);
    await waitAttr(frame, 'last-step', (v) => Number(v) > held, 20_000);

    await frame.click('#monitor-stop');
    await waitAttr(frame, 'status', (v) => v === 'stopped', 20_000);
    expect(procState(pid)).toBeNull();
    // A user's stop is no error: one information message, the same as Cancel on the progress notification.
    expect(
      await notification(page, /Gradlens: stopped train-forever\.ts at step \d+\./, 20_000),
    ).not.toMatch(/threw|cancelled/);
    expect(
      await page.locator('.notification-toast', { hasText: 'train-forever.ts threw' }).count(),
    ).toBe(0);
    expect(await frame.locator('#monitor-status').innerText()).toBe('stopped');
    await screenshot(page, 'monitor-stopped');
  },
);

test.runIf(RUNS_WIRED)(
  'while a script runs the status bar shows it and its step; a click stops it',
  async () => {
    await openFile(page, 'train-forever.ts');
    await runCommand(page, 'Gradlens: Visualize Graph');
    const frame = await showMonitor();
    await waitAttr(frame, 'status', (v) => v === 'running');
    const item = page.locator('.statusbar-item', { hasText: 'train-forever.ts · step' }).first();
    await item.waitFor({ timeout: 30_000 });
    await screenshot(page, 'status-bar-running');
    await item.click();
    await waitAttr(frame, 'status', (v) => v === 'stopped', 20_000);
    await item.waitFor({ state: 'detached', timeout: 10_000 });
  },
);

test.runIf(RUNS_WIRED)(
  'after a window reload the last run comes back from the history',
  async () => {
    // Run nn-sinus once more so the overlay has an earlier run to compare with.
    await openFile(page, 'nn-sinus.ts');
    await runCommand(page, 'Gradlens: Visualize Graph');
    let frame = await showMonitor();
    await waitAttr(frame, 'status', (v) => v === 'done');
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await waitForActivation(page);
    frame = await showMonitor();
    await waitAttr(frame, 'drawn-rows', (v) => v === '300', 60_000);
    expect(await attr(frame, 'status')).toBe('done');
    expect(Number(await attr(frame, 'previous'))).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'monitor-after-reload');
  },
);
