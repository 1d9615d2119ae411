// The host's side of a run of notebook cells: which cells it sends (as the editor holds them),
// how the runner's answer is checked, which graph answers a cell, and how errors read.
import { describe, expect, it } from 'vitest';
import {
  ProtocolError,
  validateChildMessage,
  validateHostMessage,
  type GraphSnapshot,
} from '../../src/protocol/messages';
import { lineWhere } from '../../src/protocol/where';
import {
  backwardLinesOfCell,
  cellSources,
  snapshotOfCell,
  type EditorCell,
} from '../../src/extension/notebook/cell-sources';
import { errorDiagnostics, errorSummary } from '../../src/extension/run-errors';
import { formatLocation } from '../../src/graph/labels';
import { isFromWebview } from '../../src/protocol/graph-view';

const md = (text: string): EditorCell => ({ kind: 'markup', language: 'markdown', text });
const py = (text: string): EditorCell => ({ kind: 'code', language: 'python', text });

const NOTEBOOK: EditorCell[] = [
  md('# Q and P'),
  py('%matplotlib inline\nimport torch'),
  md('## Leaves'),
  py('a = torch.tensor(2.0, requires_grad=True)'),
  { kind: 'code', language: 'r', text: 'x <- 1' },
  py('Q = a**3\n# Q.backward() in a comment\nQ.backward()\nprint(".backward(")'),
  py('Q = a * 2\nQ.backward()'),
];

describe('the cells a run is given', () => {
  it('are the code cells up to and including the chosen one, at their places in the notebook', () => {
    expect(cellSources(NOTEBOOK, 3)).toEqual([
      { index: 1, kind: 'code', language: 'python', source: '%matplotlib inline\nimport torch' },
      {
        index: 3,
        kind: 'code',
        language: 'python',
        source: 'a = torch.tensor(2.0, requires_grad=True)',
      },
    ]);
  });

  it('pass code cells in other languages on (the runner skips them with a note) and default to all', () => {
    const all = cellSources(NOTEBOOK);
    expect(all.map((c) => c.index)).toEqual([1, 3, 4, 5, 6]);
    expect(all[2]).toEqual({ index: 4, kind: 'code', language: 'r', source: 'x <- 1' });
  });

  it('validate field by field on the way to the runner', () => {
    const start = (cells: unknown): unknown => ({
      type: 'run/start',
      protocol: 1,
      options: {
        script: '/w/nb.ipynb',
        cwd: '/w',
        captureAt: 'all',
        maxNodes: 10,
        savedTensors: false,
        flow: 'auto',
        stopAfter: { file: '/w/nb.ipynb', line: 3, cell: 5 },
        args: [],
        cells,
      },
    });
    const ok = validateHostMessage(start(cellSources(NOTEBOOK, 5)));
    expect(ok.type === 'run/start' && ok.options.cells?.length).toBe(4);
    expect(ok.type === 'run/start' && ok.options.stopAfter).toEqual({
      file: '/w/nb.ipynb',
      line: 3,
      cell: 5,
    });
    const refused = (cells: unknown): string => {
      try {
        validateHostMessage(start(cells));
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
        return (e as ProtocolError).path;
      }
      throw new Error('accepted');
    };
    const cell = { index: 1, kind: 'code', language: 'python', source: 'x = 1' };
    expect(refused('x')).toBe('message.options.cells');
    expect(refused([cell, { ...cell, index: -1 }])).toBe('message.options.cells[1].index');
    expect(refused([{ ...cell, kind: 'markdown' }])).toBe('message.options.cells[0].kind');
    expect(refused([{ ...cell, language: 3 }])).toBe('message.options.cells[0].language');
    expect(refused([{ ...cell, source: ['x = 1'] }])).toBe('message.options.cells[0].source');
  });

  it("a location's cell is checked where the runner sends it", () => {
    const error = (location: unknown): unknown => ({
      type: 'run/error',
      error: { kind: 'exception', message: 'm', stack: null, location },
    });
    const at = { file: '/w/nb.ipynb', line: 2, column: 1, cell: 3 };
    expect(validateChildMessage(error(at))).toEqual(error(at));
    expect(() => validateChildMessage(error({ ...at, cell: 1.5 }))).toThrow(
      'malformed message at message.error.location.cell: expected an integer',
    );
    expect(() => validateChildMessage(error({ ...at, cell: -1 }))).toThrow(
      'message.error.location.cell: expected at least 0',
    );
  });
});

describe('Run backward under a cell', () => {
  it("is offered for each line of a Python cell's own .backward( calls, not in comments or strings", () => {
    expect(backwardLinesOfCell(NOTEBOOK[5])).toEqual([3]);
    expect(backwardLinesOfCell(NOTEBOOK[6])).toEqual([2]);
    expect(backwardLinesOfCell(py('loss.backward(); loss.backward()'))).toEqual([1]);
    expect(backwardLinesOfCell(md('call `x.backward()`'))).toEqual([]);
  });
});

describe('the graph of a cell', () => {
  const snap = (index: number, cell: number | null, line: number): GraphSnapshot => ({
    index,
    trigger: 'backward',
    nodes: [
      {
        id: 'out',
        kind: 'output',
        name: 'Q',
        next: [],
        value: null,
        grad: null,
        location: cell === null ? null : { file: '/w/nb.ipynb', line, column: 1, cell },
        modulePath: [],
        attachedTo: null,
        sequenceNr: -1,
      },
    ],
    outputs: ['out'],
    anomalies: [],
    collapsed: false,
    detail: 'full',
  });
  const snaps = [snap(1, 5, 3), snap(2, 5, 3), snap(3, 5, 4), snap(4, 6, 2), snap(5, null, 1)];

  it('labels its nodes with their cell and line', () => {
    expect(formatLocation(snaps[0].nodes[0])).toBe('cell 6, line 3');
  });

  it("a node's click asks for its cell's line; the host checks the cell", () => {
    const reveal = { type: 'reveal', file: '/w/nb.ipynb', line: 3, column: 1 };
    expect(isFromWebview({ ...reveal, cell: 5 })).toBe(true);
    expect(isFromWebview(reveal)).toBe(true);
    expect(isFromWebview({ ...reveal, cell: -1 })).toBe(false);
    expect(isFromWebview({ ...reveal, cell: '5' })).toBe(false);
  });

  it("is the cell's last backward(), or the last one at a line of it; -1 when it made none", () => {
    expect(snapshotOfCell(snaps, 5)).toBe(2);
    expect(snapshotOfCell(snaps, 5, 3)).toBe(1);
    expect(snapshotOfCell(snaps, 6)).toBe(3);
    expect(snapshotOfCell(snaps, 1)).toBe(-1);
    expect(snapshotOfCell(snaps, 6, 3)).toBe(-1);
  });
});

describe('errors in cells', () => {
  const located = {
    kind: 'exception' as const,
    message: "NameError: name 'c' is not defined",
    stack: null,
    location: { file: '/w/nb.ipynb', line: 4, column: 5, cell: 5 },
  };

  it("say the cell counted from 1 and the cell's line", () => {
    expect(lineWhere(located.location)).toBe('cell 6, line 4');
    expect(lineWhere({ line: 4 })).toBe('line 4');
    expect(errorSummary([located], 'nb.ipynb')).toBe(
      "Gradlens: nb.ipynb threw (cell 6, line 4): NameError: name 'c' is not defined",
    );
  });

  it("become a diagnostic for the cell's document at the cell's line", () => {
    expect(errorDiagnostics([located])).toEqual([
      { file: '/w/nb.ipynb', line: 3, column: 4, cell: 5, message: located.message },
    ]);
  });
});
