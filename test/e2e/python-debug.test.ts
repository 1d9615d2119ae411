// "Gradlens: Debug Script" on a .py file in a real VS Code: code-server has no Python Debugger
// extension, so Gradlens runs debugpy's own adapter (Debian's python3-debugpy) with the
// interpreter of `gradlens.python.path`. Breakpoints set from the palette stop the script;
// at each stop the graph view shows the graph of the tensors in scope, inline values appear
// next to the tensor variables and the debug hover shows a tensor's attributes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import {
  charCenter,
  closeSession,
  nodeNames,
  openFile,
  openSession,
  runCommand,
  screenshot,
  webviewFrame,
  type Session,
  waitForActivation,
  toggleBreakpointAt,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';

const SCRIPT = [
  'import torch',
  '',
  'a = torch.tensor([2.0, 3.0], requires_grad=True)',
  'b = torch.tensor([6.0, 4.0], requires_grad=True)',
  'Q = 3 * a**3 - b**2',
  'P = (a**3 - 3 * b) ** 2',
  'Q.sum().backward()',
  'print("dQ/da", a.grad)',
  '',
].join('\n');

let session: Session | undefined;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  writeFileSync(join(ws.dir, 'qp_debug.py'), SCRIPT);
  session = await openSession({
    workspace: ws.dir,
    disableWorkspaceTrust: true,
    settings: { 'gradlens.python.path': PYTHON },
  });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  const lines = (session?.server.exthostLog() ?? '')
    .split('\n')
    .filter((l) => l.includes('debug: '));
  if (lines.length > 0) console.log(lines.join('\n'));
  await closeSession(session);
  ws.remove();
});

async function waitForEditorText(text: string): Promise<void> {
  await page.waitForFunction(
    (t) => {
      const el = document.querySelector<HTMLElement>('.monaco-editor .view-lines');
      return el !== null && el.innerText.replace(/\u00a0/g, ' ').includes(t);
    },
    text,
    { timeout: 60_000, polling: 50 },
  );
}

/** Waits until the graph view has painted a graph whose title contains `title`. */
async function paintedGraph(frame: Frame, title: string): Promise<void> {
  await frame.waitForFunction(
    (t) =>
      document.getElementById('app')?.dataset.state === 'painted' &&
      (document.getElementById('graph-title')?.textContent ?? '').includes(t),
    title,
    { timeout: 120_000, polling: 100 },
  );
}

/**
 * Rests the mouse on a character until the debug hover shows `expected`; VS Code drops a hover
 * it was about to show while the editor still settles (see test/e2e/debug.test.ts), so each
 * attempt first rests on `awayColumn`: VS Code asks again only at a new position.
 */
async function debugHover(
  lineText: string,
  column: number,
  awayColumn: number,
  expected: string,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const away = await charCenter(page, lineText, awayColumn);
    await page.mouse.move(away.x, away.y);
    await page.waitForTimeout(500);
    const at = await charCenter(page, lineText, column);
    await page.mouse.move(at.x, at.y);
    try {
      await page.waitForFunction(
        (t) =>
          (document.querySelector<HTMLElement>('.debug-hover-widget')?.innerText ?? '').includes(t),
        expected,
        { timeout: 5_000 },
      );
      return await page.locator('.debug-hover-widget').innerText();
    } catch (e) {
      if (attempt === 4) throw e;
    }
  }
}

test('Debug Script on a .py stops at breakpoints; each stop shows the graph in scope', async () => {
  try {
    await scenario();
  } catch (e) {
    await screenshot(page, 'python-debug-failure');
    console.log(`extension host log:\n${session?.server.exthostLog().slice(-6000) ?? ''}`);
    throw e;
  }
});

async function scenario(): Promise<void> {
  await openFile(page, 'qp_debug.py');
  await toggleBreakpointAt(page, 6);
  await toggleBreakpointAt(page, 8);
  await runCommand(page, 'Gradlens: Debug Script');

  // Stop 1, before line 6 runs: a, b and Q exist, P does not yet.
  const frame = await webviewFrame(page, '#graph-title', 120_000);
  await paintedGraph(frame, 'qp_debug.py:6: debug stop 1 (first stop)');
  const names = await nodeNames(frame);
  for (const n of ['PowBackward0', 'MulBackward0', 'SubBackward0', 'a', 'b', 'Q'])
    expect(names).toContain(n);
  expect(names).not.toContain('P');
  expect((await frame.textContent('.gl-header')) ?? '').toContain(
    'tensors in scope at debug stop 1',
  );
  await waitForEditorText('Q = [2] [-12, 65] · SubBackward0');
  await waitForEditorText('a = [2] [2, 3] · leaf');
  await screenshot(page, 'python-debug-stop1');

  // The debug hover on a shows its attributes, as PyTorch names them.
  const hover = await debugHover('Q = 3 * a**3 - b**2', 8, 4, 'is_leaf');
  for (const key of ['shape', 'dtype', 'grad', 'grad_fn', 'is_leaf', 'requires_grad'])
    expect(hover).toContain(key);
  expect(hover).toContain('[2]');
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');

  // Continue to line 8, after backward(): P joined the graph and a has its gradient 9a².
  await runCommand(page, 'Debug: Continue');
  await paintedGraph(frame, 'qp_debug.py:8: debug stop 2');
  const title = (await frame.textContent('#graph-title')) ?? '';
  expect(title).toMatch(/\+\d+ nodes; changed: .*P/);
  expect(await nodeNames(frame)).toContain('P');
  await waitForEditorText('a = [2] [2, 3] · grad [36, 81] · leaf');
  await screenshot(page, 'python-debug-stop2');

  await runCommand(page, 'Debug: Continue');
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 60_000 });
}
