// The Python tracer's rows of the bench table: python-capture.mjs's figures stand in the
// PyTorch column, the other columns stay empty, and issue 17's targets are checked on them.
// The figures here are made up; the real ones come from `npm run bench` (not asserted).
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs without types
import { renderTable } from '../../bench/table.mjs';
// @ts-expect-error -- plain .mjs without types
import { TRACER } from '../../bench/config.mjs';

const render = renderTable as (
  results: Map<string, unknown>,
  workloads: string[],
  quick: boolean,
) => { lines: string[]; targets: { metric: string; met: boolean | null }[] };

function cells(lines: string[], prefix: string): string[] {
  const line = lines.find((l) => l.startsWith(`| ${prefix}`));
  expect(line, prefix).toBeDefined();
  return line!
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('Python tracer rows', () => {
  it('show the tracer figures in the PyTorch column with their targets', () => {
    const results = new Map([
      [
        `torch/${TRACER as string}`,
        {
          ok: true,
          metrics: {
            tracerOverheadPct: 12.5,
            tracerStepOverheadPct: 9,
            tracerCpuOverheadPct: 20,
            tracerSvgMs: 480,
          },
        },
      ],
    ]);
    const { lines, targets } = render(results, [TRACER as string], false);
    const overhead = cells(lines, 'Python tracer: capture overhead');
    // Workload, unit, seven peers (PyTorch on 1 thread, then on 2), target.
    expect(overhead.slice(2, 7)).toEqual(['', '', '', '', '']);
    expect(overhead[7]).toBe('12.5');
    expect(overhead[8]).toBe('');
    expect(overhead[9]).toBe('<= 10 %: **NOT met**');
    const svg = cells(lines, 'Python tracer: PyTorch script end -> SVG');
    expect(svg[7]).toBe('480');
    expect(svg[9]).toBe('<= 1000 ms: **met**');
    expect(cells(lines, 'Python tracer: the same per step')[7]).toBe('9.00');
    expect(targets.map((t) => [t.metric, t.met])).toEqual([
      ['tracerOverheadPct', false],
      ['tracerSvgMs', true],
    ]);
  });

  it('say why when the tracer could not run', () => {
    const results = new Map([
      [`torch/${TRACER as string}`, { ok: false, skipped: true, error: '/x/python3 not found' }],
    ]);
    const { lines } = render(results, [TRACER as string], false);
    expect(cells(lines, 'Python tracer: capture overhead')[7]).toBe('skipped [1]');
    expect(lines).toContain('[1] /x/python3 not found');
  });

  it('are absent when the tracer did not run (--only)', () => {
    const { lines } = render(new Map(), ['W3'], false);
    expect(lines.some((l) => l.includes('Python tracer'))).toBe(false);
  });
});
