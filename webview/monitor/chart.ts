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
  readonly bands?: readonly {
    readonly below?: number;
    readonly above?: number;
    readonly color: string;
  }[];
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

  constructor(
    parent: HTMLElement,
    id: string,
    private readonly onZoom: (range: [number, number] | null) => void,
  ) {
    this.root = document.createElement('section');
    this.root.className = 'chart';
    this.root.id = id;
    parent.append(this.root);
  }

  /** Draws `data` (x first) over `xRange`; rebuilds the plot when its series, theme or width changed. */
  update(
    spec: ChartSpec,
    theme: Theme,
    values: uPlot.AlignedData,
    xRange: [number, number],
    width: number,
  ): void {
    // Log charts plot log10 of the values on a linear axis labelled in powers of ten: uPlot's own
    // log axis loses its labels when the range spans dozens of decades (a diverging run).
    const data = spec.log
      ? (values.map((col, i) =>
          i === 0 ? col : Array.from(col as ArrayLike<number | null>, log10),
        ) as uPlot.AlignedData)
      : values;
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
        y: spec.log
          ? { auto: true, range: (_u, min, max) => decadeRange(min, max) }
          : { auto: true },
      },
      axes: [
        axis(),
        {
          ...axis(),
          size: 52,
          // uPlot's types say numbers; its log axes pass null for the splits they drop.
          values: (_u, splits: (number | null | undefined)[]) =>
            splits.map((v) => (v === null || v === undefined ? '' : spec.log ? power(v) : tick(v))),
          ...(spec.log
            ? {
                splits: (_u: uPlot, _i: number, min: number, max: number) => decadeSplits(min, max),
              }
            : {}),
        },
      ],
      series: [
        {
          label: 'step',
          value: (u: uPlot, v: number | null, _sidx: number, idx: number | null) =>
            String((idx === null ? lastValue(u.data[0]) : v) ?? '--'),
        },
        ...spec.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 1.25,
          dash: s.dash,
          spanGaps: true,
          points: { show: false },
          // Away from the cursor (idx null) the legend shows where the run is now.
          value: (u: uPlot, v: number | null, sidx: number, idx: number | null) => {
            const shown = idx === null ? lastValue(u.data[sidx]) : v;
            return shown === null ? '--' : tick(spec.log ? 10 ** shown : shown);
          },
        })),
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

function lastValue(values: uPlot.AlignedData[number]): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

function log10(v: number | null): number | null {
  return v === null || !(v > 0) ? null : Math.log10(v);
}

/** Whole decades around the data, at least one. */
function decadeRange(min: number | null, max: number | null): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max))
    return [-1, 1];
  const lo = Math.floor(min);
  const hi = Math.max(lo + 1, Math.ceil(max));
  return [lo, hi];
}

/** One tick per decade, or per few decades when there are many (at most about 6 labels). */
function decadeSplits(min: number, max: number): number[] {
  const every = Math.max(1, Math.ceil((max - min) / 6));
  const out: number[] = [];
  for (let k = Math.ceil(min / every) * every; k <= max + 1e-9; k += every) out.push(k);
  return out;
}

/** A decade's label: 0.001 .. 1000 written out, 1e-7 and 1e12 beyond. */
function power(k: number): string {
  const e = Math.round(k);
  return e >= -3 && e <= 3 ? String(10 ** e).replace(/^0\.0*1$/, (m) => m) : `1e${e}`;
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
  const at = (v: number): number => (spec.log ? Math.log10(v) : v);
  ctx.save();
  // Theme colours are opaque; the zones are tinted, not painted.
  ctx.globalAlpha = 0.14;
  for (const b of spec.bands) {
    // A band from `from` to `to` in value space, clipped to what the y scale shows.
    const from =
      b.below !== undefined ? lo : Math.max(lo, b.above === undefined ? lo : at(b.above));
    const to = b.below !== undefined ? Math.min(hi, at(b.below)) : hi;
    if (!(to > from)) continue;
    const y0 = u.valToPos(to, 'y', true);
    const y1 = u.valToPos(from, 'y', true);
    ctx.fillStyle = b.color;
    ctx.fillRect(left, Math.max(top, y0), width, Math.min(top + height, y1) - Math.max(top, y0));
  }
  ctx.restore();
}
