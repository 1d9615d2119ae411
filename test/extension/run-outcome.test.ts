// A user's Stop or Cancel is reported calmly, the same way from the monitor and the progress notification.
import { expect, test } from 'vitest';
import { noticeMessage, runOutcome } from '../../src/extension/run-outcome';
import type { RunError, TrainMetric } from '../../src/protocol/messages';

const metric = (step: number): TrainMetric => ({
  step,
  loss: 0.5,
  timeMs: step,
  gradNorms: {},
  lr: null,
});
const ended = {
  ok: false,
  cancelled: false,
  errors: [] as RunError[],
  metrics: [] as TrainMetric[],
  snapshots: [] as never[],
};
const thrown: RunError = {
  kind: 'exception',
  message: 'Error: boom',
  stack: null,
  location: { file: '/ws/loop.ts', line: 3, column: 1 },
};

test('a stopped run says where it stopped, as information rather than an error', () => {
  expect(
    runOutcome({ ...ended, cancelled: true, metrics: [metric(1), metric(412)] }, 'loop.ts'),
  ).toEqual({ kind: 'stopped', message: 'Gradlens: stopped loop.ts at step 412.' });
  expect(runOutcome({ ...ended, cancelled: true }, 'loop.ts')).toEqual({
    kind: 'stopped',
    message: 'Gradlens: stopped loop.ts before its first backward().',
  });
});

test('a stopped run is a stop even when the killed child left an error behind', () => {
  expect(
    runOutcome(
      {
        ...ended,
        cancelled: true,
        errors: [
          {
            kind: 'crash',
            message: 'script was killed by SIGKILL before finishing',
            stack: null,
            location: null,
          },
        ],
      },
      'loop.ts',
    ).kind,
  ).toBe('stopped');
});

test('failures carry the notification text', () => {
  expect(runOutcome({ ...ended, errors: [thrown] }, 'loop.ts')).toEqual({
    kind: 'failed',
    message: 'Gradlens: loop.ts threw (line 3): Error: boom',
    errors: [thrown],
  });
  expect(runOutcome({ ...ended, ok: true }, 'loop.ts')).toEqual({ kind: 'finished' });
});

test('notices leave a finished run finished and are said in one line', () => {
  expect(runOutcome({ ...ended, ok: true }, 'train.py')).toEqual({ kind: 'finished' });
  expect(noticeMessage([], 'train.py')).toBeNull();
  const compiled = { kind: 'compiled', message: 'a compiled region shows as one node' } as const;
  const large = { kind: 'graph-too-large', message: 'backward() #1 was not captured' } as const;
  expect(noticeMessage([compiled], 'train.py')).toBe(
    'Gradlens: train.py: a compiled region shows as one node',
  );
  expect(noticeMessage([compiled, large], 'train.py')).toBe(
    'Gradlens: train.py: a compiled region shows as one node (1 more note(s) in the Output)',
  );
});
