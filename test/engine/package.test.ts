// The package resolves itself by name from the repository root (package.json "exports"):
// `import * as torch from 'gradlens'` (ESM) and `require('gradlens')` (CJS), in real child
// node processes. Builds dist/ first when it is missing or older than the engine sources.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const outputs = ['dist/engine/index.mjs', 'dist/engine/index.cjs'].map((p) => join(root, p));

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const script = [
  'const x = torch.tensor([1, 2, 3], { requiresGrad: true });',
  'const y = x.mul(x).sum();',
  'y.backward();',
  'const fc = new torch.nn.Linear(2, 1);',
  'console.log(JSON.stringify({ grad: x.grad.tolist(), text: String(x.mul(2)), node: y.gradFn.name(),',
  '  linear: typeof torch.nn.Linear, sgd: typeof torch.optim.SGD, grad_fn: typeof torch.autograd.grad, params: fc.parameters().length }));',
].join('\n');

function run(args: string[]): unknown {
  const out = execFileSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const expected = {
  grad: [2, 4, 6],
  text: 'tensor([2., 4., 6.], grad_fn=<MulBackward0>)',
  node: 'SumBackward0',
  linear: 'function',
  sgd: 'function',
  grad_fn: 'function',
  params: 2,
};

describe("package self-reference ('gradlens')", () => {
  beforeAll(() => {
    const built = Math.min(...outputs.map((p) => (existsSync(p) ? statSync(p).mtimeMs : 0)));
    if (built < newestSource(join(root, 'src', 'engine'))) {
      execFileSync(process.execPath, ['scripts/build.mjs'], {
        cwd: root,
        stdio: 'pipe',
        timeout: 120_000,
      });
    }
  }, 130_000);

  it("ESM: import * as torch from 'gradlens'", () => {
    expect(
      run(['--input-type=module', '-e', `import * as torch from 'gradlens';\n${script}`]),
    ).toEqual(expected);
  });

  it("CJS: require('gradlens')", () => {
    expect(run(['-e', `const torch = require('gradlens');\n${script}`])).toEqual(expected);
  });
});
