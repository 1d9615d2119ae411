// Pause, resume and stop act on a real child process (a tight synchronous loop that cannot
// read IPC), the way the monitor drives the runner's child.
import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { RunControl } from '../../src/extension/monitor/control';

/** A child that prints a counter from a busy loop; `done` settles when it exits. */
function busyChild() {
  // stdout to a pipe is synchronous on POSIX, so the loop never yields and still reports.
  const loop = `let i = 0, t = Date.now(); for (;;) { if (Date.now() - t >= 20) { t = Date.now(); process.stdout.write((++i) + '\\n'); } }`;
  const child = spawn(process.execPath, ['-e', loop], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (t: string) => {
    const n = t.trim().split('\n').pop();
    if (n) last = Number(n);
  });
  const done = new Promise<{ signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (_c, signal) => res({ signal })),
  );
  return {
    child,
    done,
    counter: () => last,
    handle: { done, cancel: () => void child.kill('SIGKILL') },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(f: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await sleep(20);
  }
}

test.skipIf(process.platform === 'win32')(
  'pause freezes the child, resume lets it go on, stop kills it while paused',
  async () => {
    const c = busyChild();
    const control = new RunControl(c.handle);
    expect(control.pause()).toBe(false); // no pid yet: nothing to signal
    control.setPid(c.child.pid!);
    await until(() => c.counter() >= 3);

    expect(control.pause()).toBe(true);
    expect(control.status).toBe('paused');
    await sleep(150); // output already in the pipe may still arrive
    const frozen = c.counter();
    await sleep(400);
    expect(c.counter()).toBe(frozen);

    expect(control.resume()).toBe(true);
    await until(() => c.counter() > frozen + 2);

    expect(control.pause()).toBe(true);
    control.stop();
    const { signal } = await c.done;
    expect(signal).toBe('SIGKILL');
    await sleep(0);
    expect(control.status).toBe('ended');
    expect(control.pause()).toBe(false); // the pid may be reused now: never signalled again
  },
);
