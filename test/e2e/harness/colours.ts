// Colour measures for checks inside a webview's page (contrast ratios as WCAG defines them):
// installed once on the page's window, so each `frame.evaluate` that measures uses the same
// functions rather than a copy of them (an evaluated callback cannot reach this module).
import type { Frame } from 'playwright-core';

/** What `installColours` puts on the page's window as `gradlensColours`. */
export interface PageColours {
  /** Any CSS colour (rgb(), color(srgb …), color-mix results) as [r, g, b, a], 0-255. */
  readonly rgba: (css: string) => number[];
  /** The same without alpha. */
  readonly rgb: (css: string) => number[];
  /** A CSS colour as the canvas spells it (#rrggbb or rgba(…)), to compare two colours. */
  readonly norm: (css: string) => string;
  /** `top` at opacity `alpha` over `under`. */
  readonly over: (top: number[], alpha: number, under: number[]) => number[];
  /** WCAG contrast ratio of two rgb colours (1 to 21). */
  readonly ratio: (x: number[], y: number[]) => number;
}

/** The page's window once `installColours` ran; read inside `frame.evaluate` callbacks. */
export interface ColourWindow {
  gradlensColours: PageColours;
}

/** Installs the measures in the page of `frame` (again after the page was rebuilt). */
export async function installColours(frame: Frame): Promise<void> {
  await frame.evaluate(() => {
    const probe = document.createElement('canvas').getContext('2d')!;
    // The canvas normalises any CSS colour to rgba.
    const rgba = (css: string): number[] => {
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = '#000';
      probe.fillStyle = css;
      probe.fillRect(0, 0, 1, 1);
      return [...probe.getImageData(0, 0, 1, 1).data];
    };
    const luminance = ([r, g, b]: number[]): number => {
      const c = [r, g, b].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const colours: PageColours = {
      rgba,
      rgb: (css) => rgba(css).slice(0, 3),
      norm: (css) => {
        probe.fillStyle = '#000';
        probe.fillStyle = css;
        return probe.fillStyle;
      },
      over: (top, alpha, under) => top.map((v, i) => v * alpha + under[i] * (1 - alpha)),
      ratio: (x, y) => {
        const [a, b] = [luminance(x), luminance(y)];
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      },
    };
    (window as unknown as ColourWindow).gradlensColours = colours;
  });
}
