// The graph view in light, dark and high-contrast themes: boxes, text, ports and the legend take
// their colours from the theme, and every node's text keeps a readable contrast (WCAG AA, 4.5:1)
// against its box; the running page's text and Stop are readable too, with the theme's focus
// colour. One window: it opens in the first theme, and the others are switched to while the
// page stays (it takes them live, as VS Code sends its styles), so each check costs no new window
// or run. Screenshots go to test-artifacts/theme-*.png.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Frame, Locator, Page } from 'playwright-core';
import { ROOT } from './harness/code-server';
import {
  closeSession,
  openInFirstGroup,
  openSession,
  runCommand,
  screenshot,
  shownGraph,
  type Session,
  waitForActivation,
  webviewFrame,
} from './harness/workbench';
import { installColours, type ColourWindow } from './harness/colours';
import { makeWorkspace } from './workspace';

/**
 * VS Code's built-in light, dark and high-contrast themes: their `workbench.colorTheme` value
 * and the name the theme picker (and the page's body) gives them.
 */
const THEMES = [
  { id: 'Default Light Modern', label: 'Light Modern' },
  { id: 'Default Dark Modern', label: 'Dark Modern' },
  { id: 'Default High Contrast', label: 'Dark High Contrast' },
  { id: 'Default High Contrast Light', label: 'Light High Contrast' },
] as const;
type Theme = (typeof THEMES)[number];

let session: Session;
let page: Page;
const ws = makeWorkspace();

/** A script that runs until stopped: the view shows its running page meanwhile. */
const LOOP = `import * as torch from 'gradlens';

const w = torch.tensor([0.5], { requiresGrad: true });
for (;;) {
  w.mul(3).sub(1).pow(2).sum().backward();
  w.grad!.zero_();
}
`;

beforeAll(async () => {
  copyFileSync(join(ROOT, 'examples/nn-sinus.ts'), join(ws.dir, 'nn-sinus.ts'));
  copyFileSync(join(ROOT, 'test/fixtures/scripts/nan.ts'), join(ws.dir, 'nan.ts'));
  writeFileSync(join(ws.dir, 'theme_loop.ts'), LOOP);
  session = await openSession({
    workspace: ws.dir,
    disableWorkspaceTrust: true,
    settings: { 'workbench.colorTheme': THEMES[0].id },
  });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

/** The theme the view's page shows (VS Code names it on the page's body). */
const pageTheme = (frame: Frame): Promise<string> =>
  frame.evaluate(() => document.body.dataset.vscodeThemeName ?? '');

/** The quick pick's row named `label` exactly (not one whose name contains it). */
const pickRow = (label: string): Locator =>
  page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) })
    .first();

/** Puts the window in `theme` (Preferences: Color Theme) and waits until the view's page has it. */
async function switchTheme(frame: Frame, theme: Theme): Promise<void> {
  const from = await pageTheme(frame);
  if (from === theme.label) return;
  // Clicked, not Enter: the palette's first row for these words can be the Marketplace's themes.
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>Preferences: Color Theme');
  await pickRow('Preferences: Color Theme').click();
  // The picker is up once it shows the current theme; its list is longer than it shows, so
  // the new theme is typed to bring its row into view.
  await pickRow(from).waitFor({ state: 'visible', timeout: 15_000 });
  await page.locator('.quick-input-widget input').fill(theme.label);
  await pickRow(theme.label).click();
  await expect.poll(() => pageTheme(frame), { timeout: 30_000 }).toBe(theme.label);
}

/** A screenshot's name for `theme`, as before the themes were switched in one window. */
const shot = (prefix: string, theme: Theme): string =>
  `${prefix}-${theme.id.replace(/\s+/g, '-').toLowerCase()}`;

/** Each node's text colour, box colour and their contrast ratio, as the page computes them. */
async function contrasts(
  frame: Frame,
): Promise<{ name: string; ratio: number; text: string; box: string }[]> {
  await installColours(frame);
  return frame.evaluate(() => {
    const { rgb, ratio } = (window as unknown as ColourWindow).gradlensColours;
    return [...document.querySelectorAll('#canvas svg g.gl-node')].map((g) => {
      const text = getComputedStyle(g.querySelector('text')!).fill;
      const box = getComputedStyle(g.querySelector('rect')!).fill;
      return {
        name: g.getAttribute('data-name') ?? '',
        text,
        box,
        ratio: ratio(rgb(text), rgb(box)),
      };
    });
  });
}

/**
 * Each expanded group's frame as drawn: its label's and chevron's contrast against the frame's
 * tint (the tints of the frames around it stacked over the background), and its border's
 * against what lies outside it.
 */
async function frameContrasts(
  frame: Frame,
): Promise<{ label: string; text: number; chevron: number; border: number }[]> {
  await installColours(frame);
  return frame.evaluate(() => {
    const { rgb, over, ratio } = (window as unknown as ColourWindow).gradlensColours;
    const bg = rgb(getComputedStyle(document.querySelector('#canvas svg .gl-bg')!).fill);
    const rects = [...document.querySelectorAll<SVGRectElement>('#canvas svg rect.gl-frame')];
    const box = (r: SVGRectElement): DOMRect => r.getBoundingClientRect();
    const holds = (a: DOMRect, b: DOMRect): boolean =>
      a.left <= b.left && a.top <= b.top && a.right >= b.right && a.bottom >= b.bottom;
    /** The colour inside a frame: the tints of the frames holding it (outermost first) over the background. */
    const tintOf = (r: SVGRectElement, self: boolean): number[] =>
      rects
        .filter((o) => (self || o !== r) && holds(box(o), box(r)))
        .reduce((under, o) => {
          const st = getComputedStyle(o);
          return over(rgb(st.fill), Number(st.fillOpacity), under);
        }, bg);
    return rects.map((r) => {
      const group = r.getAttribute('data-group');
      const header = document.querySelector(`#canvas svg .gl-frame-toggle[data-group="${group}"]`)!;
      const inside = tintOf(r, true);
      const st = getComputedStyle(r);
      const outside = tintOf(r, false);
      const text = rgb(getComputedStyle(header.querySelector('.gl-frame-label')!).fill);
      const chevron = rgb(getComputedStyle(header.querySelector('.gl-chevron')!).stroke);
      return {
        label: header.querySelector('.gl-frame-label')!.textContent,
        text: ratio(text, inside),
        chevron: ratio(chevron, inside),
        border: ratio(over(rgb(st.stroke), Number(st.strokeOpacity), outside), outside),
      };
    });
  });
}

test('every node stays readable in light, dark and high-contrast themes, with a legend', async () => {
  const boxes = new Set<string>();
  await openInFirstGroup(page, 'nn-sinus.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const frame = await shownGraph(page, 'nn-sinus.ts: backward() #');
  // The first theme is the one the window opened in.
  expect(await pageTheme(frame)).toBe(THEMES[0].label);
  for (const theme of THEMES) {
    await switchTheme(frame, theme);
    expect(await frame.$$eval('#legend span', (ss) => ss.map((s) => s.textContent))).toEqual([
      'leaf',
      'function',
      'output',
      'NaN/Inf',
    ]);
    const found = await contrasts(frame);
    expect(found.length).toBeGreaterThan(5);
    for (const c of found)
      expect(
        c.ratio,
        `${theme.label}: ${c.name} text ${c.text} on ${c.box}`,
      ).toBeGreaterThanOrEqual(4.5);
    // Module frames (NN_sinus, fc1, fc2, fc3, MSELoss): labels and chevrons readable on their
    // tint (WCAG AA for text), the border visible against what is outside (3:1 for graphics).
    const frames = await frameContrasts(frame);
    expect(frames.map((f) => f.label).sort()).toEqual(['MSELoss', 'NN_sinus', 'fc1', 'fc2', 'fc3']);
    for (const f of frames) {
      expect(f.text, `${theme.label}: frame ${f.label} label`).toBeGreaterThanOrEqual(4.5);
      expect(f.chevron, `${theme.label}: frame ${f.label} chevron`).toBeGreaterThanOrEqual(3);
      expect(f.border, `${theme.label}: frame ${f.label} border`).toBeGreaterThanOrEqual(3);
    }
    boxes.add(found[0].box);
    await screenshot(page, shot('theme', theme));
  }
  // The boxes took each theme's colours.
  expect(boxes.size).toBe(THEMES.length);
});

test("a NaN node's line is drawn in the theme's error colour", async () => {
  await openInFirstGroup(page, 'nan.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const frame = await shownGraph(page, 'nan.ts: backward() #1');
  await installColours(frame);
  const [line, error] = await frame.evaluate(() => {
    const { norm } = (window as unknown as ColourWindow).gradlensColours;
    const t = document.querySelector('#canvas svg g.gl-flagged text.gl-nan');
    return [
      t === null ? '' : norm(getComputedStyle(t).fill),
      norm(
        getComputedStyle(document.documentElement)
          .getPropertyValue('--vscode-errorForeground')
          .trim(),
      ),
    ];
  });
  expect(line).not.toBe('');
  expect(line).toBe(error);
  await screenshot(page, 'theme-nan');
});

/**
 * The running page's parts as drawn: the contrast of the message and of the Stop button's label
 * against what lies behind them, the Stop button's focus outline colour when it has focus
 * ('' without one) and its progress bar's colour, with the theme's colours for both.
 */
async function runningPage(frame: Frame): Promise<{
  message: number;
  stop: number;
  outline: string;
  focusBorder: string;
  bar: string;
  progressBar: string;
}> {
  await installColours(frame);
  return frame.evaluate(() => {
    const { rgba, norm, ratio } = (window as unknown as ColourWindow).gradlensColours;
    /** The first opaque background at or above `e` (the page's own in the end). */
    const behind = (e: Element | null): number[] => {
      for (; e !== null; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c[3] === 255) return c;
      }
      return rgba(getComputedStyle(document.documentElement).backgroundColor);
    };
    const text = (e: Element): number => ratio(rgba(getComputedStyle(e).color), behind(e));
    const message = document.getElementById('running-message')!;
    const stop = document.getElementById('stop-run')!;
    stop.focus();
    const st = getComputedStyle(stop);
    const outline = st.outlineStyle === 'none' || st.outlineWidth === '0px' ? '' : st.outlineColor;
    const theme = (name: string): string =>
      getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    const bar = getComputedStyle(document.getElementById('running-progress')!, '::before');
    return {
      message: text(message),
      stop: text(stop),
      outline: outline === '' ? '' : norm(outline),
      focusBorder: norm(theme('--vscode-focusBorder')),
      bar: norm(bar.backgroundColor),
      progressBar: norm(theme('--vscode-progressBar-background')),
    };
  });
}

test('the running page names the script by its file name and is readable in light and dark', async () => {
  const script = join(ws.dir, 'theme_loop.ts');
  // The running page shows in a view without a graph: a fresh one.
  await runCommand(page, 'View: Close All Editors');
  await openInFirstGroup(page, 'theme_loop.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const frame = await webviewFrame(page, '#running-message');
  const message = frame.locator('#running-message');
  // As editor tabs name a file; the full path is its tooltip.
  expect(await message.textContent()).toBe('Running theme_loop.ts…');
  expect(await message.getAttribute('title')).toBe(script);
  expect(await frame.locator('#app').innerText()).not.toContain(ws.dir);
  const stop = frame.locator('#stop-run');
  expect(await stop.getAttribute('aria-label')).toBe('Stop theme_loop.ts');
  // Screen readers hear the run from a live region that was in the page before it spoke.
  expect(await frame.locator('#announce[role="status"]').textContent()).toBe(
    'Running theme_loop.ts…',
  );
  for (const theme of THEMES.slice(0, 2)) {
    await switchTheme(frame, theme);
    const seen = await runningPage(frame);
    expect(seen.message, `${theme.label}: message`).toBeGreaterThanOrEqual(4.5);
    expect(seen.stop, `${theme.label}: Stop`).toBeGreaterThanOrEqual(4.5);
    expect(seen.outline, `${theme.label}: Stop's focus outline`).toBe(seen.focusBorder);
    expect(seen.bar, `${theme.label}: progress bar`).toBe(seen.progressBar);
    await screenshot(page, shot('theme-running', theme));
  }
  await stop.click();
  await shownGraph(page, 'theme_loop.ts: backward() #');
});
