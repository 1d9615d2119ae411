// Scripts that attack the runner's channel and process control, run for real: whatever they
// do, the host neither throws nor hangs, says what happened once, and keeps what was captured.
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { launchRunner, type LaunchOptions, type RunResult } from '../../src/runner/launch';
import { goneWithin } from '../helpers/process';
import { FIXTURES, ensureBuilt } from './helpers';

const HOSTILE = path.join(FIXTURES, '..', 'hostile');

beforeAll(ensureBuilt);

async function run(
  script: string,
  options: Partial<LaunchOptions> = {},
): Promise<RunResult & { stdout: string }> {
  let stdout = '';
  const h = launchRunner(
    { script, cwd: HOSTILE, timeoutMs: 60_000, ...options },
    { onStdout: (t) => (stdout += t) },
  );
  return { ...(await h.done), stdout };
}

const protocolErrors = (r: RunResult): string[] =>
  r.errors.filter((e) => e.kind === 'protocol').map((e) => e.message);

describe('the channel cannot be corrupted', () => {
  it('garbage on every inherited fd is reported once and skipped; both graphs arrive', async () => {
    const r = await run('garbage-every-fd.ts');
    expect(r.stdout).toContain('garbage without a newline');
    expect(r.stdout).toContain('still running after the garbage');
    expect(r.snapshots.map((s) => s.index)).toEqual([1, 2]);
    // The fake run/done is not a frame: the real one counts.
    expect(r.backwardCount).toBe(2);
    const p = protocolErrors(r);
    expect(p[0]).toMatch(/^ignored \d+ byte\(s\) on the runner's channel that were not a message/);
    expect(p.some((m) => m.includes('malformed message'))).toBe(true);
    expect(p.length).toBeLessThanOrEqual(4);
  });

  it('a frame far over the size limit is dropped without being held, and the run goes on', async () => {
    const r = await run('oversize-frame.ts');
    expect(protocolErrors(r)[0]).toMatch(/^dropped a message of \d+ bytes/);
    expect(r.snapshots).toHaveLength(1);
    expect(r.backwardCount).toBe(1);
  });

  it('well-framed messages with wrong fields are rejected with where the problem is', async () => {
    const r = await run('wrong-fields.ts');
    expect(r.ok).toBe(false);
    const p = protocolErrors(r);
    expect(p[0]).toContain(
      'rejected a message from the runner: malformed message at message.snapshot',
    );
    expect(p[1]).toContain('1 more malformed message');
    expect(r.snapshots).toHaveLength(1);
  });

  it('a script that closes the channel: what was sent stays, and the end is explained', async () => {
    const r = await run('closes-channel.ts');
    expect(r.stdout).toContain('went on after closing fd 3');
    expect(r.snapshots).toHaveLength(1);
    expect(r.errors.map((e) => e.message).join('\n')).toContain(
      "runner's channel closed before the run finished",
    );
  });

  it('process.exit in the middle of the script still delivers its graph and exit code', async () => {
    const r = await run('exits-early.ts');
    expect(r.snapshots).toHaveLength(1);
    expect(r.exitCode).toBe(3);
    expect(r.backwardCount).toBe(1);
  });
});

describe('process control', () => {
  it('a process the script started is ended with the run', async () => {
    const r = await run('forks-and-leaves.ts');
    const pid = Number(/sleeper (\d+)/.exec(r.stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(r.ok).toBe(true);
    expect(await goneWithin(pid, 5000)).toBe(true);
  });

  it('a script that ignores SIGTERM is stopped by the timeout and by cancel', async () => {
    // Long enough for a cold runner on a loaded machine to reach the script's backward().
    const timed = await run('ignores-sigterm.ts', { timeoutMs: 8000 });
    expect(timed.errors.map((e) => e.kind)).toEqual(['timeout']);
    expect(timed.snapshots).toHaveLength(1);
    let out = '';
    const h = launchRunner(
      { script: 'ignores-sigterm.ts', cwd: HOSTILE },
      { onStdout: (t) => (out += t) },
    );
    while (!out.includes('looping forever')) await new Promise((res) => setTimeout(res, 50));
    h.cancel();
    const r = await h.done;
    expect(r.cancelled).toBe(true);
    expect(r.errors).toEqual([]);
    expect(r.snapshots).toHaveLength(1);
  });

  it('Run backward stops at the first call of its line inside an endless loop', async () => {
    const script = path.join(HOSTILE, 'stop-in-loop.ts');
    const r = await run('stop-in-loop.ts', { stopAfter: { file: script, line: 9 } });
    expect(r.ok).toBe(true);
    expect(r.backwardCount).toBe(1);
    expect(r.snapshots.map((s) => s.index)).toEqual([1]);
    expect(r.snapshots[0].detail).toBe('full');
    expect(r.stdout).not.toContain('after backward');
  });
});
