// Packages the extension with its production dependencies into a .vsix for this machine's
// platform: esbuild, which the runner loads at run time to transpile user scripts, ships a
// native binary, so the package says which platform it is for (`vsce --target`) and VS Code
// refuses it elsewhere instead of failing at the first run.
// Usage: node scripts/package-vsix.mjs [out.vsix]   (used by `npm run package`, `npm start`, the e2e setup)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** VS Code's target names are Node's platform and arch joined (linux-x64, darwin-arm64, win32-x64, ...). */
const TARGET = `${process.platform}-${process.arch}`;

// vsce points relative image links at the repository; without one it refuses them, so they stay
// relative and VS Code shows the images from the installed extension (media/ ships in it).
const hasRepository =
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).repository !== undefined;

const out = process.argv[2];
execFileSync(
  process.execPath,
  [
    join(ROOT, 'node_modules/@vscode/vsce/vsce'),
    'package',
    '--target',
    TARGET,
    '--allow-missing-repository',
    '--skip-license',
    '--readme-path',
    'MARKETPLACE.md',
    ...(hasRepository ? [] : ['--no-rewrite-relative-links']),
    ...(out === undefined ? [] : ['-o', out]),
  ],
  { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
);
