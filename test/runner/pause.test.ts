// Pause and resume through the runner's channel, for real children in synchronous loops that
// never yield: a TS loop of tensor ops and a pure-Python loop. No signal is involved, so the
// same code path serves Windows.
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { RunControl } from '../../src/extension/monitor/control';
import { launchRunner, type RunHandle } from '../../src/runner/launch';
import type { RunnerMessage } from '../../src/protocol/messages';
import { FIXTURES, ensureBuilt } from './helpers';

const PAUSE = path.join(FIXTURES, '..', 'pause');
const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';

beforeAll(ensureBuilt);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(f: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`not reached: ${what}`);
    await sleep(20);
  }
}

/** A running loop script: its printed counter and the control messages it sent. */
function start(script: string): { handle: RunHandle; counter: () => number; said: string[] } {
  let last = 0;
  const said: string[] = [];
  const handle = launchRunner(
    { script, cwd: PAUSE, python: PYTHON, timeoutMs: 120_000 },
    {
      onStdout: (t) => {
        const n = t.trim().split('\n').pop();
        if (n !== undefined && n !== '') last = Number(n);
      },
      onMessage: (m: RunnerMessage) => {
        if (m.type === 'run/paused' || m.type === 'run/resumed') said.push(m.type);
      },
    },
  );
  return { handle, counter: () => last, said };
}

describe.each([['tensor-loop.ts'], ['python_loop.py']])('%s', (script) => {
  test('pause holds the loop, resume lets it go on, stop ends it while paused', async () => {
    const run = start(script);
    const control = new RunControl(run.handle);
    expect(control.pause()).toBe(false); // not started: nothing can take the request
    await until(() => run.handle.pid !== null, 'hello');
    control.setPid(run.handle.pid!);
    await until(() => run.counter() >= 3, 'the loop prints');

    expect(control.pause()).toBe(true);
    await until(() => run.said.includes('run/paused'), 'run/paused');
    await sleep(150); // output already in the pipe may still arrive
    const held = run.counter();
    await sleep(500);
    expect(run.counter()).toBe(held);

    expect(control.resume()).toBe(true);
    await until(() => run.said.includes('run/resumed'), 'run/resumed');
    await until(() => run.counter() > held + 2, 'the loop goes on');

    expect(control.pause()).toBe(true);
    await until(() => run.said.filter((s) => s === 'run/paused').length === 2, 'second pause');
    control.stop();
    const result = await run.handle.done;
    expect(result.cancelled).toBe(true);
    await sleep(0);
    expect(control.status).toBe('ended');
    expect(control.pause()).toBe(false);
  });
});
