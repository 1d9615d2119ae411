// Runs npm scripts at the same time, each one's output printed whole when it ends; fails if
// any fails. `npm test` runs its static checks so (type check, lint, format check): each is
// one single-threaded process, so one after the other they left a core idle.
// Usage: node scripts/run-parallel.mjs SCRIPT...
import { spawn } from 'node:child_process';

/** `npm run <name>`; resolves with its exit status and its output. */
function npmRun(name) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ status: 1, output: `${output}${String(e)}\n` }));
    child.on('close', (status) => resolve({ status: status ?? 1, output }));
  });
}

const names = process.argv.slice(2);
const failed = [];
await Promise.all(
  names.map(async (name) => {
    const { status, output } = await npmRun(name);
    process.stdout.write(output);
    if (status !== 0) failed.push(name);
  }),
);
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
