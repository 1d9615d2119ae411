import { expect, test } from 'vitest';
import {
  DEFAULT_SETTINGS,
  VIEW_MAX_NODES,
  launchOptions,
  parseSettings,
} from '../../src/extension/settings';

const from = (o: Record<string, unknown>) => (k: string) => o[k];
const place = { cwd: '/ws' };

test('valid settings are taken as given', () => {
  expect(
    parseSettings(
      from({
        'run.timeoutSeconds': 5,
        'run.memoryLimitMb': 512.7,
        'capture.policy': 'first',
        'capture.flow': 'never',
        'inlineGradients.enabled': false,
        'inlineGradients.placement': 'use',
      }),
    ),
  ).toEqual({
    ...DEFAULT_SETTINGS,
    timeoutSeconds: 5,
    memoryLimitMb: 512,
    capturePolicy: 'first',
    captureFlow: 'never',
    inlineGradients: false,
    inlinePlacement: 'use',
  });
  expect(
    parseSettings(
      from({
        'python.path': ' /opt/py/bin/python ',
        'run.args': ['--steps', '1'],
        'run.directory': 'script',
      }),
    ),
  ).toMatchObject({
    pythonPath: '/opt/py/bin/python',
    scriptArgs: ['--steps', '1'],
    runDirectory: 'script',
  });
});

test('missing or bad values fall back to the defaults', () => {
  expect(parseSettings(from({}))).toEqual(DEFAULT_SETTINGS);
  expect(
    parseSettings(
      from({
        'run.timeoutSeconds': -1,
        'run.memoryLimitMb': 10,
        'capture.policy': 'some',
        'capture.flow': true,
        'inlineGradients.enabled': 'yes',
        'inlineGradients.placement': 'end',
        'python.path': 3,
        'run.args': ['--a', 1],
        'run.directory': 'home',
        'capturePoints.maxHits': 0,
        'graph.direction': 'sideways',
      }),
    ),
  ).toEqual(DEFAULT_SETTINGS);
  expect(parseSettings(from({ 'capturePoints.maxHits': 2.5 })).capturePointsMaxHits).toBe(20);
  expect(parseSettings(from({ 'capturePoints.maxHits': 3 })).capturePointsMaxHits).toBe(3);
  expect(parseSettings(from({ 'graph.direction': 'root-top' })).graphDirection).toBe('root-top');
  expect(parseSettings(from({ 'run.timeoutSeconds': Number.NaN })).timeoutSeconds).toBe(
    DEFAULT_SETTINGS.timeoutSeconds,
  );
});

test('settings become runner options', () => {
  const s = parseSettings(
    from({ 'run.timeoutSeconds': 0, 'run.memoryLimitMb': 1024, 'capture.policy': 'first' }),
  );
  expect(launchOptions('/ws/a.ts', s, place)).toEqual({
    script: '/ws/a.ts',
    cwd: '/ws',
    args: [],
    python: undefined,
    timeoutMs: undefined,
    maxMemoryMb: 1024,
    captureAt: 1,
    maxNodes: VIEW_MAX_NODES,
    flow: 'auto',
    stopAfter: undefined,
  });
  const py = parseSettings(from({ 'run.args': ['--steps', '1'] }));
  expect(launchOptions('/ws/t.py', py, { cwd: '/ws', python: '/usr/bin/python3' })).toMatchObject({
    cwd: '/ws',
    args: ['--steps', '1'],
    python: '/usr/bin/python3',
  });
  expect(launchOptions('/ws/t.py', py, { cwd: '/ws', args: ['--steps', '2'] }).args).toEqual([
    '--steps',
    '2',
  ]);
  const t = parseSettings(from({ 'run.timeoutSeconds': 2, 'capture.policy': 'last' }));
  expect(launchOptions('/ws/a.ts', t, place).timeoutMs).toBe(2000);
  expect(launchOptions('/ws/a.ts', t, place).captureAt).toBe('last');
  // Run backward captures every call so the one it stops after is among them.
  expect(launchOptions('/ws/a.ts', t, place, { file: '/ws/a.ts', line: 9 })).toMatchObject({
    captureAt: 'all',
    stopAfter: { file: '/ws/a.ts', line: 9 },
  });
});

test('a light capture asked for in full is captured at its index, whatever the policy', () => {
  const s = parseSettings(from({ 'capture.policy': 'first' }));
  expect(launchOptions('/ws/a.ts', s, place, undefined, 938).captureAt).toBe(938);
  expect(launchOptions('/ws/a.ts', DEFAULT_SETTINGS, place, undefined, 938).captureAt).toBe(938);
});
