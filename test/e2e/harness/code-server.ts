// Starts a real VS Code (code-server 4.100.3, installed by scripts/setup-code-server.sh) with the
// packaged extension installed. See /work/shared/notes/vscode-e2e.md for why code-server.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  writeFileSync,
  rmSync,
  existsSync,
  readdirSync,
  readFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');
export const E2E_DIR = process.env.GRADLENS_E2E_DIR ?? join(ROOT, '.e2e');
export const ENTRY = join(E2E_DIR, 'code-server/node_modules/code-server/out/node/entry.js');
export const VSIX = join(E2E_DIR, 'gradlens.vsix');
// Outside the repository on purpose: Node must not find the repo's node_modules from the
// installed extension, so the tests prove the .vsix carries what the runner needs (esbuild).
export const EXTENSIONS_DIR =
  process.env.GRADLENS_E2E_EXTENSIONS ?? join(tmpdir(), 'gradlens-e2e-extensions');

/** Installs code-server if missing, builds and packages the extension, installs the .vsix. */
export function prepareExtension(): void {
  execFileSync('bash', [join(ROOT, 'scripts/setup-code-server.sh')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  packageVsix(VSIX);
  rmSync(EXTENSIONS_DIR, { recursive: true, force: true });
  const userDataDir = mkdtempSync(join(tmpdir(), 'gradlens-install-'));
  execFileSync(
    process.execPath,
    [
      ENTRY,
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      EXTENSIONS_DIR,
      '--install-extension',
      VSIX,
    ],
    { stdio: 'inherit' },
  );
  rmSync(userDataDir, { recursive: true, force: true });
}

/** Packages the extension for this platform (scripts/package-vsix.mjs, as `npm start` does). */
export function packageVsix(out: string): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/package-vsix.mjs'), out], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

export interface CodeServer {
  readonly url: string;
  /** code-server's own process; the extension host and the runners descend from it. */
  readonly pid: number;
  readonly userDataDir: string;
  readonly workspace: string;
  /** Extension-host log text, for failure messages. */
  exthostLog(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly workspace: string;
  /** Tests pass true except the one that checks the untrusted workspace. */
  readonly disableWorkspaceTrust: boolean;
  readonly settings?: Record<string, unknown>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  // Gradlens offers its walkthrough on first run; test/e2e/onboarding.test.ts turns this back on.
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'security.workspace.trust.startupPrompt': 'never',
  'git.enabled': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'editor.hover.delay': 200,
};

export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  const port = await freePort();
  const userDataDir = mkdtempSync(join(tmpdir(), 'gradlens-vscode-'));
  const settings = JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2);
  // code-server is a remote window: machine-scoped settings (such as
  // workbench.welcomePage.walkthroughs.openOnInstall) are read from the server's Machine
  // settings only, and the User file's values for them are ignored.
  for (const scope of ['User', 'Machine']) {
    mkdirSync(join(userDataDir, scope), { recursive: true });
    writeFileSync(join(userDataDir, scope, 'settings.json'), settings);
  }
  const args = [
    ENTRY,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    EXTENSIONS_DIR,
    '--disable-telemetry',
    '--disable-update-check',
    '--ignore-last-opened',
  ];
  if (opts.disableWorkspaceTrust) args.push('--disable-workspace-trust');
  args.push(opts.workspace);
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child, () => log);
  return {
    url,
    pid: child.pid ?? -1,
    userDataDir,
    workspace: opts.workspace,
    exthostLog: () => readExthostLog(userDataDir),
    stop: () =>
      stopProcess(child).then(() =>
        // code-server's last writes may still land while the folder goes.
        rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5 }),
      ),
  };
}

async function waitForHttp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null)
      throw new Error(`code-server exited (${child.exitCode}):\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer at ${url}:\n${log()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });
}

function readExthostLog(userDataDir: string): string {
  const logs = join(userDataDir, 'logs');
  if (!existsSync(logs)) return '';
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/exthost|Gradlens/i.test(p) && e.name.endsWith('.log')) {
        try {
          out.push(`== ${p}\n${readFileSync(p, 'utf8')}`);
        } catch {
          /* rotated */
        }
      }
    }
  };
  walk(logs);
  return out.join('\n');
}
