// `npm start`: package the extension (after `npm run build`), install it into a local
// code-server (real VS Code, installed on first use by scripts/setup-code-server.sh) and open
// examples/ at a printed http://127.0.0.1:PORT address. Ctrl+C stops it.
//   PORT=8123 npm start   picks the port (default: the first free one from 8080)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const E2E = process.env.GRADLENS_E2E_DIR ?? join(ROOT, '.e2e');
const ENTRY = join(E2E, 'code-server/node_modules/code-server/out/node/entry.js');
const VSIX = join(E2E, 'gradlens.vsix');
const USER_DATA = join(E2E, 'user-data');
const EXTENSIONS = join(E2E, 'extensions');
const EXAMPLES = join(ROOT, 'examples');

function step(what, file, args, opts = {}) {
  console.log(`[gradlens] ${what}`);
  execFileSync(file, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
}

function portFree(port) {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

async function choosePort() {
  if (process.env.PORT) return Number(process.env.PORT);
  for (let p = 8080; p < 8180; p++) if (await portFree(p)) return p;
  throw new Error('no free port between 8080 and 8179; set PORT');
}

if (!existsSync(join(ROOT, 'dist/extension/extension.cjs')))
  step('building', process.execPath, ['scripts/build.mjs']);
// Says itself whether it had anything to install.
execFileSync('bash', ['scripts/setup-code-server.sh'], {
  cwd: ROOT,
  stdio: ['ignore', 'inherit', 'inherit'],
});
step('packaging the extension', process.execPath, [join(ROOT, 'scripts/package-vsix.mjs'), VSIX]);
mkdirSync(join(USER_DATA, 'User'), { recursive: true });
const settings = join(USER_DATA, 'User/settings.json');
if (!existsSync(settings)) {
  writeFileSync(
    settings,
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        // examples/ sits inside this git repository; do not ask about opening it.
        'git.openRepositoryInParentFolders': 'never',
      },
      null,
      2,
    ),
  );
}
step('installing the extension', process.execPath, [
  ENTRY,
  '--user-data-dir',
  USER_DATA,
  '--extensions-dir',
  EXTENSIONS,
  '--install-extension',
  VSIX,
  '--force',
]);

const port = await choosePort();
const child = spawn(
  process.execPath,
  [
    ENTRY,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    USER_DATA,
    '--extensions-dir',
    EXTENSIONS,
    '--disable-telemetry',
    '--disable-update-check',
    EXAMPLES,
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);

const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(EXAMPLES)}`;
for (let i = 0; i < 300; i++) {
  if (child.exitCode !== null) process.exit(child.exitCode);
  try {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
  } catch {
    /* not listening yet */
  }
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`\nGradlens is running in VS Code (code-server). Open:\n\n    ${url}\n`);
console.log(
  'Trust the folder when asked (scripts run only in trusted workspaces), open an example and',
);
console.log(
  'run "Gradlens: Visualize Graph" from the command palette (F1) or the editor title button. Ctrl+C stops.',
);

const stop = () => child.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code) => process.exit(code ?? 0));
