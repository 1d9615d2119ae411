// The bench's row watchdog (bench/row-watchdog.ts) in real processes: a phase that hangs, with
// the main thread spinning or with its event loop free, is named with what the processes did,
// and the bench and what it started end; phases that finish leave the bench alone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { goneWithin } from '../helpers/process';

const ROOT = path.join(__dirname, '..', '..');

/** Runs `body` after a watchdog named 'probe' with `limitMs` has started and a detached child of `node -e` was spawned. */
function runBench(body: string, limitMs: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-watchdog-'));
  const entry = path.join(dir, 'probe.ts');
  writeFileSync(
    entry,
    `import { spawn } from 'node:child_process';
import { startRowWatchdog } from ${JSON.stringify(path.join(ROOT, 'bench', 'row-watchdog'))};
const watchdog = startRowWatchdog('probe', ${limitMs});
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
child.unref();
console.log(child.pid);
${body}
`,
  );
  const outfile = path.join(dir, 'probe.mjs');
  esbuild.buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'error',
  });
  const r = spawnSync(process.execPath, [outfile], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 50_000,
    killSignal: 'SIGKILL',
  });
  rmSync(dir, { recursive: true, force: true });
  return { ...r, childPid: Number(r.stdout.trim().split('\n')[0]) };
}

describe.runIf(process.platform === 'linux')('row watchdog', () => {
  it('names a phase whose main thread spins, says its event loop stood still, and ends the bench and its child', async () => {
    const r = runBench(
      `watchdog.enter('warm-up, round 1');
await new Promise((r) => setTimeout(r, 100));
watchdog.enter('spinning, round 2');
for (;;) {}`,
      1000,
    );
    expect(r.signal, r.stderr).toBe('SIGTERM');
    expect(r.stderr).toContain('probe: "spinning, round 2" has not finished after 1 s');
    expect(r.stderr).toMatch(/the bench \(main thread \d+ % CPU, its event loop turned 0 times/);
    // The child may still be starting (R) or already waiting on its timer (S).
    expect(r.stderr).toMatch(
      new RegExp(
        `pid ${r.childPid} [RS] \\d+ % CPU, read \\d+ kB, wrote \\d+ kB, wait [^,]+, parent`,
      ),
    );
    // The watchdog kills it just before the bench ends: it may take a moment to exit.
    expect(await goneWithin(r.childPid, 5000)).toBe(true);
  });

  it('tells a phase that waits forever with its event loop free from a spinning one', async () => {
    const r = runBench(
      `watchdog.enter('waiting, round 1');
await new Promise((r) => setInterval(() => undefined, 1000));`,
      1000,
    );
    expect(r.signal, r.stderr).toBe('SIGTERM');
    expect(r.stderr).toContain('probe: "waiting, round 1" has not finished after 1 s');
    expect(r.stderr).toMatch(/its event loop turned [1-9]\d* times/);
    // The watchdog kills it just before the bench ends: it may take a moment to exit.
    expect(await goneWithin(r.childPid, 5000)).toBe(true);
  });

  it('leaves a bench whose phases finish alone', () => {
    const r = runBench(
      `for (let i = 0; i < 3; i++) {
  watchdog.enter(\`short, round \${i + 1}\`);
  await new Promise((r) => setTimeout(r, 50));
}
watchdog.stop();
process.kill(child.pid!, 'SIGKILL');`,
      20_000,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
