// The finite-difference check's result crosses two boundaries (the Python child's stdout, the
// host -> page message) and sits in the JSON snapshot: each field is checked, and a bad one is
// named. The page's request is checked too, and the host refuses what it cannot check.
import { describe, expect, test } from 'vitest';
import { gradcheckTarget } from '../../src/extension/gradcheck-target';
import { pageData, renderHtml } from '../../src/graph/html';
import { agrees, validateGradcheck, type GradcheckResult } from '../../src/protocol/gradcheck';
import { isFromWebview, isToWebview, type GraphPayload } from '../../src/protocol/graph-view';
import { validateSnapshot, type GraphSnapshot } from '../../src/protocol/messages';

const result: GradcheckResult = {
  backward: 1,
  scope: null,
  outcome: 'disagree',
  message: '1 of 2 checked gradients disagree',
  dtype: 'float64',
  eps: 1e-6,
  rtol: 1e-3,
  runs: 5,
  nodes: [
    {
      node: 'n4:leaf',
      name: 'x',
      how: 'leaf',
      elements: [{ label: 'x', analytic: 12, numeric: 18, agree: false }],
      skipped: 0,
      maxAbsError: 6,
      maxRelError: 0.333,
      agree: false,
    },
    {
      node: 'n1',
      name: 'CubeBackward',
      how: 'local',
      elements: [{ label: 'grad_input 0', analytic: 'NaN', numeric: 1, agree: false }],
      skipped: 3,
      maxAbsError: 'NaN',
      maxRelError: 'Infinity',
      agree: false,
    },
  ],
};

/** `result` with the field at `path` set to `value`. */
function broken(path: (string | number)[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(result)) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = value;
  return copy;
}

const snapshot = {
  index: 1,
  trigger: 'backward',
  nodes: [
    {
      id: 'n0',
      kind: 'function',
      name: 'MulBackward0',
      next: [null],
      value: null,
      grad: null,
      location: null,
      modulePath: [],
      attachedTo: null,
      sequenceNr: 1,
    },
  ],
  outputs: [],
  anomalies: [],
  collapsed: false,
  detail: 'full',
} as unknown as GraphSnapshot;

describe('gradcheck results', () => {
  test('a whole result passes, NaN and Infinity encoded as strings', () => {
    expect(validateGradcheck(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });

  test.each([
    [['outcome'], 'maybe', 'gradcheck.outcome'],
    [['backward'], 0, 'gradcheck.backward'],
    [['scope'], 3, 'gradcheck.scope'],
    [['eps'], -1, 'gradcheck.eps'],
    [['runs'], 1.5, 'gradcheck.runs'],
    [['nodes', 0, 'how'], 'global', 'gradcheck.nodes[0].how'],
    [['nodes', 1, 'skipped'], -1, 'gradcheck.nodes[1].skipped'],
    [['nodes', 0, 'elements', 0, 'numeric'], null, 'gradcheck.nodes[0].elements[0].numeric'],
    [['nodes', 0, 'elements', 0, 'agree'], 'yes', 'gradcheck.nodes[0].elements[0].agree'],
    [['nodes', 0, 'elements'], {}, 'gradcheck.nodes[0].elements'],
  ])('a bad %j is named', (path, value, where) => {
    expect(() => validateGradcheck(broken(path, value))).toThrow(`malformed message at ${where}:`);
  });

  test('the snapshot carries it, checked', () => {
    expect(validateSnapshot({ ...snapshot, gradcheck: result }).gradcheck).toEqual(result);
    expect(() => validateSnapshot({ ...snapshot, gradcheck: broken(['message'], 1) })).toThrow(
      'snapshot.gradcheck.message',
    );
    expect(validateSnapshot(snapshot).gradcheck).toBeUndefined();
  });

  test("the CLI's HTML page marks the checked boxes and says the verdict", () => {
    const s = {
      ...snapshot,
      nodes: [
        ...snapshot.nodes,
        { ...snapshot.nodes[0], id: 'n4', kind: 'accumulate', name: 'AccumulateGrad' },
        { ...snapshot.nodes[0], id: 'n4:leaf', kind: 'leaf', name: 'x', attachedTo: 'n4' },
      ],
      gradcheck: result,
    } as GraphSnapshot;
    const data = pageData(s) as { checks: unknown; nodes: { id: string; title: string }[] };
    expect(data.checks).toEqual([
      ['n4:leaf', false],
      ['n4', false],
      ['n1', false],
    ]);
    expect(data.nodes.find((n) => n.id === 'n4:leaf')?.title).toContain(
      'finite differences: DISAGREES: max abs error 6, max rel error 0.333\nx: analytic 12, numeric 18  ✗ DISAGREE',
    );
    expect(renderHtml(s, '<svg></svg>')).toContain(
      '<span id="check" class="gl-check-bad">gradcheck: 1 of 2 checked gradients disagree</span>',
    );
    expect(renderHtml(snapshot, '<svg></svg>')).not.toContain('id="check"');
  });

  test('the page takes a valid result only, and the host a request with a node id or null', () => {
    expect(isToWebview({ type: 'graph/gradcheck', result })).toBe(true);
    expect(isToWebview({ type: 'graph/gradcheck', result: broken(['nodes', 0, 'node'], 7) })).toBe(
      false,
    );
    expect(isFromWebview({ type: 'gradcheck', node: null })).toBe(true);
    expect(isFromWebview({ type: 'gradcheck', node: 'n3' })).toBe(true);
    expect(isFromWebview({ type: 'gradcheck', node: '' })).toBe(false);
    expect(isFromWebview({ type: 'gradcheck' })).toBe(false);
  });

  test('agreement: relative to the numeric value, or to 1% of the largest near zero', () => {
    expect(agrees(-384, -384.0001, 1e-3, 384)).toBe(true);
    expect(agrees(8, 12, 1e-3, 12)).toBe(false);
    expect(agrees(1e-9, 0, 1e-3, 100)).toBe(true);
  });
});

describe("the host's choice of what to check", () => {
  const shown = (over: Partial<GraphPayload> = {}): GraphPayload => ({
    title: 't',
    file: '/w/qp.py',
    index: 0,
    count: 1,
    source: { kind: 'run', backward: 1 },
    snapshot,
    ...over,
  });

  test('backward() #1 of a run, whole or below one of its nodes', () => {
    expect(gradcheckTarget(shown(), null)).toEqual({ file: '/w/qp.py', snapshot, node: null });
    expect(gradcheckTarget(shown(), 'n0')).toMatchObject({ node: 'n0' });
  });

  test('a later backward() is refused as itself, saying why only #1 is checked', () => {
    // A training loop's backward() #3: moving a leaf where the script first uses it would
    // measure the loss at #3 against the leaf's first value, through two optimizer steps.
    const r = gradcheckTarget(shown({ source: { kind: 'run', backward: 3 } }), null);
    expect(r).toMatchObject({ outcome: 'unavailable', backward: 3 });
    expect((r as GradcheckResult).message).toMatch(
      /^only backward\(\) #1 is checked, and this graph is backward\(\) #3: .*an optimizer's steps.*show backward\(\) #1 \(toolbar picker\) to check it$/,
    );
  });

  test.each([
    [null, null, 'no graph is shown'],
    [{ source: { kind: 'run', backward: 2 } }, null, 'show backward() #1'],
    [{ source: { kind: 'debug', stop: 1 } }, null, 'only the graph of a backward() call'],
    [{ file: '/w/n.ipynb' }, null, 'notebooks cannot be checked here'],
    [{}, 'n9', 'node n9 is not in the graph shown'],
  ] as const)('refuses %j (node %s): %s', (over, node, why) => {
    const r = gradcheckTarget(over === null ? null : shown(over), node);
    expect(r).toMatchObject({ outcome: 'unavailable', runs: 0, nodes: [] });
    expect((r as GradcheckResult).message).toContain(why);
  });
});
