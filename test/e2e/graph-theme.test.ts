// The graph view in light, dark and high-contrast themes: boxes, text, ports and the legend take
// their colours from the theme, and every node's text keeps a readable contrast (WCAG AA, 4.5:1)
// against its box. Screenshots go to test-artifacts/theme-*.png.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Frame, Page } from 'playwright-core';
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
} from './harness/workbench';
import { makeWorkspace } from './workspace';

/** `workbench.colorTheme` values of VS Code's built-in light, dark and high-contrast themes. */
const THEMES = [
  'Default Light Modern',
  'Default Dark Modern',
  'Default High Contrast',
  'Default High Contrast Light',
];

let session: Session | undefined;
let page: Page;
const ws = makeWorkspace();

beforeAll(() => {
  copyFileSync(join(ROOT, 'examples/nn-sinus.ts'), join(ws.dir, 'nn-sinus.ts'));
  copyFileSync(join(ROOT, 'test/fixtures/scripts/nan.ts'), join(ws.dir, 'nan.ts'));
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

/** A window in `theme` (one per theme: the setting is read as the window opens). */
async function openIn(theme: string): Promise<void> {
  await closeSession(session);
  session = await openSession({
    workspace: ws.dir,
    disableWorkspaceTrust: true,
    settings: { 'workbench.colorTheme': theme },
  });
  page = session.page;
  await waitForActivation(page);
}

/** Each node's text colour, box colour and their contrast ratio, as the page computes them. */
async function contrasts(
  frame: Frame,
): Promise<{ name: string; ratio: number; text: string; box: string }[]> {
  return frame.evaluate(() => {
    const probe = document.createElement('canvas').getContext('2d')!;
    // The canvas normalises any CSS colour (rgb(), color(srgb ...), color-mix results) to rgb.
    const rgb = (css: string): number[] => {
      probe.fillStyle = '#000';
      probe.fillStyle = css;
      probe.fillRect(0, 0, 1, 1);
      return [...probe.getImageData(0, 0, 1, 1).data.slice(0, 3)];
    };
    const luminance = ([r, g, b]: number[]): number => {
      const c = [r, g, b].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    return [...document.querySelectorAll('#canvas svg g.gl-node')].map((g) => {
      const text = getComputedStyle(g.querySelector('text')!).fill;
      const box = getComputedStyle(g.querySelector('rect')!).fill;
      const [a, b] = [luminance(rgb(text)), luminance(rgb(box))];
      return {
        name: g.getAttribute('data-name') ?? '',
        text,
        box,
        ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
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
  return frame.evaluate(() => {
    const probe = document.createElement('canvas').getContext('2d')!;
    const rgb = (css: string): number[] => {
      probe.fillStyle = '#000';
      probe.fillStyle = css;
      probe.fillRect(0, 0, 1, 1);
      return [...probe.getImageData(0, 0, 1, 1).data.slice(0, 3)];
    };
    const over = (top: number[], alpha: number, under: number[]): number[] =>
      top.map((v, i) => v * alpha + under[i] * (1 - alpha));
    const luminance = ([r, g, b]: number[]): number => {
      const c = [r, g, b].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const ratio = (x: number[], y: number[]): number => {
      const [a, b] = [luminance(x), luminance(y)];
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    };
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
  for (const theme of THEMES) {
    await openIn(theme);
    await openInFirstGroup(page, 'nn-sinus.ts');
    await runCommand(page, 'Gradlens: Visualize Graph');
    const frame = await shownGraph(page, 'nn-sinus.ts: backward() #');
    expect(await frame.$$eval('#legend span', (ss) => ss.map((s) => s.textContent))).toEqual([
      'leaf',
      'function',
      'output',
      'NaN/Inf',
    ]);
    const found = await contrasts(frame);
    expect(found.length).toBeGreaterThan(5);
    for (const c of found)
      expect(c.ratio, `${theme}: ${c.name} text ${c.text} on ${c.box}`).toBeGreaterThanOrEqual(4.5);
    // Module frames (NN_sinus, fc1, fc2, fc3, MSELoss): labels and chevrons readable on their
    // tint (WCAG AA for text), the border visible against what is outside (3:1 for graphics).
    const frames = await frameContrasts(frame);
    expect(frames.map((f) => f.label).sort()).toEqual(['MSELoss', 'NN_sinus', 'fc1', 'fc2', 'fc3']);
    for (const f of frames) {
      expect(f.text, `${theme}: frame ${f.label} label`).toBeGreaterThanOrEqual(4.5);
      expect(f.chevron, `${theme}: frame ${f.label} chevron`).toBeGreaterThanOrEqual(3);
      expect(f.border, `${theme}: frame ${f.label} border`).toBeGreaterThanOrEqual(3);
    }
    boxes.add(found[0].box);
    await screenshot(page, `theme-${theme.replace(/\s+/g, '-').toLowerCase()}`);
  }
  // The boxes took each theme's colours.
  expect(boxes.size).toBe(THEMES.length);
});

test("a NaN node's line is drawn in the theme's error colour", async () => {
  await openInFirstGroup(page, 'nan.ts');
  await runCommand(page, 'Gradlens: Visualize Graph');
  const frame = await shownGraph(page, 'nan.ts: backward() #1');
  const [line, error] = await frame.evaluate(() => {
    const probe = document.createElement('canvas').getContext('2d')!;
    const norm = (css: string): string => {
      probe.fillStyle = '#000';
      probe.fillStyle = css;
      return probe.fillStyle;
    };
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
