// Runs the Python tracer's pytest suite with an interpreter that has torch and pytest:
// GRADLENS_TEST_PYTHON, else Debian's /usr/bin/python3 (another python3 may come first on
// PATH without torch), else python3. Fails, never skips, when none has them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const candidates = [process.env.GRADLENS_TEST_PYTHON, '/usr/bin/python3', 'python3'].filter(
  (p) => p !== undefined && p !== '',
);

function hasTorchAndPytest(python) {
  if (python.includes('/') && !existsSync(python)) return false;
  return spawnSync(python, ['-c', 'import torch, pytest'], { stdio: 'ignore' }).status === 0;
}

const python = candidates.find(hasTorchAndPytest);
if (python === undefined) {
  console.error(
    `no Python with torch and pytest among ${candidates.join(', ')}: install python3-torch and python3-pytest (Debian) or set GRADLENS_TEST_PYTHON`,
  );
  process.exit(1);
}
const r = spawnSync(python, ['-m', 'pytest', '-q', ...process.argv.slice(2)], {
  cwd: join(ROOT, 'python'),
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
