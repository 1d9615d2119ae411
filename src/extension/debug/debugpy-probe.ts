// Whether an interpreter can run debugpy's adapter: `python -c "import debugpy"`. No `vscode`:
// tested against real interpreters.
import { execFile } from 'node:child_process';
import type { DebugpyProbe } from './python-config';

// A cold interpreter on a loaded machine takes seconds to import debugpy.
const PROBE_TIMEOUT_MS = 30_000;

export function probeDebugpy(python: string): Promise<DebugpyProbe> {
  return new Promise((resolve) => {
    execFile(python, ['-c', 'import debugpy'], { timeout: PROBE_TIMEOUT_MS }, (err) => {
      if (err === null) resolve('importable');
      else resolve((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no interpreter' : 'missing');
    });
  });
}
