// `npm run package:all` on this machine: one .vsix per VS Code target, each carrying the
// extension and the esbuild binary of its own platform and of no other.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryKind } from './native-binary';
import { readZip, type ZipEntry } from './zip';

const ROOT = join(__dirname, '..', '..');

const TARGETS = [
  { target: 'win32-x64', os: 'win32', cpu: 'x64', binary: 'esbuild.exe' },
  { target: 'win32-arm64', os: 'win32', cpu: 'arm64', binary: 'esbuild.exe' },
  { target: 'darwin-x64', os: 'darwin', cpu: 'x64', binary: 'bin/esbuild' },
  { target: 'darwin-arm64', os: 'darwin', cpu: 'arm64', binary: 'bin/esbuild' },
  { target: 'linux-x64', os: 'linux', cpu: 'x64', binary: 'bin/esbuild' },
  { target: 'linux-arm64', os: 'linux', cpu: 'arm64', binary: 'bin/esbuild' },
] as const;

const version = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const esbuildVersion = (
  JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string }>;
  }
).packages['node_modules/esbuild'].version;

let outDir = '';

// Asynchronously: a worker blocked for the whole packaging misses vitest's own calls.
beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'gradlens-vsix-'));
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/package-all.mjs'), outDir]);
}, 240_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

const text = (entry: ZipEntry | undefined): string => entry?.read().toString('utf8') ?? '';

it('writes one package per target and nothing else', () => {
  expect(readdirSync(outDir).sort()).toEqual(
    TARGETS.map((t) => `gradlens-${t.target}-${version}.vsix`).sort(),
  );
});

describe.each(TARGETS)('$target', ({ target, os, cpu, binary }) => {
  let entries = new Map<string, ZipEntry>();
  beforeAll(() => {
    const zip = readFileSync(join(outDir, `gradlens-${target}-${version}.vsix`));
    entries = new Map(readZip(zip).map((e) => [e.name, e]));
  });

  it('says its target in the manifest', () => {
    expect(text(entries.get('extension.vsixmanifest'))).toMatch(
      new RegExp(`<Identity [^>]*TargetPlatform="${target}"`),
    );
    const pkg = JSON.parse(text(entries.get('extension/package.json'))) as { name: string };
    expect(pkg.name).toBe('gradlens');
  });

  it('carries the extension, runner, engine, tracer and examples', () => {
    for (const file of [
      'extension/dist/extension/extension.cjs',
      'extension/dist/runner/child.cjs',
      'extension/dist/engine/index.cjs',
      'extension/dist/webview/graph-view.js',
      'extension/python/gradlens/__init__.py',
      'extension/python/gradlens/runner.py',
      'extension/node_modules/esbuild/lib/main.js',
      'extension/node_modules/gradlens-typescript-plugin/index.js',
    ]) {
      expect(entries.has(file), file).toBe(true);
    }
    const names = [...entries.keys()];
    expect(names.filter((n) => /^extension\/examples\/[^/]+\.ts$/.test(n)).length).toBeGreaterThan(
      3,
    );
    expect(
      names.filter((n) => /^extension\/examples\/python\/[^/]+\.py$/.test(n)).length,
    ).toBeGreaterThan(3);
    expect(names.filter((n) => n.startsWith('extension/src/') || n.endsWith('.map'))).toEqual([]);
  });

  it(`carries the esbuild binary for ${os}-${cpu} and no other`, () => {
    const binaryPackages = new Set(
      [...entries.keys()]
        .map((n) => /^extension\/node_modules\/@esbuild\/([^/]+)\//.exec(n)?.[1])
        .filter((n) => n !== undefined),
    );
    expect([...binaryPackages]).toEqual([target]);
    const dir = `extension/node_modules/@esbuild/${target}`;
    const pkg = JSON.parse(text(entries.get(`${dir}/package.json`))) as { version: string };
    expect(pkg.version).toBe(esbuildVersion);
    const exe = entries.get(`${dir}/${binary}`);
    expect(exe).toBeDefined();
    expect(binaryKind(exe?.read() ?? Buffer.alloc(64))).toEqual({ os, cpu });
    // VS Code keeps the mode it unpacks; esbuild's JS API spawns the binary.
    if (os !== 'win32') expect((exe?.mode ?? 0) & 0o111).toBe(0o111);
  });
});
