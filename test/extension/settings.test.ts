import { expect, test } from 'vitest';
import { DEFAULT_SETTINGS, VIEW_MAX_NODES, launchOptions, parseSettings } from '../../src/extension/settings';

const from = (o: Record<string, unknown>) => (k: string) => o[k];

test('valid settings are taken as given', () => {
  expect(parseSettings(from({ 'run.timeoutSeconds': 5, 'run.memoryLimitMb': 512.7, 'capture.policy': 'first', 'inlineGradients.enabled': false })))
    .toEqual({ timeoutSeconds: 5, memoryLimitMb: 512, capturePolicy: 'first', inlineGradients: false });
});

test('missing or bad values fall back to the defaults', () => {
  expect(parseSettings(from({}))).toEqual(DEFAULT_SETTINGS);
  expect(parseSettings(from({ 'run.timeoutSeconds': -1, 'run.memoryLimitMb': 10, 'capture.policy': 'some', 'inlineGradients.enabled': 'yes' }))).toEqual(DEFAULT_SETTINGS);
  expect(parseSettings(from({ 'run.timeoutSeconds': Number.NaN })).timeoutSeconds).toBe(DEFAULT_SETTINGS.timeoutSeconds);
});

test('settings become runner options', () => {
  const s = parseSettings(from({ 'run.timeoutSeconds': 0, 'run.memoryLimitMb': 1024, 'capture.policy': 'first' }));
  expect(launchOptions('/ws/a.ts', s)).toEqual({ script: '/ws/a.ts', timeoutMs: undefined, maxMemoryMb: 1024, captureAt: 1, maxNodes: VIEW_MAX_NODES, stopAfter: undefined });
  const t = parseSettings(from({ 'run.timeoutSeconds': 2, 'capture.policy': 'last' }));
  expect(launchOptions('/ws/a.ts', t).timeoutMs).toBe(2000);
  expect(launchOptions('/ws/a.ts', t).captureAt).toBe('last');
  // Run backward captures every call so the one it stops after is among them.
  expect(launchOptions('/ws/a.ts', t, { file: '/ws/a.ts', line: 9 })).toMatchObject({ captureAt: 'all', stopAfter: { file: '/ws/a.ts', line: 9 } });
});

test('a light capture asked for in full is captured at its index, whatever the policy', () => {
  const s = parseSettings(from({ 'capture.policy': 'first' }));
  expect(launchOptions('/ws/a.ts', s, undefined, 938).captureAt).toBe(938);
  expect(launchOptions('/ws/a.ts', DEFAULT_SETTINGS, undefined, 938).captureAt).toBe(938);
});
