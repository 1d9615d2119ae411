// Runs vsce to package the extension folder `cwd` for one VS Code target; shared by
// scripts/package-vsix.mjs (this machine's package) and scripts/package-all.mjs (every target).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages `cwd` (a folder holding package.json, dist/ and node_modules/) into `out`. */
export async function runVsce(cwd, target, out) {
  // vsce points relative image links at the repository; without one it refuses them, so they
  // stay relative and VS Code shows the images from the installed extension (media/ ships in it).
  const hasRepository =
    JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')).repository !== undefined;
  const vsce = promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'node_modules/@vscode/vsce/vsce'),
      'package',
      '--target',
      target,
      '--allow-missing-repository',
      '--skip-license',
      '--readme-path',
      'MARKETPLACE.md',
      ...(hasRepository ? [] : ['--no-rewrite-relative-links']),
      ...(out === undefined ? [] : ['-o', out]),
    ],
    { cwd },
  );
  vsce.child.stderr?.pipe(process.stderr);
  await vsce;
}
