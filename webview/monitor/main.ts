// Entry point of the training monitor page: keeps every step of the current run (and the
// earlier runs it is compared with) in typed columns, and draws them downsampled, at most once
// per animation frame.
import type uPlot from 'uplot';
import { Chart, type ChartSpec, type SeriesSpec, type Theme } from './chart';
import { assertNever } from '../../src/protocol/messages';
import {
  isToMonitor,
  type ControlAction,
  type RunColumns,
  type RunMeta,
  type RunStatus,
  type ToMonitor,
} from '../../src/protocol/monitor';
import { ColumnBuilder } from '../../src/protocol/run-columns';
import {
  BlockIndex,
  bucketBounds,
  gridX,
  makeGrid,
  reduceSeries,
  stepsPerSecond,
} from './downsample';
import {
  EXPLODING,
  VANISHING,
  gradientWarning,
  newParamHealth,
  recordNorm,
  type ParamHealth,
} from './gradient-health';
import { vscode, type MonitorState } from './state';

/** Log charts cannot draw 0: smaller norms are drawn at this floor (they sit in the vanishing zone). */
const LOG_FLOOR = 1e-12;
const AXIS_PX = 60;

interface Current {
  meta: RunMeta;
  builder: ColumnBuilder;
  sps: Float64Array;
  minLoss: number;
  firstBadLoss: number | null;
  params: Map<string, ParamHealth>;
  /** Block indexes of the drawn columns: 'loss', 'lr', 'sps', and 'grad:<name>'. */
  index: Map<string, BlockIndex>;
}

interface Previous {
  meta: RunMeta;
  columns: RunColumns;
  minLoss: number;
  lossIndex: BlockIndex;
}

const root = document.getElementById('monitor') ?? document.body;
let state: MonitorState = vscode.getState() ?? { overlay: true, zoom: null, meta: null };
let current: Current | null = null;
let previous: Previous[] = [];
let frameRequested = false;

// ---- layout ------------------------------------------------------------------------------

root.replaceChildren();
const head = el('header', 'head');
const title = el('div', 'title');
const scriptName = el('span', 'script');
scriptName.id = 'monitor-script';
const statusBadge = el('span', 'status');
statusBadge.id = 'monitor-status';
title.append(scriptName, statusBadge);
const stats = el('div', 'stats');
stats.id = 'monitor-stats';
const buttons = el('div', 'buttons');
const pauseBtn = button('Pause', 'monitor-pause', () => control('pause'));
const resumeBtn = button('Resume', 'monitor-resume', () => control('resume'));
const stopBtn = button('Stop', 'monitor-stop', () => control('stop'));
const overlayLabel = el('label', 'overlay');
const overlayBox = document.createElement('input');
overlayBox.type = 'checkbox';
overlayBox.id = 'monitor-overlay';
overlayBox.checked = state.overlay;
overlayBox.addEventListener('change', () => {
  saveState({ overlay: overlayBox.checked });
  invalidate();
});
const overlayText = document.createElement('span');
overlayLabel.append(overlayBox, overlayText);
const csvBtn = button(
  'CSV',
  'monitor-csv',
  () => current && vscode.postMessage({ type: 'exportCsv', runId: current.meta.id }),
);
const pngBtn = button('PNG', 'monitor-png', () => exportPng());
csvBtn.title = 'Export every step of this run as CSV';
pngBtn.title = 'Export the charts as a PNG image';
buttons.append(pauseBtn, resumeBtn, stopBtn, overlayLabel, csvBtn, pngBtn);
head.append(title, stats, buttons);
const warnings = el('ul', 'warnings');
warnings.id = 'monitor-warnings';
const hint = el('p', 'hint');
hint.textContent = 'Drag across a chart to zoom, double-click to see the whole run.';
const charts = el('div', 'charts');
const empty = el('p', 'empty');
empty.innerHTML =
  'Run a script that calls <code>backward()</code> on a loss to see its training here.';
root.append(head, warnings, charts, hint, empty);

const onZoom = (range: [number, number] | null): void => {
  saveState({ zoom: range });
  invalidate();
};
const lossChart = new Chart(charts, 'chart-loss', onZoom);
const gradChart = new Chart(charts, 'chart-grad', onZoom);
const lrChart = new Chart(charts, 'chart-lr', onZoom);
const spsChart = new Chart(charts, 'chart-sps', onZoom);

// ---- messages ----------------------------------------------------------------------------

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (!isToMonitor(e.data)) return;
  try {
    onMessage(e.data);
  } catch (err) {
    vscode.postMessage({ type: 'error', message: String((err as Error).stack ?? err) });
  }
});

function onMessage(m: ToMonitor): void {
  switch (m.type) {
    case 'monitor/replay': {
      previous = m.previous.map((r) => {
        const columns = columnsOf(r.columns);
        return {
          meta: r.meta,
          columns,
          minLoss: minFinite(columns.loss),
          lossIndex: new BlockIndex().update(columns.loss),
        };
      });
      current = null;
      if (m.current !== null) {
        current = newCurrent(m.current.meta);
        appendRows(current, columnsOf(m.current.columns));
      }
      if (state.meta?.id !== m.current?.meta.id) saveState({ zoom: null });
      saveState({ meta: current?.meta ?? null });
      break;
    }
    case 'monitor/append': {
      if (current === null || current.meta.id !== m.runId) return;
      if (m.from !== current.builder.length) {
        // A gap would silently drop steps: say so rather than draw a wrong curve.
        vscode.postMessage({
          type: 'error',
          message: `append at row ${m.from}, page has ${current.builder.length}`,
        });
        return;
      }
      appendRows(current, columnsOf(m.columns));
      break;
    }
    case 'monitor/status':
      if (current === null || current.meta.id !== m.runId) return;
      current.meta = { ...current.meta, status: m.status, message: m.message, pid: m.pid };
      saveState({ meta: current.meta });
      break;
    case 'monitor/exportPng':
      exportPng();
      return;
    default:
      assertNever(m);
  }
  invalidate();
}

/** Typed arrays arrive as they were posted; plain arrays (another transport) are converted. */
function columnsOf(c: RunColumns): RunColumns {
  const f = (a: unknown): Float64Array =>
    a instanceof Float64Array ? a : Float64Array.from(a as ArrayLike<number>);
  const gradNorms: Record<string, Float64Array> = {};
  for (const k in c.gradNorms) gradNorms[k] = f(c.gradNorms[k]);
  return { step: f(c.step), loss: f(c.loss), timeMs: f(c.timeMs), lr: f(c.lr), gradNorms };
}

function newCurrent(meta: RunMeta): Current {
  return {
    meta,
    builder: new ColumnBuilder(),
    sps: new Float64Array(1024),
    minLoss: Infinity,
    firstBadLoss: null,
    params: new Map(),
    index: new Map(),
  };
}

/** Adds rows and updates the running figures (steps/s, loss minimum, gradient flags) for the new rows only. */
function appendRows(cur: Current, cols: RunColumns): void {
  const from = cur.builder.length;
  cur.builder.appendColumns(cols);
  const c = cur.builder.view();
  const n = c.step.length;
  if (cur.sps.length < n) {
    const grown = new Float64Array(Math.max(n, cur.sps.length * 2));
    grown.set(cur.sps.subarray(0, from));
    cur.sps = grown;
  }
  stepsPerSecond(c.step, c.timeMs, 20, from, cur.sps.subarray(0, n));
  const columns: [string, Float64Array][] = [
    ['loss', c.loss],
    ['lr', c.lr],
    ['sps', cur.sps],
    ...Object.entries(c.gradNorms).map(([k, v]) => [`grad:${k}`, v] as [string, Float64Array]),
  ];
  for (const [key, col] of columns) {
    let idx = cur.index.get(key);
    if (idx === undefined) cur.index.set(key, (idx = new BlockIndex()));
    idx.update(col, n);
  }
  for (let i = from; i < n; i++) {
    const v = c.loss[i];
    if (Number.isFinite(v)) {
      if (v < cur.minLoss) cur.minLoss = v;
    } else if (cur.firstBadLoss === null) cur.firstBadLoss = c.step[i];
  }
  for (const name in c.gradNorms) {
    const col = c.gradNorms[name];
    let p = cur.params.get(name);
    if (p === undefined) cur.params.set(name, (p = newParamHealth()));
    // NaN here is mostly "no gradient at this step"; a NaN norm shows up as a NaN loss too.
    for (let i = from; i < n; i++) recordNorm(p, c.step[i], col[i], c.loss[i]);
  }
}

// ---- drawing -----------------------------------------------------------------------------

function invalidate(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    draw();
  });
}

new ResizeObserver(() => invalidate()).observe(root);
// VS Code swaps the body's theme class when the colour theme changes.
new MutationObserver(() => invalidate()).observe(document.body, {
  attributes: true,
  attributeFilter: ['class'],
});

function draw(): void {
  const t0 = performance.now();
  renderHead();
  const cur = current;
  const overlays = state.overlay ? previous : [];
  const showCharts = cur !== null && (cur.builder.length > 0 || overlays.length > 0);
  charts.hidden = !showCharts;
  hint.hidden = !showCharts;
  empty.hidden = cur !== null;
  if (!showCharts) {
    renderWarnings(cur);
    return;
  }
  const c = cur.builder.view();
  const theme = readTheme();
  const width = Math.max(200, Math.floor(charts.clientWidth || root.clientWidth));
  const grid = makeGrid(...xRange(c, overlays), width - AXIS_PX);
  const x = gridX(grid);
  const bounds = bucketBounds(c.step, grid);
  const range: [number, number] = grid.exact
    ? [grid.x0, grid.x0 + Math.max(1, grid.count - 1)]
    : [grid.x0, grid.x0 + grid.count * grid.width];

  // Loss, with earlier runs of the same script behind it.
  const lossLog = cur.minLoss > 0 && overlays.every((p) => p.minLoss > 0);
  const lossFloor = lossLog ? Number.MIN_VALUE : -Infinity;
  // Earlier runs first, so the current run is drawn on top of them.
  const lossSeries: SeriesSpec[] = [];
  const lossData: uPlot.AlignedData[number][] = [x];
  overlays.forEach((p, k) => {
    lossSeries.push({
      label: `run ${-(k + 1)} (${clock(p.meta.startedAt)})`,
      color: theme.muted,
      width: 1,
      dash: k === 0 ? undefined : [4 + 2 * k, 3],
    });
    lossData.push(
      reduceSeries(
        p.columns.loss,
        bucketBounds(p.columns.step, grid),
        grid,
        lossFloor,
        p.lossIndex,
      ),
    );
  });
  lossSeries.push({ label: 'loss', color: theme.palette[0], width: 1.5 });
  lossData.push(reduceSeries(c.loss, bounds, grid, lossFloor, cur.index.get('loss')));
  const lossSpec: ChartSpec = {
    title: lossLog ? 'Loss (log)' : 'Loss',
    log: lossLog,
    series: lossSeries,
  };
  lossChart.update(lossSpec, theme, lossData as uPlot.AlignedData, range, width);

  // Gradient norm per parameter, log scale, with the vanishing and exploding zones tinted.
  const names = Object.keys(c.gradNorms);
  const gradSpec: ChartSpec = {
    title: 'Gradient norm per parameter (log)',
    log: true,
    series: names.map((n, k) => ({
      label: n,
      color: theme.palette[k % theme.palette.length],
      dash: k < theme.palette.length ? undefined : [5, 3],
    })),
    bands: [
      { below: VANISHING, color: theme.vanishing },
      { above: EXPLODING, color: theme.exploding },
    ],
  };
  gradChart.update(
    gradSpec,
    theme,
    [
      x,
      ...names.map((n) =>
        reduceSeries(c.gradNorms[n], bounds, grid, LOG_FLOOR, cur.index.get(`grad:${n}`)),
      ),
    ] as uPlot.AlignedData,
    range,
    width,
  );

  lrChart.update(
    { title: 'Learning rate', log: false, series: [{ label: 'lr', color: theme.palette[2] }] },
    theme,
    [x, reduceSeries(c.lr, bounds, grid, -Infinity, cur.index.get('lr'))] as uPlot.AlignedData,
    range,
    width,
  );
  spsChart.update(
    {
      title: 'Steps per second',
      log: false,
      series: [{ label: 'steps/s', color: theme.palette[3] }],
    },
    theme,
    [x, reduceSeries(cur.sps, bounds, grid, -Infinity, cur.index.get('sps'))] as uPlot.AlignedData,
    range,
    width,
  );

  renderWarnings(cur);
  const ms = performance.now() - t0;
  root.dataset.drawMs = ms.toFixed(2);
  root.dataset.drawnRows = String(c.step.length);
  performance.measure('monitor-frame', { start: t0, duration: ms });
}

function xRange(c: RunColumns, overlays: readonly Previous[]): [number, number] {
  if (state.zoom !== null) return state.zoom;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of [c.step, ...overlays.map((p) => p.columns.step)]) {
    if (s.length === 0) continue;
    lo = Math.min(lo, s[0]);
    hi = Math.max(hi, s[s.length - 1]);
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

function renderHead(): void {
  const meta = current?.meta ?? state.meta;
  const status: RunStatus | 'idle' = meta?.status ?? 'idle';
  root.dataset.status = status;
  root.dataset.runId = meta?.id ?? '';
  root.dataset.script = meta?.script ?? '';
  root.dataset.rows = String(current?.builder.length ?? 0);
  root.dataset.previous = String(previous.length);
  root.dataset.pid = meta?.pid == null ? '' : String(meta.pid);
  scriptName.textContent = meta === null ? 'No run yet' : baseName(meta.script);
  scriptName.title = meta?.script ?? '';
  statusBadge.textContent =
    meta?.message && status !== 'stopped' ? `${status}: ${meta.message}` : status;
  statusBadge.className = `status status-${status}`;
  const live = current !== null && (status === 'running' || status === 'paused');
  pauseBtn.disabled = !live || status !== 'running';
  resumeBtn.disabled = !live || status !== 'paused';
  stopBtn.disabled = !live;
  csvBtn.disabled = current === null || current.builder.length === 0;
  pngBtn.disabled = csvBtn.disabled;
  overlayBox.disabled = previous.length === 0;
  overlayText.textContent =
    previous.length === 0
      ? 'Compare (no earlier runs)'
      : `Compare with ${previous.length} earlier run${previous.length > 1 ? 's' : ''}`;
  const cur = current;
  if (cur === null || cur.builder.length === 0) {
    stats.textContent = cur === null ? '' : 'waiting for the first backward() on a scalar…';
    root.dataset.lastStep = '';
    return;
  }
  const c = cur.builder.view();
  const i = c.step.length - 1;
  root.dataset.lastStep = String(c.step[i]);
  const parts = [`step ${c.step[i]}`, `loss ${fmt(c.loss[i])}`];
  if (!Number.isNaN(c.lr[i])) parts.push(`lr ${fmt(c.lr[i])}`);
  const sps = cur.sps[i];
  if (Number.isFinite(sps))
    parts.push(`${sps >= 100 ? sps.toFixed(0) : sps.toPrecision(3)} steps/s`);
  parts.push(`${c.step.length.toLocaleString('en-US')} points recorded`);
  stats.textContent = parts.join(' · ');
}

/** The warnings of the current run; none without one (an earlier run's must not stay). */
function renderWarnings(cur: Current | null): void {
  const items: [string, string][] = [];
  if (cur?.firstBadLoss != null)
    items.push(['exploding', `loss is not finite from step ${cur.firstBadLoss}`]);
  for (const [name, p] of cur?.params ?? []) {
    const w = gradientWarning(name, p, fmt);
    if (w !== null) items.push([w.kind, w.text]);
  }
  const key = JSON.stringify(items);
  if (warnings.dataset.key === key) return;
  warnings.dataset.key = key;
  warnings.replaceChildren(
    ...items.map(([kind, text]) => {
      const li = el('li', `warning ${kind}`);
      li.textContent = text;
      return li;
    }),
  );
}

function readTheme(): Theme & { palette: string[]; vanishing: string; exploding: string } {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string =>
    css.getPropertyValue(name).trim() || fallback;
  return {
    foreground: v('--vscode-foreground', '#cccccc'),
    muted: v('--vscode-descriptionForeground', '#9d9d9d'),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    background: v('--vscode-sideBar-background', v('--vscode-editor-background', '#1e1e1e')),
    font: v('--vscode-font-family', 'sans-serif'),
    palette: [
      v('--vscode-charts-blue', '#3794ff'),
      v('--vscode-charts-orange', '#d18616'),
      v('--vscode-charts-green', '#89d185'),
      v('--vscode-charts-purple', '#b180d7'),
      v('--vscode-charts-yellow', '#cca700'),
      v('--vscode-charts-red', '#f14c4c'),
      v('--vscode-charts-foreground', '#cccccc'),
    ],
    vanishing: v('--vscode-charts-yellow', '#cca700'),
    exploding: v('--vscode-charts-red', '#f14c4c'),
  };
}

// ---- actions -----------------------------------------------------------------------------

function control(action: ControlAction): void {
  if (current !== null) vscode.postMessage({ type: 'control', action, runId: current.meta.id });
}

/** All charts on one canvas with their titles and legends (wrapped to the width), on the view's background. */
function exportPng(): void {
  const theme = readTheme();
  const parts = [lossChart, gradChart, lrChart, spsChart].flatMap((chart) =>
    chart.canvas === null ? [] : [{ chart, canvas: chart.canvas }],
  );
  if (parts.length === 0) return;
  const ratio = window.devicePixelRatio || 1;
  const pad = 8 * ratio;
  const titleH = 18 * ratio;
  const lineH = 16 * ratio;
  const legendFont = `${11 * ratio}px ${theme.font}`;
  const w = Math.max(...parts.map((p) => p.canvas.width)) + 2 * pad;
  const ctx = document.createElement('canvas').getContext('2d');
  if (ctx === null) return;
  // Lay the legends out first: their line count sets the image height.
  ctx.font = legendFont;
  const legends = parts.map((p) => {
    const items: { label: string; color: string; x: number; line: number }[] = [];
    let x = pad;
    let line = 0;
    for (const s of p.chart.seriesSpecs) {
      const width = 14 * ratio + ctx.measureText(s.label).width + 14 * ratio;
      if (x > pad && x + width > w - pad) {
        x = pad;
        line++;
      }
      items.push({ label: s.label, color: s.color, x, line });
      x += width;
    }
    return { items, lines: line + 1 };
  });
  const h = parts.reduce(
    (sum, p, i) => sum + titleH + p.canvas.height + legends[i].lines * lineH + pad,
    pad,
  );
  const out = ctx.canvas;
  out.width = w;
  out.height = h;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, w, h);
  let y = pad;
  parts.forEach((p, i) => {
    ctx.fillStyle = theme.foreground;
    ctx.font = `bold ${12 * ratio}px ${theme.font}`;
    ctx.fillText(p.chart.title, pad, y + 13 * ratio);
    y += titleH;
    ctx.drawImage(p.canvas, pad, y);
    y += p.canvas.height;
    ctx.font = legendFont;
    for (const it of legends[i].items) {
      const top = y + it.line * lineH;
      ctx.fillStyle = it.color;
      ctx.fillRect(it.x, top + 4 * ratio, 10 * ratio, 3 * ratio);
      ctx.fillStyle = theme.foreground;
      ctx.fillText(it.label, it.x + 14 * ratio, top + 10 * ratio);
    }
    y += legends[i].lines * lineH + pad;
  });
  vscode.postMessage({ type: 'exportPng', dataUrl: out.toDataURL('image/png') });
}

// ---- helpers -----------------------------------------------------------------------------

function saveState(patch: Partial<MonitorState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  return e;
}

function button(text: string, id: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', 'btn');
  b.id = id;
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5)
    ? v.toExponential(2)
    : Number(v.toPrecision(4)).toString();
}

function minFinite(a: Float64Array): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] < m && a[i] > -Infinity) m = a[i];
  return m;
}

function clock(t: number): string {
  const d = new Date(t);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

renderHead();
invalidate();
vscode.postMessage({ type: 'ready' });
