// The footer and the Output channel report a painted graph's layout with the same figures.
import { expect, test } from 'vitest';
import { layoutText, paintedLine } from '../../src/protocol/paint-report';

const worker = { startup: 1512.4, read: 203, layout: 147.2, answer: 21.6 };

test('a graph just opened says what the worker spent before its layout', () => {
  expect(layoutText('elk', 147.2, worker)).toBe(
    'elk layout 147 ms, after 1512 ms queued in the layout worker and 203 ms reading the graph',
  );
  expect(layoutText('incremental', 12, null)).toBe('incremental layout 12 ms');
  expect(layoutText('elk', 40, { startup: 0.2, read: 3, layout: 40, answer: 1 })).toBe(
    'elk layout 40 ms, after 3 ms reading the graph',
  );
});

test("the Output line carries the footer text and names the page's wait on the worker as what it is", () => {
  const line = paintedLine({
    nodes: 12,
    engine: 'elk',
    layoutMs: 147.2,
    worker,
    commandToPaintMs: 2400,
    phases: { run: 300, send: 20, layout: 1899, paint: 40 },
  });
  expect(line).toContain(layoutText('elk', 147.2, worker));
  // The worker's answer after its layout, so that the rest of that wait is the trip and the page.
  expect(line).toContain('layout worker 1899 ms (22 ms of it answering after the layout)');
  expect(line).not.toMatch(/elk layout 1899/);
});
