// One uPlot chart of the monitor. The page hands it already downsampled data and the x range to
// show; the chart reports drag-to-zoom and double-click-to-reset back, so all charts zoom
// together and every zoom re-reduces the full record for the new range.
import uPlot from 'uplot';

export interface SeriesSpec {
  readonly label: string;
  readonly color: string;
  readonly width?: number;
  readonly dash?: number[];
}

export interface ChartSpec {
  readonly title: string;
  readonly log: boolean;
  readonly series: readonly SeriesSpec[];
  /** Shaded value ranges (log charts: trouble zones such as vanishing and exploding gradients). */
  readonly bands?: readonly { readonly below?: number; readonly above?: number; readonly color: string }[];
}

export interface Theme {
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly background: string;
  readonly font: string;
}

const HEIGHT = 150;

export class Chart {
  private plot: uPlot | null = null;
  private key = '';
  private xRange: [number, number] = [0, 1];
  private spec: ChartSpec | null = null;
  readonly root: HTMLElement;

  constructor(parent: HTMLElement, id: string, private readonly onZoom: (range: [number, number] | null) => void) {
    this.root = document.createElement('section');
    this.root.className = 'chart';
    this.root.id = id;
    parent.append(this.root);
  }

  /** Draws `data` (x first) over `xRange`; rebuilds the plot when its series, theme or width changed. */
  update(spec: ChartSpec, theme: Theme, data: uPlot.AlignedData, xRange: [number, number], width: number): void {
    this.xRange = xRange;
    this.spec = spec;
    const key = JSON.stringify([spec, theme, width]);
    if (this.plot === null || key !== this.key) {
      this.plot?.destroy();
      this.root.replaceChildren();
      this.key = key;
      this.plot = new uPlot(this.options(spec, theme, width), data, this.root);
      return;
    }
    const plot = this.plot;
    // batch() commits synchronously, so the caller's frame timing includes the drawing.
    plot.batch(() => plot.setData(data));
  }

  get canvas(): HTMLCanvasElement | null {
    return this.plot?.ctx.canvas ?? null;
  }

  get title(): string {
    return this.spec?.title ?? '';
  }

  get seriesSpecs(): readonly SeriesSpec[] {
    return this.spec?.series ?? [];
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
    this.key = '';
  }

  private options(spec: ChartSpec, theme: Theme, width: number): uPlot.Options {
    const axis = (): uPlot.Axis => ({
      stroke: theme.muted,
      grid: { stroke: theme.grid, width: 1 },
      ticks: { stroke: theme.grid, width: 1 },
      font: `11px ${theme.font}`,
    });
    return {
      title: spec.title,
      width,
      height: HEIGHT,
      pxAlign: 0,
      scales: {
        x: { time: false, range: () => this.xRange },
        y: spec.log ? { distr: 3, log: 10 } : { auto: true },
      },
      axes: [
        axis(),
        {
          ...axis(),
          size: 52,
          values: (_u, splits) => splits.map((v) => (v === null || v === undefined ? '' : tick(v))),
          // Log axes: one line per decade, or the 2..9 lines of every decade crowd the chart.
          ...(spec.log ? {
            filter: decades,
            grid: { stroke: theme.grid, width: 1, filter: decades },
            ticks: { stroke: theme.grid, width: 1, filter: decades },
          } : {}),
        },
      ],
      series: [
        { label: 'step' },
        ...spec.series.map((s) => ({ label: s.label, stroke: s.color, width: s.width ?? 1.25, dash: s.dash, spanGaps: true, points: { show: false } })),
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      hooks: {
        setSelect: [
          (u) => {
            const { left, width: w } = u.select;
            if (w > 4) this.onZoom([u.posToVal(left, 'x'), u.posToVal(left + w, 'x')]);
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        ready: [(u) => u.over.addEventListener('dblclick', () => this.onZoom(null))],
        drawClear: [(u) => drawBands(u, spec)],
      },
    };
  }
}

function decades(_u: uPlot, splits: number[]): (number | null)[] {
  return splits.map((v) => {
    const e = Math.log10(v);
    return Math.abs(e - Math.round(e)) < 1e-9 ? v : null;
  });
}

/** Short tick labels: 0.001 and 1e-7 rather than uPlot's rounding of small values to 0. */
function tick(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a < 1e-3 || a >= 1e5) return v.toExponential(0).replace('e+', 'e');
  return Number(v.toPrecision(3)).toLocaleString('en-US');
}

function drawBands(u: uPlot, spec: ChartSpec): void {
  if (spec.bands === undefined) return;
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const [lo, hi] = [u.scales.y.min ?? 0, u.scales.y.max ?? 0];
  ctx.save();
  // Theme colours are opaque; the zones are tinted, not painted.
  ctx.globalAlpha = 0.14;
  for (const b of spec.bands) {
    // A band from `from` to `to` in value space, clipped to what the y scale shows.
    const from = b.below !== undefined ? lo : Math.max(lo, b.above ?? lo);
    const to = b.below !== undefined ? Math.min(hi, b.below) : hi;
    if (!(to > from)) continue;
    const y0 = u.valToPos(to, 'y', true);
    const y1 = u.valToPos(from, 'y', true);
    ctx.fillStyle = b.color;
    ctx.fillRect(left, Math.max(top, y0), width, Math.min(top + height, y1) - Math.max(top, y0));
  }
  ctx.restore();
}
