// The lesson examples in a real VS Code (code-server + Chromium): the tiny attention model's
// graph opens with its modules framed and named; the attention block's chevron folds it into
// one box in place (what lies above stays put) and a click on the box brings it back. The CNN's
// graph names both conv stages. Screenshots: test-artifacts/graph-lesson-*.png.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { ROOT } from './harness/code-server';
import {
  closeSession,
  openSession,
  runCommand,
  screenshot,
  type Session,
  waitForActivation,
  visualizeFile,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  for (const e of ['tiny-attention.ts', 'cnn-fashion-mnist.ts'])
    copyFileSync(join(ROOT, 'examples', e), join(ws.dir, e));
  session = await openSession({ workspace: ws.dir, disableWorkspaceTrust: true });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

/** The module frames drawn, by full label: the toggle's tooltip is "Collapse LABEL (N nodes)". */
function frameLabels(frame: Frame): Promise<string[]> {
  return frame.$$eval('g.gl-frame-toggle title', (ts) =>
    ts.map((t) => t.textContent.replace(/^Collapse (.*) \(\d+ nodes?\)$/, '$1')),
  );
}

/** Where each node's box is on screen. */
function boxes(frame: Frame): Promise<Record<string, { x: number; y: number; h: number }>> {
  return frame.$$eval('g.gl-node', (gs) =>
    Object.fromEntries(
      gs.map((g) => {
        const r = (g.querySelector(':scope > rect') ?? g).getBoundingClientRect();
        return [g.getAttribute('data-id') ?? '', { x: r.x, y: r.y, h: r.height }];
      }),
    ),
  );
}

test("the attention model's modules are framed; its block folds in place and opens again", async () => {
  const frame = await visualizeFile(page, 'tiny-attention.ts', 'tiny-attention.ts: backward() #');
  await runCommand(page, 'View: Close Primary Side Bar');
  await frame.click('#fit');
  const labels = await frameLabels(frame);
  for (const m of ['TinyGPT.block', 'TinyGPT.block.attn', 'TinyGPT.block.attn.query'])
    expect(labels).toContain(m);
  await screenshot(page, 'graph-lesson-attention');

  const before = await boxes(frame);
  const attn = frame.locator('g.gl-frame-toggle', {
    has: frame.locator('title', { hasText: /^Collapse TinyGPT\.block\.attn \(/ }),
  });
  const top = await attn.evaluate((g) => g.getBoundingClientRect().y);
  // The chevron may lie outside the panel (fit keeps text readable): click it where it is.
  await attn.dispatchEvent('click');
  await frame.locator('g.gl-group').first().waitFor({ timeout: 30_000 });
  expect(await frameLabels(frame)).not.toContain('TinyGPT.block.attn.query');
  const after = await boxes(frame);
  for (const [id, b] of Object.entries(before)) {
    if (b.y + b.h > top || !(id in after)) continue;
    expect([after[id].x, after[id].y], `${id} above the block`).toEqual([b.x, b.y]);
  }
  await screenshot(page, 'graph-lesson-attention-folded');

  await frame.locator('g.gl-group').first().dispatchEvent('click');
  await expect
    .poll(() => frameLabels(frame), { timeout: 30_000 })
    .toContain('TinyGPT.block.attn.query');
  expect(await frame.locator('g.gl-group').count()).toBe(0);
});

test("the CNN's two conv stages are framed by name", async () => {
  const frame = await visualizeFile(
    page,
    'cnn-fashion-mnist.ts',
    'cnn-fashion-mnist.ts: backward() #',
  );
  const labels = await frameLabels(frame);
  for (const m of ['SmallCNN.conv1', 'SmallCNN.conv2', 'SmallCNN.pool2', 'SmallCNN.fc'])
    expect(labels).toContain(m);
  await screenshot(page, 'graph-lesson-cnn');
});
