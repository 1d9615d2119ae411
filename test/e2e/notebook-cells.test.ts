// Notebook cells in a real VS Code, without a kernel: code-server opens .ipynb files with its
// built-in serializer (no Jupyter extension), and Gradlens runs the cells up to the chosen one
// in the Python tracer. Visualize Graph under the seed's Q/P cell shows PyTorch's graph, the
// palette command takes the selected cell, "Run backward" stops at the cell's call, a node's
// click goes to its cell's line, an error lands on its cell's line, and a cell that never ends
// is cancelled.
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Locator, Page } from 'playwright-core';
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
  waitForActivation,
  webviewFrame,
  type Session,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';
const SEED = 'autograd_seed.ipynb';

/** An nbformat 4 notebook of (cell type, source) pairs. */
function notebook(cells: [string, string][]): string {
  return JSON.stringify({
    cells: cells.map(([type, source]) => ({
      cell_type: type,
      metadata: {},
      source,
      ...(type === 'code' ? { outputs: [], execution_count: null } : {}),
    })),
    metadata: { language_info: { name: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  copyFileSync(join(ROOT, 'examples/python', SEED), join(ws.dir, SEED));
  writeFileSync(
    join(ws.dir, 'cell_error.ipynb'),
    notebook([
      ['code', 'import torch\na = torch.tensor(2.0, requires_grad=True)'],
      ['markdown', '## A name that was never defined'],
      ['code', 'b = a * 3\nc = b * undefined_name\nc.backward()'],
    ]),
  );
  writeFileSync(
    join(ws.dir, 'cell_forever.ipynb'),
    notebook([
      ['code', 'import torch'],
      ['code', 'print("cell loop running", flush=True)\nwhile True:\n    pass'],
    ]),
  );
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

/** The notebook cell whose code contains `text` (no spaces: the editor draws them as nbsp). */
function cell(text: string): Locator {
  return page.locator('.notebook-editor .code-cell-row', { hasText: text }).first();
}

/** Scrolls the notebook until the cell holding `text` is drawn (the list draws only what is near the view). */
async function scrollToCell(text: string, direction: 'up' | 'down'): Promise<void> {
  const box = await page.locator('.notebook-editor .monaco-list').first().boundingBox();
  if (box === null) throw new Error('no notebook editor');
  for (let i = 0; i < 30 && (await cell(text).count()) === 0; i++) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, direction === 'down' ? 300 : -300);
    await page.waitForTimeout(200);
  }
  await cell(text).scrollIntoViewIfNeeded();
}

/**
 * The text of the notebook's editor line starting with `start`, with what decorations add at
 * its end: a cell's editor draws that text as CSS `::after` content, not as DOM text.
 */
function editorLine(start: string): Promise<string | undefined> {
  return page.evaluate((t) => {
    const shown = (el: Element): string => {
      const after = getComputedStyle(el, '::after').content;
      const own = [...el.childNodes]
        .map((c) => (c instanceof Element ? shown(c) : (c.textContent ?? '')))
        .join('');
      return own + (after.startsWith('"') ? (JSON.parse(after) as string) : '');
    };
    return [...document.querySelectorAll('.notebook-editor .view-line')]
      .map((l) => shown(l).replace(/\u00a0/g, ' '))
      .find((l) => l.startsWith(t));
  }, start);
}

/** The runs the extension has started so far, from its Output channel. */
function runsStarted(): number {
  return outputChannel().split('[gradlens] running ').length - 1;
}

/**
 * Clicks the Gradlens item of `label` in the status bar under the cell holding `text`. A
 * notebook just opened still measures its cells, so a click can land on a cell that moved
 * under it: click again until a run starts.
 */
async function clickCellItem(text: string, label: string): Promise<void> {
  const item = cell(text).locator('.cell-status-item', { hasText: label }).first();
  const before = runsStarted();
  for (let attempt = 1; ; attempt++) {
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    await item.scrollIntoViewIfNeeded();
    await item.click();
    try {
      await expect.poll(runsStarted, { timeout: 20_000 }).toBeGreaterThan(before);
      return;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

/** The Gradlens Output channel's text, from its log file. */
function outputChannel(): string {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/Gradlens\.log$/.test(e.name)) found.push(readFileSync(p, 'utf8'));
    }
  };
  walk(join(session.server.userDataDir, 'logs'));
  return found.join('\n');
}

test('Visualize Graph under the seed Q/P cell shows the graph PyTorch built for it', async () => {
  await openInFirstGroup(page, SEED);
  await clickCellItem('retain_grad', 'Visualize Graph');
  const frame = await shownGraph(page, `${SEED}: backward() #1 (cell 6, line 4)`);
  const names = new Set(await nodeNames(frame));
  for (const name of ['PowBackward0', 'SubBackward0', 'MulBackward0', 'AccumulateGrad', 'a', 'b'])
    expect(names).toContain(name);
  // Cell 8 (the vector Q, which prints its checks) comes after the chosen cell: it did not run.
  expect(outputChannel()).toContain('dP/da -384.0 dP/db 96.0 dP/dQ -32.0');
  expect(outputChannel()).not.toContain('tensor([True, True])');
  expect(outputChannel()).toContain(
    'cell 2, line 1: skipped the IPython magic `%matplotlib inline` (no IPython here)',
  );
  await screenshot(page, 'notebook-cell-graph');

  // The cell's editor shows the gradients inline, and a hover on Q gives dP/dQ.
  await expect
    .poll(() => editorLine('Q = a**3'), { timeout: 30_000 })
    .toContain('a.grad = -384   b.grad = 96   Q.grad = -32');
  const hover = page.locator('.monaco-hover-content', { hasText: 'gradFn' }).first();
  for (let attempt = 1; ; attempt++) {
    const away = await charCenter(page, 'Q.retain_grad()', 8);
    await page.mouse.move(away.x, away.y);
    const at = await charCenter(page, 'Q.retain_grad()', 0);
    await page.mouse.move(at.x, at.y);
    try {
      await hover.waitFor({ state: 'visible', timeout: 5_000 });
      break;
    } catch (e) {
      if (attempt === 4) throw e;
    }
  }
  expect(await hover.innerText()).toContain('gradient: -32');
  await page.mouse.move(5, 5);

  // Clicking a node takes the cursor to its line in its cell (here away from another cell).
  await cell('matplotlib').locator('.view-line').first().click();
  await frame.click('g.gl-node[data-name="SubBackward0"]');
  await page
    .locator('.notebook-editor .code-cell-row.focused .monaco-editor.focused', {
      hasText: 'retain_grad',
    })
    .first()
    .waitFor({ timeout: 30_000 });
});

test('the palette command takes the selected cell; Run backward stops at its cell', async () => {
  await openInFirstGroup(page, SEED);
  await scrollToCell('external_grad', 'down');
  await cell('external_grad').locator('.view-line').first().click();
  await runCommand(page, 'Gradlens: Visualize Graph');
  const vector = await shownGraph(page, `${SEED}: backward() #2 (cell 8, line 5)`);
  expect(await nodeNames(vector)).toContain('PowBackward0');

  await openInFirstGroup(page, SEED);
  await scrollToCell('retain_grad', 'up');
  await clickCellItem('retain_grad', 'Run backward');
  const qp = await shownGraph(page, `${SEED}: backward() #1 (cell 6, line 4)`);
  expect(await nodeNames(qp)).toContain('SubBackward0');
});

test("an exception in a cell is reported at that cell's line", async () => {
  await openInFirstGroup(page, 'cell_error.ipynb');
  await clickCellItem('undefined_name', 'Visualize Graph');
  const text = await notification(page, /cell_error\.ipynb threw \(cell 3, line 2\)/, 90_000);
  expect(text).toContain("NameError: name 'undefined_name' is not defined");
  // The diagnostic is on the cell's own document, under its second line.
  const squiggle = cell('undefined_name').locator('.squiggly-error').first();
  await squiggle.waitFor({ state: 'attached', timeout: 30_000 });
  const line = await squiggle.evaluate((el) => {
    const lines = [...(el.closest('.monaco-editor')?.querySelectorAll('.view-line') ?? [])];
    const top = el.getBoundingClientRect().top;
    return lines.find((l) => Math.abs(l.getBoundingClientRect().top - top) < 4)?.textContent;
  });
  expect(line?.replace(/\u00a0/g, ' ')).toBe('c = b * undefined_name');
  expect(await cell('import').locator('.squiggly-error').count()).toBe(0);
  await screenshot(page, 'notebook-cell-error');
});

test("a cell that never ends is stopped by the view's Stop", async () => {
  await openInFirstGroup(page, 'cell_forever.ipynb');
  await clickCellItem('while', 'Visualize Graph');
  await expect.poll(outputChannel, { timeout: 90_000 }).toContain('cell loop running');
  // The view shows the last run's failure, so the run takes its place there, with a Stop; no
  // progress notification repeats it.
  const frame = await webviewFrame(page, '#stop-run');
  expect(
    await page.locator('.notification-toast', { hasText: 'running cell_forever.ipynb' }).count(),
  ).toBe(0);
  await frame.locator('#stop-run').click();
  await expect
    .poll(outputChannel, { timeout: 60_000 })
    .toMatch(/\[gradlens\] stopped by the user after/);
});
