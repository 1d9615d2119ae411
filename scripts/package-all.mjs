// Packages the extension for every VS Code target into dist-vsix/, from this one machine.
// The runner transpiles user scripts with esbuild, whose binary is native, so each package
// carries the binary of its own platform: the @esbuild/<platform> package of the version in
// package-lock.json, fetched from the npm registry (`npm pack`) and checked against the lock's
// integrity, then laid into a staged copy of the extension that vsce packages for that target.
// Usage: node scripts/package-all.mjs [out-dir]   (`npm run package:all`; run the build first)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runVsce } from './package-vsce.mjs';

/** VS Code's target names with the esbuild package holding that platform's binary. */
const TARGETS = {
  'win32-x64': '@esbuild/win32-x64',
  'win32-arm64': '@esbuild/win32-arm64',
  'darwin-x64': '@esbuild/darwin-x64',
  'darwin-arm64': '@esbuild/darwin-arm64',
  'linux-x64': '@esbuild/linux-x64',
  'linux-arm64': '@esbuild/linux-arm64',
};

/** What of the repository the extension is made of; .vscodeignore then picks the files. */
const EXTENSION_PARTS = [
  'package.json',
  '.vscodeignore',
  'CHANGELOG.md',
  'MARKETPLACE.md',
  'dist',
  'media',
  'examples',
  'python',
  'node_modules/esbuild/package.json',
  'node_modules/esbuild/lib',
  'node_modules/esbuild/LICENSE.md',
  'node_modules/gradlens-typescript-plugin',
];

const CACHE = join(ROOT, 'node_modules/.cache/gradlens-esbuild');

const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));

/** The lock's entry of an installed package: its version and the integrity of its tarball. */
function locked(name) {
  const entry = lock.packages[`node_modules/${name}`];
  if (entry?.version === undefined || entry.integrity === undefined)
    throw new Error(`${name} is not in package-lock.json`);
  return { version: entry.version, integrity: entry.integrity };
}

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/** The tarball of `name` at its locked version, from the cache or else the registry. */
function binaryTarball(name) {
  const { version, integrity } = locked(name);
  const file = join(CACHE, `${name.slice(1).replace('/', '-')}-${version}.tgz`);
  if (!existsSync(file) || integrityOf(file) !== integrity) {
    mkdirSync(CACHE, { recursive: true });
    execFileSync('npm', ['pack', `${name}@${version}`, '--pack-destination', CACHE, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      shell: process.platform === 'win32',
    });
  }
  if (integrityOf(file) !== integrity)
    throw new Error(`${file} does not match the integrity package-lock.json gives for ${name}`);
  return file;
}

/** A copy of the extension with `binaryPackage` as the only esbuild binary in its node_modules. */
function stage(binaryPackage) {
  const dir = mkdtempSync(join(tmpdir(), 'gradlens-package-'));
  for (const part of EXTENSION_PARTS)
    cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  const into = join(dir, 'node_modules', binaryPackage);
  mkdirSync(into, { recursive: true });
  // npm tarballs hold their files under package/.
  execFileSync('tar', ['-xzf', binaryTarball(binaryPackage), '-C', into, '--strip-components=1']);
  return dir;
}

/** Packages one target from a staged copy of the extension, which it then removes. */
async function packageTarget(target, binaryPackage, out) {
  const dir = stage(binaryPackage);
  try {
    await runVsce(dir, target, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const outDir = process.argv[2] ?? join(ROOT, 'dist-vsix');
  if (!existsSync(join(ROOT, 'dist/runner/child.cjs')))
    throw new Error('dist/ is missing: run npm run build first');
  mkdirSync(outDir, { recursive: true });
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  // Side by side: most of a package's time is vsce waiting on npm and on the zip stream.
  await Promise.all(
    Object.entries(TARGETS).map(async ([target, binaryPackage]) => {
      const out = join(outDir, `gradlens-${target}-${version}.vsix`);
      await packageTarget(target, binaryPackage, out);
      console.log(out);
    }),
  );
}

await main();
