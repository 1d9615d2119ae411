// Check with finite differences in a real VS Code (code-server + Chromium): on the seed's Q/P
// graph the toolbar's Check gradients reports a = -384 and b = 96 agreeing with central
// differences, and the boxes are marked as agreeing; a custom Function with a wrong backward
// is marked as disagreeing on its own node, in TypeScript (whole graph) and in PyTorch
// (checked from the node's details box). The panel's heading names the backward() checked and
// the script. Screenshots: test-artifacts/gradcheck-*.png.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { ROOT } from './harness/code-server';
import {
  closeSession,
  openSession,
  runLog,
  screenshot,
  type Session,
  waitForActivation,
  visualizeFile,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';
const SCRIPTS = join(ROOT, 'test', 'fixtures', 'scripts');

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  copyFileSync(join(SCRIPTS, 'explain-qp.ts'), join(ws.dir, 'qp.ts'));
  copyFileSync(join(SCRIPTS, 'gradcheck-wrong.ts'), join(ws.dir, 'wrong.ts'));
  copyFileSync(join(SCRIPTS, 'gradcheck-wrong.py'), join(ws.dir, 'wrong.py'));
  session = await openSession({
    workspace: ws.dir,
    disableWorkspaceTrust: true,
    settings: { 'gradlens.python.path': PYTHON },
  });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  console.log(runLog(session).join('\n'));
  await closeSession(session);
  ws.remove();
});

/** The check's verdict line, once the host answered (the page says "Checking…" until then). */
async function verdict(frame: Frame): Promise<string> {
  const message = frame.locator('#gradcheck-message');
  await expect
    .poll(async () => (await message.textContent()) ?? '', { timeout: 120_000 })
    .not.toMatch(/^Checking|^$/);
  return (await message.textContent()) ?? '';
}

const details = (frame: Frame): Promise<string> =>
  frame.locator('#details').evaluate((e) => e.textContent);

/** Clicks the toolbar's Check gradients, from the "…" menu when the toolbar had no room. */
async function checkAll(frame: Frame): Promise<void> {
  if (!(await frame.locator('#gradcheck').isVisible())) await frame.click('#more');
  await frame.click('#gradcheck');
}

test('Check gradients on the Q/P graph: -384 and 96 agree with central differences', async () => {
  const frame = await visualizeFile(page, 'qp.ts');
  await checkAll(frame);
  expect(await verdict(frame)).toBe('all 2 checked gradients agree');
  expect(await frame.locator('#gradcheck-title').textContent()).toBe(
    'Gradient check of backward() #1 in qp.ts',
  );
  expect(await frame.locator('#gradcheck-title').getAttribute('title')).toBe(join(ws.dir, 'qp.ts'));
  // Screen readers hear the verdict; the focus, lost with the disabled button, is in the panel.
  expect(await frame.locator('#announce[role="status"]').textContent()).toBe(
    'Gradient check of backward() #1 in qp.ts: all 2 checked gradients agree',
  );
  expect(await frame.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
    'Close',
  );
  const text = await details(frame);
  expect(text).toContain('a: analytic -384, numeric -384');
  expect(text).toContain('b: analytic 96, numeric 96');
  expect(text).toContain('central differences in float64');
  expect(await frame.locator('g.gl-check-ok').count()).toBeGreaterThanOrEqual(2);
  expect(await frame.locator('g.gl-check-bad').count()).toBe(0);
  await screenshot(page, 'gradcheck-qp');
});

test('a TypeScript custom Function with a wrong backward is marked as disagreeing', async () => {
  const frame = await visualizeFile(page, 'wrong.ts');
  await checkAll(frame);
  expect(await verdict(frame)).toBe('2 of 2 checked gradients disagree');
  expect(await frame.locator('#gradcheck-title').textContent()).toBe(
    'Gradient check of backward() #1 in wrong.ts',
  );
  const text = await details(frame);
  expect(text).toContain('analytic 8, numeric 12  ✗ DISAGREE');
  expect(text).toContain('grad_input 0: analytic 4, numeric 6  ✗ DISAGREE');
  await expect
    .poll(() => frame.locator('g.gl-node.gl-check-bad[data-name="CubeBackward"]').count())
    .toBe(1);
  await screenshot(page, 'gradcheck-wrong-ts');
});

test("a PyTorch custom Function's own node is flagged, checked from its details box", async () => {
  const frame = await visualizeFile(page, 'wrong.py');
  await frame.locator('g.gl-node[data-name="CubeBackward"]').click();
  await frame.locator('#details button.gradcheck-node').click();
  expect(await verdict(frame)).toMatch(/^2 of 2 checked gradients disagree/);
  const text = await details(frame);
  expect(await frame.locator('#gradcheck-title').textContent()).toBe(
    'Gradient check of backward() #1 below CubeBackward in wrong.py',
  );
  expect(text).toContain('CubeBackward: its backward against its forward');
  expect(text).toContain('x: analytic 12, numeric 18');
  await expect
    .poll(() => frame.locator('g.gl-node.gl-check-bad[data-name="CubeBackward"]').count())
    .toBe(1);
  await screenshot(page, 'gradcheck-wrong-py');
});
