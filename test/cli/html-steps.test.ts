// The CLI's HTML page steps through the backward pass in Chromium: keys and buttons move
// the running node, its panel reads the --explain words, edges carry the gradients' labels.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, FIXTURES, ROOT, ensureBuilt } from '../runner/helpers';

const OUT = mkdtempSync(path.join(os.tmpdir(), 'gradlens-steps-'));

let browser: Browser | undefined;
beforeAll(async () => {
  ensureBuilt();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
});

async function openPage(script: string, ...args: string[]): Promise<Page> {
  const html = path.join(OUT, `${script}.html`);
  const r = spawnSync(
    process.execPath,
    [CLI, 'run', path.join(FIXTURES, script), '--graph', html, ...args],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  const page = await browser!.newPage({ viewport: { width: 1100, height: 800 } });
  await page.goto(`file://${html}`);
  return page;
}

/** The edges' labels, sorted (their order in the page is the drawing's). */
async function labels(page: Page): Promise<string[]> {
  const texts = await page
    .locator('.gl-step-label')
    .evaluateAll((els) => els.map((e) => e.textContent));
  return texts.sort();
}

describe('HTML page step-through', () => {
  it('walks the Q/P backward pass with keys and buttons', async () => {
    const page = await openPage('explain-qp.ts');
    await page.click('#step');
    await expect.poll(() => page.locator('#step-count').textContent()).toBe('step 1 of 6');
    expect(await page.locator('.gl-step-now').getAttribute('data-name')).toBe('PowBackward0');
    expect(await labels(page)).toEqual(['-32', '1']);
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#details').textContent()).toContain(
      'received grad = -32 from PowBackward0 (step 1) as self',
    );
    expect(await page.locator('.gl-step-now').getAttribute('data-name')).toBe('SubBackward0');
    expect(await page.locator('.gl-step-done').count()).toBe(1);
    expect(await page.locator('.gl-step-todo').count()).toBe(4);
    await page.keyboard.press('End');
    expect(await page.locator('#step-count').textContent()).toBe('step 6 of 6');
    await page.screenshot({
      path: path.join(ROOT, 'test-artifacts', 'cli', 'explain-qp.steps.png'),
    });
    expect(await page.locator('#details').textContent()).toContain('a.grad: None -> -384');
    expect(await labels(page)).toEqual(expect.arrayContaining(['-384', '96', '.grad -384']));
    await page.click('#step-prev');
    await page.click('#step-prev');
    expect(await page.locator('#details').textContent()).toContain('b.grad: None -> 96');
    await page.keyboard.press('Home');
    expect(await page.locator('#step-count').textContent()).toBe('step 1 of 6');
    await page.keyboard.press('Escape');
    expect(await page.locator('.gl-step-label').count()).toBe(0);
    expect(await page.locator('.gl-step-now, .gl-step-done, .gl-step-todo').count()).toBe(0);
    expect(await page.locator('#step').isVisible()).toBe(true);
    await page.close();
  });

  it('shows the sum where gradients meet', async () => {
    const page = await openPage('explain-fan-in.ts');
    await page.click('#step');
    await page.keyboard.press('End');
    expect(await page.locator('#details').textContent()).toContain('summed: 7 = 1 + 3 + 3');
    await page.close();
  });

  it('says why when the flow was not recorded', async () => {
    const page = await openPage('explain-qp.ts', '--no-flow');
    expect(await page.locator('#step').isDisabled()).toBe(true);
    expect(await page.locator('#step').getAttribute('title')).toContain('was not recorded');
    await page.close();
  });
});
