// What the graph view and the editor say around a run, in a fresh window with settings of its
// own (issue 12): a first run that cannot even start shows the failure (message, Show Output,
// Re-run) and no walkthrough offer interrupts; while a run goes on the view says so, also after
// its page was rebuilt, and its Stop ends the run; inline gradients sit where parameters are made and include the .grad
// of intermediates the script keeps.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT } from './harness/code-server';
import {
  closeSession,
  openFile,
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

const LOOP = `import * as torch from 'gradlens';

const w = torch.tensor([0.5], { requiresGrad: true });
console.log('view loop running');
for (;;) {
  const loss = w.mul(3).sub(1).pow(2).sum();
  loss.backward();
  w.grad!.zero_();
}
`;

const MODEL = `import * as torch from 'gradlens';

class Net extends torch.nn.Module {
  fc1 = new torch.nn.Linear(2, 1);
  forward(x: torch.Tensor): torch.Tensor {
    return this.fc1.forward(x);
  }
}
torch.manualSeed(0);
const net = new Net();
const x = torch.tensor([[1.0, 2.0]]);
net.forward(x).sum().backward();
`;

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  copyFileSync(join(ROOT, 'examples/python/retain_grad.py'), join(ws.dir, 'retain_grad.py'));
  copyFileSync(join(ROOT, 'examples/retain-grad.ts'), join(ws.dir, 'retain-grad.ts'));
  writeFileSync(join(ws.dir, 'view_loop.ts'), LOOP);
  writeFileSync(join(ws.dir, 'net.ts'), MODEL);
  session = await openSession({
    workspace: ws.dir,
    disableWorkspaceTrust: true,
    settings: {
      'gradlens.run.timeoutSeconds': 120,
      'gradlens.python.path': join(ROOT, 'test/fixtures/python/python-without-torch'),
    },
  });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

/** The graph view page's whole text, polled until `expected` is in it. */
async function viewSays(expected: string): Promise<Frame> {
  let frame = await webviewFrame(page, '#app[data-gradlens="graph-view"]');
  await expect
    .poll(
      async () => {
        frame = await webviewFrame(page, '#app[data-gradlens="graph-view"]');
        return frame.locator('#app').innerText();
      },
      { timeout: 60_000 },
    )
    .toContain(expected);
  return frame;
}

/** The text of the editor line starting with `start`, with the decorations drawn after it. */
async function editorLine(start: string): Promise<string> {
  return page.evaluate((s) => {
    const line = [...document.querySelectorAll('.monaco-editor .view-line')].find((l) =>
      l.textContent.replace(/\u00a0/g, ' ').startsWith(s),
    );
    if (line === undefined) return '';
    const after = [...line.querySelectorAll('span')]
      .map((e) => getComputedStyle(e, '::after').content)
      .filter((c) => c !== 'none' && c !== 'normal' && c !== '')
      .map((c) => c.replace(/^"|"$/g, ''));
    return [line.textContent.replace(/\u00a0/g, ' '), ...after].join(' ');
  }, start);
}

test('a first run that cannot start shows the failure in the view; no walkthrough offer', async () => {
  await openInFirstGroup(page, 'retain_grad.py');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const frame = await viewSays('torch is not importable');
  expect(await frame.locator('#show-output').isVisible()).toBe(true);
  expect(await frame.locator('#rerun').isVisible()).toBe(true);
  // The extension activated long before: its first-run offer would be on screen by now.
  const offers = page.locator('.notification-toast', { hasText: 'A short walkthrough' });
  expect(await offers.count()).toBe(0);
  await screenshot(page, 'run-view-first-failure');
});

test('while a run goes on the view says so, also after its page was rebuilt; its Stop ends the run', async () => {
  await openInFirstGroup(page, 'view_loop.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  await viewSays('Running');
  // Hide the view behind another editor of its group (its page is torn down), then show it.
  const tab = page.locator('.tab', { hasText: 'Gradlens Graph' }).first();
  await tab.click();
  await openFile(page, 'linear.ts');
  expect(await tab.getAttribute('aria-selected')).toBe('false');
  await tab.click();
  const frame = await viewSays('Running');
  // The script by its file name, as editor tabs name it; its path only in the tooltip.
  expect(await frame.locator('#running-message').textContent()).toBe('Running view_loop.ts…');
  expect(await frame.locator('#app').innerText()).not.toContain(ws.dir);
  expect(await frame.locator('#failure').count()).toBe(0);
  expect(await frame.locator('#announce[role="status"]').textContent()).toBe(
    'Running view_loop.ts…',
  );
  await screenshot(page, 'run-view-running-after-rebuild');
  // The view's own Stop ends the run: what it captured so far is shown.
  await frame.locator('#stop-run').click();
  await shownGraph(page, 'view_loop.ts: backward() #');
});

test('inline gradients: at the line making a parameter, and for an intermediate kept with retainGrad', async () => {
  await openInFirstGroup(page, 'net.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  await shownGraph(page, 'net.ts: backward() #1');
  await openInFirstGroup(page, 'net.ts');
  await expect
    .poll(() => editorLine('  fc1 = new'), { timeout: 30_000 })
    .toContain('fc1.weight.grad = 1, 2');
  expect(await editorLine('  fc1 = new')).toContain('fc1.bias.grad = 1');

  await openInFirstGroup(page, 'retain-grad.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  await shownGraph(page, 'retain-grad.ts: backward() #1');
  await openInFirstGroup(page, 'retain-grad.ts');
  await expect.poll(() => editorLine('const Q ='), { timeout: 30_000 }).toContain('Q.grad = -32');
  expect(await editorLine('const a =')).toContain('a.grad = -384');
  await screenshot(page, 'run-view-inline-gradients');
});
