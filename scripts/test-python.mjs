// Runs the Python tracer's pytest suite with an interpreter that has torch and pytest:
// GRADLENS_TEST_PYTHON, else Debian's /usr/bin/python3 (another python3 may come first on
// PATH without torch), else python3. Fails, never skips, when none has them.
//
// Without arguments the test files run one pytest each, as many at once as there are cores:
// a test spends most of its time in a runner child of its own (a fresh Python importing
// torch), so one pytest leaves a core idle. Arguments (`npm run test:python -- -k flow`) go to
// a single pytest over the whole suite.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON_DIR = join(ROOT, 'python');
const TESTS = join(PYTHON_DIR, 'tests');
const candidates = [process.env.GRADLENS_TEST_PYTHON, '/usr/bin/python3', 'python3'].filter(
  (p) => p !== undefined && p !== '',
);

function hasTorchAndPytest(python) {
  if (python.includes('/') && !existsSync(python)) return false;
  return spawnSync(python, ['-c', 'import torch, pytest'], { stdio: 'ignore' }).status === 0;
}

/** One pytest over `args`; resolves with its exit status and its output. */
function pytest(python, args) {
  return new Promise((resolve) => {
    const child = spawn(python, ['-m', 'pytest', '-q', ...args], { cwd: PYTHON_DIR });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (status) => resolve({ status: status ?? 1, output }));
  });
}

/**
 * Files that run a script per test over many scripts (every example, every gradcheck fixture):
 * the longest, started first so that none runs alone at the end.
 */
const LONG_FILES = ['test_examples.py', 'test_gradcheck.py'];

/** The test files: the long ones, then the others, largest first. */
function testFiles() {
  const files = readdirSync(TESTS)
    .filter((f) => /^test_.*\.py$/.test(f))
    .map((f) => ({ f, size: statSync(join(TESTS, f)).size }))
    .sort((a, b) => b.size - a.size)
    .map(({ f }) => f);
  const long = (f) => LONG_FILES.includes(f);
  return [...files.filter(long), ...files.filter((f) => !long(f))].map((f) => `tests/${f}`);
}

/** Runs every file in its own pytest, `jobs` at a time; prints each one's output as it ends. */
async function runFiles(python, files, jobs) {
  const queue = [...files];
  const failed = [];
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const { status, output } = await pytest(python, [file]);
      process.stdout.write(`== ${file}\n${output}`);
      if (status !== 0) failed.push(file);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));
  console.log(
    failed.length === 0
      ? `${files.length} test files passed`
      : `${failed.length} of ${files.length} test files failed: ${failed.join(', ')}`,
  );
  return failed.length === 0 ? 0 : 1;
}

const python = candidates.find(hasTorchAndPytest);
if (python === undefined) {
  console.error(
    `no Python with torch and pytest among ${candidates.join(', ')}: install python3-torch and python3-pytest (Debian) or set GRADLENS_TEST_PYTHON`,
  );
  process.exit(1);
}
const args = process.argv.slice(2);
if (args.length > 0) {
  const r = spawnSync(python, ['-m', 'pytest', '-q', ...args], {
    cwd: PYTHON_DIR,
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}
process.exit(await runFiles(python, testFiles(), availableParallelism()));
