// Capture points in a real VS Code: a breakpoint set in a .py file with "Debug: Toggle
// Breakpoint" is recorded without pausing when the user runs Visualize Graph; the picker lists
// its hits among the backward() graphs, a hit's graph shows the tensors in scope before the
// line ran, and the line shows their values at the last hit.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  closeSession,
  nodeNames,
  openInFirstGroup,
  openSession,
  runCommand,
  screenshot,
  shownGraph,
  type Session,
  waitForActivation,
  toggleBreakpointAt,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';

const SCRIPT = `import torch

a = torch.tensor([2.0], requires_grad=True)
b = torch.tensor([8.0], requires_grad=True)
for step in range(3):
    Q = a ** 3 - 3 * b
    P = Q ** 2
P.backward()
print("dP/da", a.grad.item())
`;
/** The line of `P = Q ** 2`: reached three times, with `Q` in scope and `P` not yet made. */
const LINE = 7;

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  writeFileSync(join(ws.dir, 'capture_demo.py'), SCRIPT);
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

async function breakpointAt(line: number): Promise<void> {
  await toggleBreakpointAt(page, line);
  await page
    .locator('.monaco-editor .codicon-debug-breakpoint')
    .first()
    .waitFor({ state: 'attached', timeout: 15_000 });
}

test('a breakpoint becomes a capture point: its hits are listed and show the tensors in scope', async () => {
  await openInFirstGroup(page, 'capture_demo.py');
  await breakpointAt(LINE);
  await runCommand(page, 'Gradlens: Visualize Graph');
  // The backward() graph is shown as usual, after the three hits in run order.
  const first = await shownGraph(page, 'capture_demo.py: backward() #1', 120_000);
  expect(await first.locator('#pick').textContent()).toBe('graph 4 of 4 …');

  await runCommand(page, 'Gradlens: Choose Captured Graph');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 15_000 });
  // Each row's first label is the item's (its detail line has one too).
  const labels = await rows.evaluateAll((rs) =>
    rs.map((r) => r.querySelector('.label-name')?.textContent ?? ''),
  );
  expect(labels).toEqual([
    `capture_demo.py:${LINE} (hit 1)`,
    `capture_demo.py:${LINE} (hit 2)`,
    `capture_demo.py:${LINE} (hit 3)`,
    'backward() #1',
  ]);
  await rows.first().click();

  const frame = await shownGraph(page, `capture_demo.py: breakpoint at line ${LINE} (hit 1)`);
  const names = await nodeNames(frame);
  expect(names).toEqual(expect.arrayContaining(['Q', 'a', 'b', 'SubBackward0', 'PowBackward0']));
  expect(names).not.toContain('P'); // the line had not run yet
  expect(await frame.locator('#pick').textContent()).toBe('graph 1 of 4 …');
  await screenshot(page, 'python-capture-point');

  // Inline values at the breakpoint's line: the tensors in scope at its last hit. They are
  // line-end decorations, drawn as CSS generated content.
  await openInFirstGroup(page, 'capture_demo.py');
  const decorations = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('.monaco-editor .view-lines span')]
        .map((e) => getComputedStyle(e, '::after').content)
        .filter((c) => c !== 'none' && c !== 'normal' && c !== ''),
    );
  await expect
    .poll(async () => (await decorations()).join('\n').replace(/\u00a0/g, ' '), {
      timeout: 15_000,
    })
    .toContain('hit 3: a (1,) 2   b (1,) 8');
});
