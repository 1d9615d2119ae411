// Soak: many runs of Visualize Graph in one VS Code window, cycling through a good TypeScript
// script, a script that throws, a good PyTorch script and an endless training loop that is
// stopped (by the Stop command and by the progress notification's Cancel, in turn). Each
// run's outcome (Output channel) and view (graph or failure) is checked; at the end no runner
// process is left but the one spare the extension keeps, none after the window closes, and
// the extension host's memory has not grown beyond a bound.
//
// GRADLENS_SOAK_RUNS sets the number of runs (default 24); `npm run test:soak` runs 200.
// The figures go to test-artifacts/soak.json.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EXTENSIONS_DIR, ROOT } from './harness/code-server';
import { extensionHostPid, rssMb, runnerProcesses, type ProcessInfo } from './harness/processes';
import {
  ARTIFACTS,
  closeSession,
  notification,
  openInFirstGroup,
  openSession,
  runCommand,
  webviewFrame,
  type Session,
  waitForActivation,
} from './harness/workbench';
import { makeWorkspace } from './workspace';

const RUNS = Number(process.env.GRADLENS_SOAK_RUNS ?? '24');
const PYTHON = process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3';
/**
 * Allowed growth of the extension host's resident size from the end of the first cycle (every
 * kind of run done once, so every code path is loaded) to the end. A run leaves behind its
 * file's last snapshots (kilobytes for these scripts) and Output channel text; what does grow
 * is V8's heap between collections, which a 1 GB extension host lets reach tens of MB before
 * it collects. A leak of a run's child handles, buffers or listeners per run goes past this
 * within a couple of hundred runs; see the figures in test-artifacts/soak.json.
 */
const RSS_GROWTH_MB = Number(process.env.GRADLENS_SOAK_RSS_MB ?? '80');

const LOOP = `import * as torch from 'gradlens';

const w = torch.tensor([0.5], { requiresGrad: true });
console.log('soak loop running');
for (;;) {
  const loss = w.mul(3).sub(1).pow(2).sum();
  loss.backward();
  w.grad!.zero_();
}
`;

interface Kind {
  readonly file: string;
  /** What the Output channel says of the run: `[gradlens] <outcome> after`. */
  readonly outcome: 'finished' | 'failed' | 'stopped by the user';
  /** The painted graph's title, or the failure view's message. */
  readonly shows: { readonly graph: string } | { readonly failure: string };
}

const CYCLE: readonly Kind[] = [
  { file: 'linear.ts', outcome: 'finished', shows: { graph: 'linear.ts: backward() #1' } },
  {
    file: 'throws.ts',
    outcome: 'failed',
    shows: { failure: 'throws.ts threw (line 4): Error: size mismatch' },
  },
  {
    file: 'retain_grad.py',
    outcome: 'finished',
    shows: { graph: 'retain_grad.py: backward() #1' },
  },
  {
    file: 'soak_loop.ts',
    outcome: 'stopped by the user',
    // Stopped in its loop: the last of the graphs captured in full before the loop repeated.
    shows: { graph: 'soak_loop.ts: backward() #' },
  },
];

let session: Session;
let page: Page;
const ws = makeWorkspace();

beforeAll(async () => {
  copyFileSync(join(ROOT, 'examples/python/retain_grad.py'), join(ws.dir, 'retain_grad.py'));
  writeFileSync(join(ws.dir, 'soak_loop.ts'), LOOP);
  session = await openSession({
    workspace: ws.dir,
    disableWorkspaceTrust: true,
    settings: { 'gradlens.run.timeoutSeconds': 120, 'gradlens.python.path': PYTHON },
  });
  page = session.page;
  await waitForActivation(page);
});

afterAll(async () => {
  await closeSession(session);
  ws.remove();
});

/** The Gradlens Output channel's text, from its log file. */
function outputChannel(): string {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/Gradlens\.log$/.test(e.name)) found.push(readFileSync(p, 'utf8'));
    }
  };
  walk(join(session.server.userDataDir, 'logs'));
  return found.join('\n');
}

function outcomes(): string[] {
  return [
    ...outputChannel().matchAll(/\[gradlens\] (finished|failed|stopped by the user) after/g),
  ].map((m) => m[1]);
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

interface ViewState {
  readonly state: string;
  readonly title: string;
  readonly paints: number;
  readonly failure: string;
}

async function viewState(frame: Frame): Promise<ViewState> {
  return frame.evaluate(() => {
    const app = document.getElementById('app');
    return {
      state: app?.dataset.state ?? '',
      title: document.getElementById('graph-title')?.textContent ?? '',
      paints: Number(app?.dataset.paints ?? '0'),
      failure: document.getElementById('failure-message')?.textContent ?? '',
    };
  });
}

/** The graph view's frame (found again if its page was rebuilt). */
async function graphFrame(): Promise<Frame> {
  return webviewFrame(page, '#app[data-gradlens="graph-view"]');
}

/** Stops the running loop: by the Stop command, or every other time by the notification's Cancel. */
async function stopLoop(run: number): Promise<void> {
  const loops = Math.floor(run / CYCLE.length) + 1;
  await expect
    .poll(() => count(outputChannel(), 'soak loop running'), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(loops);
  if (loops % 2 === 1) {
    await runCommand(page, 'Gradlens: Stop the Running Script');
    return;
  }
  await notification(page, 'running soak_loop.ts');
  await page
    .locator('.notification-toast', { hasText: 'running soak_loop.ts' })
    .locator('.monaco-button', { hasText: 'Cancel' })
    .first()
    .click();
}

async function visualize(run: number, kind: Kind): Promise<void> {
  const frame = run === 0 ? null : await graphFrame();
  const before = frame === null ? null : await viewState(frame);
  const ended = outcomes().length;
  await openInFirstGroup(page, kind.file);
  await runCommand(page, 'Gradlens: Visualize Graph');
  if (kind.outcome === 'stopped by the user') await stopLoop(run);
  await expect.poll(() => outcomes().length, { timeout: 120_000 }).toBe(ended + 1);
  expect(outcomes().at(-1), `run ${run} (${kind.file})`).toBe(kind.outcome);
  const shows = kind.shows;
  const right = (v: ViewState): boolean =>
    'failure' in shows
      ? v.state === 'failed' && v.failure.includes(shows.failure)
      : v.state === 'painted' && v.title.includes(shows.graph) && v.paints > (before?.paints ?? 0);
  await expect
    .poll(async () => viewState(await graphFrame()), {
      timeout: 60_000,
      message: `run ${run} (${kind.file}) shows ${JSON.stringify(shows)}`,
    })
    .toSatisfy(right);
}

/** Runner processes left of the extension's, as trees: a spare is a runner and its esbuild service. */
function runnerTrees(): { roots: ProcessInfo[]; all: ProcessInfo[] } {
  const all = runnerProcesses(EXTENSIONS_DIR);
  return { roots: all.filter((p) => !all.some((q) => q.pid === p.ppid)), all };
}

test(
  `${RUNS} runs in one window: each outcome right, no runner left, memory flat`,
  { timeout: 120_000 + RUNS * 45_000 },
  async () => {
    const host = await extensionHostPid(session.server.pid);
    const samples: { run: number; rssMb: number; runners: number; at: string }[] = [];
    // Written at every sample, so a long soak stopped early still leaves its figures.
    const sample = (run: number): void => {
      samples.push({
        run,
        rssMb: Math.round(rssMb(host) ?? NaN),
        runners: runnerTrees().roots.length,
        at: new Date().toISOString(),
      });
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(
        join(ARTIFACTS, 'soak.json'),
        JSON.stringify({ runs: RUNS, boundMb: RSS_GROWTH_MB, samples }, null, 2),
      );
    };
    sample(0);
    for (let run = 0; run < RUNS; run++) {
      await visualize(run, CYCLE[run % CYCLE.length]);
      if ((run + 1) % CYCLE.length === 0 || run === RUNS - 1) sample(run + 1);
    }
    // The extension keeps one runner waiting for the next run; nothing else may be left.
    const left = runnerTrees();
    expect(left.roots.length, JSON.stringify(left.all)).toBeLessThanOrEqual(1);
    expect(
      left.roots.every((p) => p.ppid === host),
      JSON.stringify(left.all),
    ).toBe(true);

    const start = samples.find((s) => s.run >= CYCLE.length) ?? samples[0];
    const end = samples[samples.length - 1];
    console.log(
      `soak: ${RUNS} runs, extension host RSS ${start.rssMb} MB after run ${start.run}, ${end.rssMb} MB at the end; runner processes left: ${left.all.length} (the spare)`,
    );
    expect(end.rssMb - start.rssMb).toBeLessThan(RSS_GROWTH_MB);

    // The spare ends with the window.
    await closeSession(session);
    await expect.poll(() => runnerTrees().all.length, { timeout: 15_000 }).toBe(0);
  },
);
