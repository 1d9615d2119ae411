// "Gradlens: Debug Script" on .py files without VS Code: which debugger is chosen, the launch
// configuration, and, against Debian's real debugpy adapter, that this configuration launches
// and stops at breakpoints and that the inspection expression evaluated at a stop answers the
// graph of the tensors in scope, which the host's validators accept.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  OWN_ADAPTER_TYPE,
  PYTHON_EVALUATE_OPTIONS,
  PYTHON_INSPECT_EXPRESSION,
  choosePythonDebugger,
  debugpyProblem,
  pythonDebugConfiguration,
  pythonHoverExpression,
} from '../../src/extension/debug/python-config';
import { probeDebugpy } from '../../src/extension/debug/debugpy-probe';
import { codeLines, placeInlineValues } from '../../src/extension/debug/present';
import {
  parseInspection,
  type InspectedTensor,
  type Inspection,
} from '../../src/runner/debug/protocol';
import { DapClient } from '../helpers/dap';

const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';
const ROOT = path.join(__dirname, '..', '..');
const PACKAGE_DIR = path.join(ROOT, 'python');

const Q_TENSOR: InspectedTensor = {
  name: 'Q',
  id: 't1',
  value: {
    shape: [2],
    dtype: 'float32',
    numel: 2,
    first: [-12, 65],
    min: -12,
    max: 65,
    mean: 26.5,
    nanCount: 0,
    infCount: 0,
  },
  grad: null,
  gradFn: 'SubBackward0',
  isLeaf: false,
  requiresGrad: true,
  retainsGrad: false,
  version: 0,
  nodeId: 'var:Q',
};

describe('choosePythonDebugger', () => {
  test('the Python Debugger extension first, then debugpy’s own adapter, else missing', () => {
    expect(choosePythonDebugger({ extensionInstalled: true, debugpyImportable: false })).toBe(
      'debugpy extension',
    );
    expect(choosePythonDebugger({ extensionInstalled: true, debugpyImportable: true })).toBe(
      'debugpy extension',
    );
    expect(choosePythonDebugger({ extensionInstalled: false, debugpyImportable: true })).toBe(
      'own adapter',
    );
    expect(choosePythonDebugger({ extensionInstalled: false, debugpyImportable: false })).toBe(
      'missing',
    );
  });

  test('the message names the interpreter, where it came from, and how to get debugpy', () => {
    const text = debugpyProblem({ python: '/opt/py/bin/python', source: 'setting' }, 'missing');
    expect(text).toContain('/opt/py/bin/python (from the setting gradlens.python.path)');
    expect(text).toContain('ms-python.debugpy');
    expect(text).toContain('/opt/py/bin/python -m pip install debugpy');
    expect(text).toContain('apt install python3-debugpy');
    const none = debugpyProblem({ python: 'python3', source: 'default' }, 'no interpreter');
    expect(none).toContain('python3 (from PATH) was not found');
    expect(none).toContain('gradlens.python.path');
  });
});

test('probeDebugpy tells an interpreter with debugpy from one without and from none at all', async () => {
  expect(await probeDebugpy(PYTHON)).toBe('importable');
  // Debian's python3 with site-packages off: debugpy is not importable.
  expect(await probeDebugpy(path.join(ROOT, 'test/fixtures/python/python-without-torch'))).toBe(
    'missing',
  );
  expect(await probeDebugpy(path.join(ROOT, 'no-such-python'))).toBe('no interpreter');
});

test('pythonDebugConfiguration: program, cwd, args, interpreter, justMyCode, the package on PYTHONPATH', () => {
  const launch = {
    type: OWN_ADAPTER_TYPE,
    script: '/w/train.py',
    cwd: '/w',
    args: ['--epochs', '1'],
    python: '/usr/bin/python3',
    packageDir: '/ext/python',
  } as const;
  const c = pythonDebugConfiguration({ ...launch, inheritedPythonPath: '/mine' });
  expect(c).toMatchObject({
    type: 'gradlens-python',
    request: 'launch',
    program: '/w/train.py',
    cwd: '/w',
    args: ['--epochs', '1'],
    python: '/usr/bin/python3',
    justMyCode: true,
    __gradlens: true,
  });
  expect(c.env.PYTHONPATH).toBe(`/ext/python${path.delimiter}/mine`);
  expect(pythonDebugConfiguration(launch).env.PYTHONPATH).toBe('/ext/python');
});

test('inline values go to the Python line that assigned the tensor, not to comments or strings', () => {
  const lines = [
    'Q = 3 * a**3 - b**2',
    '# Q = nothing, a comment',
    'print("Q = ", Q)',
    's = """',
    'Q = inside a string',
    '"""',
  ];
  const at = (code: readonly string[]) =>
    placeInlineValues(code, [Q_TENSOR], 5, 0, 5).map((p) => p.line);
  expect(at(codeLines(lines, 'python'))).toEqual([0]);
  // Read as TypeScript, the comment's and the string's `Q =` would count.
  expect(at(codeLines(lines, 'typescript'))).not.toEqual([0]);
});

test('pythonHoverExpression is a Python dict literal with the tensor’s attributes', () => {
  const expr = pythonHoverExpression(Q_TENSOR);
  const printed = execFileSync(
    PYTHON,
    ['-c', 'import sys, json; print(json.dumps(eval(sys.argv[1])))', expr],
    { encoding: 'utf8' },
  );
  expect(JSON.parse(printed)).toEqual({
    shape: '[2]',
    dtype: 'float32',
    values: '[-12, 65]',
    grad: null,
    grad_fn: 'SubBackward0',
    is_leaf: false,
    requires_grad: true,
    retains_grad: false,
    _version: 0,
  });
});

describe('against debugpy’s own adapter (Debian python3-debugpy)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gradlens-debugpy-'));
  const script = path.join(dir, 'qp.py');
  writeFileSync(
    script,
    [
      'import torch',
      '',
      'a = torch.tensor([2.0, 3.0], requires_grad=True)',
      'b = torch.tensor([6.0, 4.0], requires_grad=True)',
      'Q = 3 * a**3 - b**2',
      'print("Q", Q)',
      'P = (a**3 - 3 * b) ** 2',
      'P.sum().backward()',
      'print(a.grad)',
      '',
    ].join('\n'),
  );
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function inspectTop(dap: DapClient, threadId: number): Promise<string> {
    const trace = await dap.request('stackTrace', { threadId, startFrame: 0, levels: 1 });
    const [frame] = trace.body?.stackFrames as { id: number; line: number }[];
    const r = await dap.request('evaluate', {
      expression: PYTHON_INSPECT_EXPRESSION,
      frameId: frame.id,
      ...PYTHON_EVALUATE_OPTIONS,
    });
    return r.body?.result as string;
  }

  test('the launch configuration stops at each breakpoint and each stop reads the graph in scope', async () => {
    const dap = new DapClient(PYTHON, ['-m', 'debugpy.adapter']);
    try {
      await dap.request('initialize', {
        adapterID: OWN_ADAPTER_TYPE,
        pathFormat: 'path',
        linesStartAt1: true,
        columnsStartAt1: true,
      });
      const config = pythonDebugConfiguration({
        type: OWN_ADAPTER_TYPE,
        script,
        cwd: dir,
        args: [],
        python: PYTHON,
        packageDir: PACKAGE_DIR,
      });
      // debugpy answers launch only after configurationDone.
      const launched = dap.request('launch', config);
      await dap.nextEvent('initialized');
      await dap.request('setBreakpoints', {
        source: { path: script },
        breakpoints: [{ line: 1 }, { line: 6 }, { line: 9 }],
      });
      await dap.request('configurationDone');
      await launched;

      // Line 1: torch is not imported yet, and inspecting does not import it.
      let stopped = await dap.nextEvent('stopped');
      const threadId = stopped.body?.threadId as number;
      expect(await inspectTop(dap, threadId)).toBe('null');

      await dap.request('continue', { threadId });
      stopped = await dap.nextEvent('stopped');
      const first: Inspection = parseInspection(await inspectTop(dap, threadId));
      const names = (i: Inspection, kind: string) =>
        (i.graph?.nodes ?? [])
          .filter((n) => n.kind === kind)
          .map((n) => n.name)
          .sort();
      expect(names(first, 'function')).toEqual([
        'MulBackward0',
        'PowBackward0',
        'PowBackward0',
        'SubBackward0',
      ]);
      expect(names(first, 'leaf')).toEqual(['a', 'b']);
      expect(names(first, 'output')).toEqual(['Q']);
      const q = first.tensors.find((t) => t.name === 'Q');
      expect(q?.gradFn).toBe('SubBackward0');
      // What the debug hover on Q evaluates: a dict with Q's attributes.
      const trace = await dap.request('stackTrace', { threadId, startFrame: 0, levels: 1 });
      const [top] = trace.body?.stackFrames as { id: number }[];
      const hover = await dap.request('evaluate', {
        expression: pythonHoverExpression(q as InspectedTensor),
        frameId: top.id,
        context: 'hover',
      });
      expect(hover.body?.result).toContain("'grad_fn': 'SubBackward0'");

      await dap.request('continue', { threadId });
      await dap.nextEvent('stopped');
      const second = parseInspection(await inspectTop(dap, threadId));
      expect(names(second, 'output')).toEqual(['P', 'Q']);
      const a1 = first.tensors.find((t) => t.name === 'a');
      const a2 = second.tensors.find((t) => t.name === 'a');
      expect(a2?.id).toBe(a1?.id);
      expect(a1?.grad).toBeNull();
      expect(a2?.grad?.first).toEqual([-240, 810]);

      await dap.request('continue', { threadId });
      await dap.nextEvent('terminated');
    } catch (e) {
      console.log(`adapter stderr:\n${dap.stderr}`);
      throw e;
    } finally {
      dap.kill();
    }
  }, 120_000);
});
