// The graph view's module groups and exports in a real VS Code, on a small nn.Sequential:
// collapse a layer from a node's details (in place: what was above it stays put on screen),
// expand it by clicking its box (the same picture again); SVG, DOT and PNG exports land in
// the workspace through VS Code's save dialog.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import {
  ARTIFACTS,
  closeSession,
  openFile,
  openSession,
  runCommand,
  screenshot,
  type Session,
  webviewFrame,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

let session: Session;
let page: Page;
let frame: Frame;
const ws = makeWorkspace();

beforeAll(async () => {
  session = await openSession({ workspace: ws.dir, disableWorkspaceTrust: true });
  page = session.page;
  await openFile(page, 'mlp.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  frame = await webviewFrame(page, '#app[data-state="painted"]');
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

const names = (): Promise<string[]> =>
  frame.$$eval('g.gl-node', (gs) => gs.map((g) => g.getAttribute('data-name') ?? ''));

test("a layer collapses from a node's details into one box and expands again when clicked", async () => {
  expect((await names()).filter((n) => n === 'AddmmBackward0')).toHaveLength(2);
  // The first layer's AddmmBackward0 is the one whose module path ends in Sequential.0; any
  // AddmmBackward0 offers "Collapse" for its own layer.
  await frame.locator('g.gl-node[data-name="AddmmBackward0"]').first().click();
  const collapse = frame.locator('#details button.collapse-group').first();
  await collapse.waitFor({ timeout: 10_000 });
  const label = await collapse.innerText();
  const before = await onScreen();
  const framesBefore = await framesOnScreen();
  await collapse.click();
  await expect
    .poll(async () => (await names()).filter((n) => n === 'AddmmBackward0').length, {
      timeout: 30_000,
    })
    .toBeLessThan(2);
  const collapsed = await names();
  await screenshot(page, 'graph-export-collapsed');
  expect(label).toMatch(/^Collapse /);
  expect(collapsed.filter((n) => n === 'AddmmBackward0')).toHaveLength(1);
  const group = frame.locator('g.gl-group').first();
  expect(await group.count()).toBe(1);

  // Collapsing is stable: nodes above the layer did not move on screen, the others moved only
  // up or left (closing the gap), and the layer's box sits where its nodes began.
  const after = await onScreen();
  const gone = Object.keys(before).filter((id) => !(id in after));
  expect(gone.length).toBeGreaterThan(1);
  // The layer's frame (drawn around its nodes in small graphs) is where its box goes.
  const layerFrame = framesBefore
    .filter((f) =>
      gone.every((id) => {
        const b = before[id];
        return b.x >= f.x && b.y >= f.y && b.x + b.w <= f.x + f.w && b.y + b.h <= f.y + f.h;
      }),
    )
    .sort((a, b) => a.w * a.h - b.w * b.h)
    .at(0);
  const top = Math.min(...gone.map((id) => before[id].y), layerFrame?.y ?? Infinity);
  const left = Math.min(...gone.map((id) => before[id].x), layerFrame?.x ?? Infinity);
  let above = 0;
  for (const [id, r] of Object.entries(after)) {
    if (!(id in before)) continue;
    const b = before[id];
    const dx = r.x - b.x;
    const dy = r.y - b.y;
    if (b.y + b.h <= top) {
      above++;
      expect(
        Math.abs(dx) + Math.abs(dy),
        `${id} above the layer moved by ${dx}, ${dy}`,
      ).toBeLessThan(0.01);
    }
    expect(
      (Math.abs(dx) < 0.01 && dy <= 0.01) || (Math.abs(dy) < 0.01 && dx <= 0.01),
      `${id} moved by ${dx}, ${dy}`,
    ).toBe(true);
  }
  expect(above).toBeGreaterThan(0);
  const box = Object.entries(after).find(([id]) => !(id in before))![1];
  expect(box.x).toBeGreaterThanOrEqual(left - 0.01);
  expect(box.y).toBeGreaterThanOrEqual(top - 0.01);

  await group.click();
  await expect
    .poll(async () => (await names()).filter((n) => n === 'AddmmBackward0').length, {
      timeout: 30_000,
    })
    .toBe(2);
  expect(await frame.locator('g.gl-group').count()).toBe(0);
  // Expanding right after collapsing brings back the same picture, in the same place.
  expect(await onScreen()).toEqual(before);
});

/** Where each module frame is on screen (CSS pixels). */
function framesOnScreen(): Promise<{ x: number; y: number; w: number; h: number }[]> {
  return frame.$$eval('rect.gl-frame', (rs) =>
    rs.map((r) => {
      const b = r.getBoundingClientRect();
      return { x: b.x, y: b.y, w: b.width, h: b.height };
    }),
  );
}

/** Where each node's box is on screen (CSS pixels, rounded to a hundredth). */
function onScreen(): Promise<Record<string, { x: number; y: number; w: number; h: number }>> {
  return frame.$$eval('g.gl-node', (gs) =>
    Object.fromEntries(
      gs.map((g) => {
        const r = (g.querySelector(':scope > rect') ?? g).getBoundingClientRect();
        const k = (v: number): number => Math.round(v * 100) / 100;
        return [
          g.getAttribute('data-id') ?? '',
          { x: k(r.x), y: k(r.y), w: k(r.width), h: k(r.height) },
        ];
      }),
    ),
  );
}

/** Clicks an export button and accepts the save dialog's suggested path. */
async function exportVia(button: string, file: string): Promise<Buffer> {
  const path = join(ws.dir, file);
  rmSync(path, { force: true });
  // In a panel too narrow for the whole toolbar the exports wait in the "…" menu.
  if (!(await frame.locator(button).isVisible())) await frame.click('#more');
  await frame.click(button);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  // The simple file dialog fills in the suggested path a moment after it opens.
  let value = '';
  for (let i = 0; i < 50 && !(value = await input.inputValue()).endsWith(file); i++)
    await page.waitForTimeout(100);
  expect(value).toBe(path);
  await page.keyboard.press('Enter');
  for (let i = 0; i < 100 && !existsSync(path); i++) await page.waitForTimeout(200);
  await page.waitForTimeout(200);
  return readFileSync(path);
}

test('SVG, DOT and PNG exports hold the graph', async () => {
  const svg = (await exportVia('#export-svg', 'autograd-graph.svg')).toString('utf8');
  expect(svg).toMatch(/^(<\?xml[^>]*>\s*)?<svg/);
  expect(svg).toContain('AddmmBackward0');
  expect(svg).toContain('http://www.w3.org/2000/svg');

  const dot = (await exportVia('#export-dot', 'autograd-graph.dot')).toString('utf8');
  expect(dot).toMatch(/^\s*(strict\s+)?digraph/);
  expect(dot).toContain('AddmmBackward0');

  const png = await exportVia('#export-png', 'autograd-graph.png');
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.length).toBeGreaterThan(1000);
  writeFileSync(join(ARTIFACTS, 'graph-export.png'), png);
});
