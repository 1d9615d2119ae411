// Breakpoint capture in a real VS Code: set breakpoints in a TypeScript script, run
// "Gradlens: Debug Script", and check that the inline values, the graph view and the tensor
// hover show the tensors at each stop, step by step. Also measures how long after the editor
// shows the stop the inline values and the graph view are updated.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import {
  charCenter,
  closeSession,
  openFile,
  openSession,
  runCommand,
  screenshot,
  type Session,
  waitForActivation,
  webviewFrame,
  toggleBreakpointAt,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

const SCRIPT = [
  "import * as torch from 'gradlens';",
  '',
  'torch.manualSeed(0);',
  'const w = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });',
  'const x = torch.tensor([[0.5], [1]]);',
  'const h = w.matmul(x);',
  'const y = h.relu();',
  'const loss = y.sum();',
  'loss.backward();',
  'console.log(loss.item(), w.grad!.tolist());',
  '',
].join('\n');

let session: Session | undefined;
let page: Page;
const ws = makeWorkspace();
const timings: Record<string, number> = {};

beforeAll(async () => {
  writeFileSync(join(ws.dir, 'debug-demo.ts'), SCRIPT);
  session = await openSession({ workspace: ws.dir, disableWorkspaceTrust: true });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  console.log(`breakpoint capture timings (ms): ${JSON.stringify(timings)}`);
  const log = session?.server.exthostLog() ?? '';
  const lines = log.split('\n').filter((l) => l.includes('debug: '));
  if (lines.length > 0) console.log(lines.join('\n'));
  await closeSession(session);
  ws.remove();
});

/** The editor text including inline-value decorations (they are rendered inside .view-lines). */
async function editorText(): Promise<string> {
  return (await page.locator('.monaco-editor .view-lines').first().innerText()).replace(
    /\u00a0/g,
    ' ',
  );
}

/** Resolves when the editor marks `line` (1-based) as the current stop; returns Date.now(). */
async function stoppedAt(line: number): Promise<number> {
  await page.waitForFunction(
    (l) => {
      const el = document.querySelector('.debug-top-stack-frame-line');
      if (el === null) return false;
      const top = el.parentElement?.style.top ?? '';
      const lines = [
        ...document.querySelectorAll('.monaco-editor .view-overlays > div'),
      ] as HTMLElement[];
      const idx = lines.findIndex((d) => d.querySelector('.debug-top-stack-frame-line') !== null);
      // The decoration's row and the gutter line number at the same height.
      const numbers = [
        ...document.querySelectorAll('.monaco-editor .line-numbers'),
      ] as HTMLElement[];
      const mark = numbers.find((n) => (n.parentElement as HTMLElement).style.top === top);
      return idx >= 0 && mark !== undefined && mark.textContent.trim() === String(l);
    },
    line,
    { timeout: 60_000, polling: 20 },
  );
  return Date.now();
}

/**
 * Rests the mouse on a character until the debug hover shows `expected`. VS Code drops a hover
 * it is about to show whenever the editor's scroll size changes (lines growing as inline
 * values render, CodeLens zones, the editor resized as the graph view opens beside it), which
 * happens often in the first seconds of a session; and, when the mouse crosses several
 * characters on the way, the answer to a superseded request cancels the newest one (both seen
 * with logging added to VS Code 1.100's debug hover). So the mouse jumps to the character in
 * one move, and a retry first rests on `awayColumn`: VS Code asks again only at a new position.
 */
async function debugHover(lineText: string, column: number, awayColumn: number, expected: string) {
  const hover = page.locator('.debug-hover-widget');
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) {
      const away = await charCenter(page, lineText, awayColumn);
      await page.mouse.move(away.x, away.y);
      await page.waitForTimeout(500);
    }
    const at = await charCenter(page, lineText, column);
    await page.mouse.move(at.x, at.y);
    try {
      await page.waitForFunction(
        (t) => {
          const text = document.querySelector<HTMLElement>('.debug-hover-widget')?.innerText ?? '';
          return text.includes(t) && text.includes('requiresGrad');
        },
        expected,
        { timeout: 5_000 },
      );
      if (attempt > 1) console.log(`debug hover shown on attempt ${attempt}`);
      return hover;
    } catch (e) {
      if (attempt === 4) throw e;
    }
  }
}

/** The variable names of the Variables view's Module scope, in the order shown. */
async function moduleScopeNames(): Promise<string[]> {
  const rows = page.locator('.debug-variables .monaco-list-row');
  const scope = rows.filter({ hasText: /^Module$/ }).first();
  await scope.waitFor({ timeout: 30_000 });
  if ((await scope.getAttribute('aria-expanded')) === 'false') await scope.click();
  // Rows are labelled `w, value _Tensor {…}`; scopes by their name alone.
  const read = () =>
    page.$$eval('.debug-variables .monaco-list-row', (rs) =>
      rs.map((r) => {
        const label = r.getAttribute('aria-label') ?? r.textContent;
        return { name: label.split(', value ')[0].trim() };
      }),
    );
  try {
    await expect
      .poll(async () => (await read()).some((r) => r.name === 'w'), { timeout: 30_000 })
      .toBe(true);
  } catch (e) {
    console.log(
      await rows.evaluateAll((rs) => rs.slice(0, 6).map((r) => r.outerHTML.slice(0, 600))),
    );
    throw e;
  }
  const all = await read();
  const start = all.findIndex((r) => r.name === 'Module');
  const names: string[] = [];
  for (const r of all.slice(start + 1)) {
    if (/^(Local|Closure|Block|Script|Global)\b/.test(r.name)) break; // the next scope
    names.push(r.name);
  }
  return names;
}

async function waitForEditorText(text: string): Promise<number> {
  await page.waitForFunction(
    (t) => {
      const el = document.querySelector<HTMLElement>('.monaco-editor .view-lines');
      return el !== null && el.innerText.replace(/\u00a0/g, ' ').includes(t);
    },
    text,
    { timeout: 30_000, polling: 20 },
  );
  return Date.now();
}

async function waitForTitle(frame: Frame, text: string): Promise<number> {
  await frame.waitForFunction(
    (t) => (document.getElementById('graph-title')?.textContent ?? '').includes(t),
    text,
    { timeout: 30_000, polling: 20 },
  );
  return Date.now();
}

test('breakpoints in a .ts script bind; each stop updates inline values, the graph view and the hover', async () => {
  try {
    await scenario();
  } catch (e) {
    await screenshot(page, 'debug-failure');
    console.log(`extension host log:\n${session!.server.exthostLog().slice(-6000)}`);
    throw e;
  }
});

async function scenario(): Promise<void> {
  await openFile(page, 'debug-demo.ts');
  await toggleBreakpointAt(page, 7);
  await toggleBreakpointAt(page, 10);
  await runCommand(page, 'Gradlens: Debug Script');

  // Stop 1, line 7: w, x and h exist; y and loss are not initialised yet.
  const stop1 = await stoppedAt(7);
  const inline1 = await waitForEditorText('h = [2×1] [2.5, 5.5] · MmBackward0');
  const frame = await webviewFrame(page, '#graph-title');
  const graph1 = await waitForTitle(frame, 'debug stop 1');
  timings.stop1InlineValues = inline1 - stop1;
  timings.stop1Graph = graph1 - stop1;
  let text = await editorText();
  expect(text).toContain('w = [2×2] [1, 2, 3, 4] · leaf');
  expect(text).toContain('x = [2×1] [0.5, 1]');
  expect(text).not.toContain('y = [');
  expect(await frame.textContent('#graph-title')).toMatch(
    /debug-demo\.ts:7: debug stop 1 \(first stop\)/,
  );
  await screenshot(page, 'debug-stop1-inline-values');
  // No backward() has run yet: the drawing's header says what it shows instead.
  const header = (await frame.textContent('.gl-header')) ?? '';
  expect(header).toContain('tensors in scope at debug stop 1');
  expect(header).not.toMatch(/backward\(\) #/);
  // The Module scope lists the script's variables before esbuild's helpers.
  const names = await moduleScopeNames();
  expect(names).toContain('w');
  expect(names.some((n) => n.startsWith('__'))).toBe(true);
  expect(names.indexOf('w')).toBeLessThan(names.findIndex((n) => n.startsWith('__')));

  // Hover over `h` on line 6: the debug hover shows the tensor's summary with gradFn.
  const hover = await debugHover('const h = w.matmul(x);', 6, 8, '[2×1]');
  const hoverText = await hover.innerText();
  await screenshot(page, 'debug-stop1-hover');
  expect(hoverText).toContain('[2×1]');
  expect(hoverText).toContain('requiresGrad');
  expect(hoverText).toContain('isLeaf');
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');

  // Step over once: line 8, y now exists and the graph gained ReluBackward0 and y.
  await runCommand(page, 'Debug: Step Over');
  const stop2 = await stoppedAt(8);
  const inline2 = await waitForEditorText('y = [2×1] [2.5, 5.5] · ReluBackward0');
  const graph2 = await waitForTitle(frame, 'debug stop 2');
  timings.stop2InlineValues = inline2 - stop2;
  timings.stop2Graph = graph2 - stop2;
  expect(await frame.textContent('#graph-title')).toContain('+2 nodes; changed: y');
  await screenshot(page, 'debug-stop2-after-step');

  // Continue to line 10, after backward(): gradients appear inline.
  await runCommand(page, 'Debug: Continue');
  const stop3 = await stoppedAt(10);
  const inline3 = await waitForEditorText('w = [2×2] [1, 2, 3, 4] · grad [0.5, 1, 0.5, 1] · leaf');
  const graph3 = await waitForTitle(frame, 'debug stop 3');
  timings.stop3InlineValues = inline3 - stop3;
  timings.stop3Graph = graph3 - stop3;
  text = await editorText();
  expect(text).toContain('loss = scalar 8 · SumBackward0');
  expect(await frame.textContent('#graph-title')).toContain('changed: loss, w');
  await screenshot(page, 'debug-stop3-grads');

  await runCommand(page, 'Debug: Continue');
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30_000 });
}
