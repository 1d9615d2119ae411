// The standalone graph page (what notebook outputs show) in Debian's Chromium: a 10,000-node
// graph opens collapsed and its groups expand and collapse on click; zoom and pan, search,
// details, SVG export, the direction, the VS Code theme sent by the renderer, the gzipped
// snapshot gradlens.show writes, and a damaged snapshot.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSnapshot } from '../../src/protocol/messages';
import { standaloneDocument } from '../../webview/standalone/document';
import { rnnSnapshot } from '../graph/rnn-snapshot';
import { ROOT } from '../runner/helpers';

const BUNDLE = path.join(ROOT, 'dist', 'webview', 'graph-standalone.js');
const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';
const OUT = mkdtempSync(path.join(os.tmpdir(), 'gradlens-standalone-'));

let browser: Browser | undefined;
let script = '';
beforeAll(async () => {
  if (!existsSync(BUNDLE))
    execFileSync(process.execPath, ['webview/standalone/build.mjs'], { cwd: ROOT });
  script = readFileSync(BUNDLE, 'utf8');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
});

async function open(name: string, html: string): Promise<Page> {
  const file = path.join(OUT, `${name}.html`);
  writeFileSync(file, html);
  const page = await browser!.newPage({ viewport: { width: 1100, height: 700 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  await page.waitForSelector('g.gl-node, .gl-message', { timeout: 30_000 });
  expect(errors).toEqual([]);
  return page;
}

const drawn = (page: Page): Promise<number> => page.locator('g.gl-node').count();

describe('the standalone graph page', () => {
  it('opens a 10,000-node graph collapsed; a click on a group expands it, the details collapse it', async () => {
    const snapshot = rnnSnapshot(800);
    expect(snapshot.nodes.length).toBeGreaterThan(9_000);
    const started = Date.now();
    const page = await open(
      'rnn',
      standaloneDocument(JSON.stringify(snapshot), script, { title: 'loss' }),
    );
    const openMs = Date.now() - started;
    const collapsed = await drawn(page);
    expect(collapsed).toBeLessThan(40);
    expect(await page.locator('#gl-note').textContent()).toMatch(/collapsed group/);
    // The x800 repeat opens as its steps, a step as its module calls and nodes.
    await page.locator('g.gl-group').first().click();
    await expect.poll(() => drawn(page), { timeout: 120_000 }).toBeGreaterThan(collapsed);
    const steps = await drawn(page);
    await page.locator('g.gl-group[data-name^="step #1 "]').click();
    await expect.poll(() => drawn(page), { timeout: 120_000 }).toBeGreaterThan(steps);
    await page.locator('g.gl-node[data-name="SumBackward0"]').first().click();
    expect(await page.locator('#details .gl-collapse').textContent()).toBe(
      'Collapse step #1 (12 nodes)',
    );
    await page.locator('#details .gl-collapse').click();
    await expect.poll(() => drawn(page), { timeout: 120_000 }).toBe(steps);
    console.log(`10,000-node page: open ${openMs} ms, ${collapsed} boxes, ${steps} with its steps`);
    await page.close();
  }, 400_000);

  it("opens gradlens.show's own 10,000-node output collapsed, and its loop expands", async () => {
    // The graph the README measures: 2,500 steps of tanh(Linear(h) + x), as Python writes it.
    const file = path.join(OUT, 'show-10k.html');
    execFileSync(
      PYTHON,
      [
        '-c',
        `import sys, torch
from gradlens.show import graph_output
cell = torch.nn.Linear(8, 8)
h = torch.zeros(1, 8)
for x in torch.randn(2500, 1, 8):
    h = torch.tanh(cell(h) + x)
out = graph_output((h**2).sum())
assert len(out.snapshot["nodes"]) > 10_000, len(out.snapshot["nodes"])
open(sys.argv[1], "w", encoding="utf-8").write(out.to_html())`,
        file,
      ],
      { cwd: ROOT, env: { ...process.env, PYTHONPATH: path.join(ROOT, 'python') } },
    );
    const page = await open('show-10k', readFileSync(file, 'utf8'));
    const collapsed = await drawn(page);
    expect(collapsed).toBeLessThan(40);
    expect(await page.locator('#gl-note').textContent()).toMatch(/1 collapsed group/);
    await page.locator('g.gl-group').first().click();
    await expect.poll(() => drawn(page), { timeout: 120_000 }).toBeGreaterThan(collapsed);
    await page.close();
  }, 400_000);

  it('frames module groups (where the layout keeps them together); a frame header collapses its group', async () => {
    const page = await open(
      'frames',
      standaloneDocument(JSON.stringify(rnnSnapshot(2)), script, { title: 'loss' }),
    );
    const labels = (): Promise<(string | null)[]> =>
      page
        .locator('g.gl-frame-toggle .gl-frame-label')
        .evaluateAll((ts) => ts.map((t) => t.textContent));
    expect(await labels()).toContain('SeqModel');
    expect(await page.locator('g.gl-frame-toggle .gl-chevron').count()).toBe(
      (await labels()).length,
    );
    const before = await drawn(page);
    await page
      .locator('g.gl-frame-toggle')
      .filter({ has: page.locator('.gl-frame-label', { hasText: /^SeqModel$/ }) })
      .click();
    await expect.poll(() => page.locator('g.gl-group').count()).toBe(1);
    expect(await page.locator('g.gl-group').getAttribute('data-name')).toMatch(/^SeqModel /);
    expect(await drawn(page)).toBeLessThan(before);
    expect(await labels()).not.toContain('SeqModel');
    // Expanding it again brings the frame back.
    await page.locator('g.gl-group').click();
    await expect.poll(labels).toContain('SeqModel');
    await page.close();
  });

  it('searches, shows details, and downloads the drawing as SVG', async () => {
    const page = await open(
      'small',
      standaloneDocument(JSON.stringify(rnnSnapshot(2)), script, { title: 'loss' }),
    );
    await page.fill('#search', 'tanh');
    await expect.poll(() => page.locator('#count').textContent()).toBe('2 matches');
    await page.locator('g.gl-node[data-name="cell.ih.weight"]').click();
    await expect.poll(() => page.locator('#details').textContent()).toContain('cell.ih.weight');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#gl-export')]);
    expect(download.suggestedFilename()).toBe('loss.svg');
    expect(readFileSync(await download.path(), 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*TanhBackward0/);
    await page.close();
  });

  it('stands root-top when the document says so, leaves-top otherwise', async () => {
    const snapshot = JSON.stringify(rnnSnapshot(1));
    const outputBelowLeaf = (page: Page): Promise<number> =>
      page.evaluate(() => {
        const centre = (sel: string): number => {
          const r = document.querySelector(sel)!.getBoundingClientRect();
          return r.y + r.height / 2;
        };
        return centre('g.gl-node.gl-output') - centre('g.gl-node.gl-leaf');
      });
    for (const [direction, sign] of [
      [undefined, 1],
      ['leaves-top', 1],
      ['root-top', -1],
    ] as const) {
      const page = await open(
        `direction-${direction ?? 'default'}`,
        standaloneDocument(snapshot, script, { title: 'loss', direction }),
      );
      expect(Math.sign(await outputBelowLeaf(page)), String(direction)).toBe(sign);
      await page.close();
    }
  });

  it('zooms at the pointer with the wheel and pans by dragging, a drag selecting nothing', async () => {
    const page = await open(
      'zoom',
      standaloneDocument(JSON.stringify(rnnSnapshot(2)), script, { title: 'zoom' }),
    );
    const node = page.locator('g.gl-node[data-name="TanhBackward0"]').first();
    const box = async () => (await node.boundingBox())!;
    const before = await box();
    // Zoomed at the node's centre, the node stays under the pointer.
    const at = { x: before.x + before.width / 2, y: before.y + before.height / 2 };
    await page.mouse.move(at.x, at.y);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => (await box()).width).toBeGreaterThan(before.width * 1.3);
    const zoomed = await box();
    expect(zoomed.x).toBeLessThan(at.x);
    expect(zoomed.x + zoomed.width).toBeGreaterThan(at.x);
    // Dragged from the node: the drawing moves, and the press is no click on the node.
    await page.mouse.down();
    await page.mouse.move(at.x + 120, at.y + 80, { steps: 4 });
    await page.mouse.up();
    await expect.poll(async () => Math.round((await box()).x - zoomed.x)).toBe(120);
    expect(Math.round((await box()).y - zoomed.y)).toBe(80);
    expect(await page.locator('#details').isVisible()).toBe(false);
    await node.click();
    await expect.poll(() => page.locator('#details').textContent()).toContain('TanhBackward0');
    await page.close();
  });

  it('fits the drawing once a frame that started without a size gets one', async () => {
    const page = await browser!.newPage({ viewport: { width: 900, height: 600 } });
    await page.setContent('<iframe id="f" style="width:0;height:0;border:0"></iframe>');
    await page.$eval(
      '#f',
      (f, doc) => {
        (f as HTMLIFrameElement).srcdoc = doc;
      },
      standaloneDocument(JSON.stringify(rnnSnapshot(1)), script, { title: 'hidden' }),
    );
    const frame = page.frameLocator('#f');
    await frame.locator('g.gl-node').first().waitFor({ state: 'attached' });
    await page.$eval('#f', (f) => {
      (f as HTMLElement).style.cssText = 'width:800px;height:500px;border:0';
    });
    await frame.locator('g.gl-node[data-name="TanhBackward0"]').waitFor({ state: 'visible' });
    await page.close();
  });

  it('follows the VS Code theme the renderer sends, and keeps its own look without one', async () => {
    const page = await open(
      'theme',
      standaloneDocument(JSON.stringify(rnnSnapshot(1)), script, { title: 't' }),
    );
    const background = (): Promise<string> =>
      page.$eval('#canvas svg .gl-bg', (r) => getComputedStyle(r).fill);
    expect(await background()).toBe('rgb(255, 255, 255)');
    await page.evaluate(() => {
      window.postMessage(
        {
          type: 'gradlens/theme',
          variables: {
            '--vscode-editor-background': 'rgb(30, 30, 30)',
            '--vscode-editor-foreground': 'rgb(204, 204, 204)',
          },
        },
        '*',
      );
    });
    await expect.poll(background).toBe('rgb(30, 30, 30)');
    // Frame labels in the theme's text colour on a halo of its background, not dark on white.
    expect(
      await page.$eval('#canvas svg .gl-frame-label', (t) => [
        getComputedStyle(t).fill,
        getComputedStyle(t).stroke,
      ]),
    ).toEqual(['rgb(204, 204, 204)', 'rgb(30, 30, 30)']);
    await page.evaluate(() => {
      window.postMessage({ type: 'gradlens/theme', variables: { color: 'red' } }, '*');
    });
    await page.waitForTimeout(100);
    expect(await background()).toBe('rgb(30, 30, 30)');
    await page.close();
  });

  it('reads the gzipped snapshot gradlens.show writes, and names what is wrong with a damaged one', async () => {
    const gz = (s: unknown): string => gzipSync(JSON.stringify(s)).toString('base64');
    const page = (snapshot: unknown): string =>
      standaloneDocument('', script, { title: 'g' }).replace(
        '<script type="application/json" id="gl-snapshot"></script>',
        `<script type="application/json" id="gl-snapshot" data-encoding="gzip-base64">${gz(snapshot)}</script>`,
      );
    const good = await open('gzip', page(rnnSnapshot(1)));
    expect(await drawn(good)).toBeGreaterThan(5);
    await good.close();
    const bad: Partial<GraphSnapshot> = { ...rnnSnapshot(1), outputs: ['nowhere'] };
    const damaged = await open('damaged', page(bad));
    expect(await damaged.locator('.gl-message').textContent()).toBe(
      'Gradlens cannot show this output. This is not a Gradlens graph (snapshot.outputs: unknown node nowhere).',
    );
    await damaged.close();
  });
});
