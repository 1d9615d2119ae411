// The lesson examples (examples/makemore-mlp.ts, cnn-fashion-mnist.ts, tiny-attention.ts)
// captured for real by `gradlens run --graph X.json`, then shown as the graph view shows
// them: each module call is a group, the view opened collapsed shows the model as one box,
// and expanding a box puts its modules in its place while what lies above it stays put.
// (These graphs are small enough that the view opens them flat, every module framed;
// collapsed is how it opens bigger ones, and what a user gets by folding the model.)
import ELK from 'elkjs/lib/elk.bundled.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphView, type SvgItem } from '../../src/graph/index';
import type { GraphSnapshot } from '../../src/protocol/messages';
import { CLI, ROOT, ensureBuilt } from '../runner/helpers';

const OUT = mkdtempSync(path.join(os.tmpdir(), 'gradlens-lessons-'));

/** The module calls each example's last backward() ran through, by qualified name. */
const MODULES: Record<string, string[]> = {
  'makemore-mlp': ['CharMLP', 'CharMLP.emb', 'CharMLP.hidden', 'CharMLP.bn', 'CharMLP.out'],
  'cnn-fashion-mnist': [
    'SmallCNN',
    'SmallCNN.conv1',
    'SmallCNN.pool1',
    'SmallCNN.conv2',
    'SmallCNN.pool2',
    'SmallCNN.fc',
    'CrossEntropyLoss',
  ],
  'tiny-attention': [
    'TinyGPT',
    'TinyGPT.tokens',
    'TinyGPT.positions',
    'TinyGPT.block',
    'TinyGPT.block.ln1',
    'TinyGPT.block.attn',
    'TinyGPT.block.attn.query',
    'TinyGPT.block.attn.key',
    'TinyGPT.block.attn.value',
    'TinyGPT.block.attn.proj',
    'TinyGPT.block.ln2',
    'TinyGPT.block.mlp',
    'TinyGPT.block.mlp.fc',
    'TinyGPT.block.mlp.proj',
    'TinyGPT.lnF',
    'TinyGPT.head',
  ],
};
const snapshots = new Map<string, GraphSnapshot>();

beforeAll(() => {
  ensureBuilt();
  for (const name of Object.keys(MODULES)) {
    const json = path.join(OUT, `${name}.json`);
    const r = spawnSync(process.execPath, [CLI, 'run', `examples/${name}.ts`, '--graph', json], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, GRADLENS_SYNTHETIC_DIGITS: '1' },
    });
    if (r.status !== 0) throw new Error(`examples/${name}.ts: ${r.stderr}`);
    snapshots.set(name, JSON.parse(readFileSync(json, 'utf8')) as GraphSnapshot);
  }
}, 180_000);

/** The group boxes shown now, by group id. */
const shownGroups = (view: GraphView): SvgItem[] =>
  view.current!.parts.items.filter((it) => it.kind === 'node' && view.tree.groups.has(it.id));

describe.each(Object.keys(MODULES))('%s in the graph view', (name) => {
  it('groups its nodes by module call', () => {
    const view = new GraphView(snapshots.get(name)!, { elk: new ELK() });
    const calls = [...view.tree.groups.values()].filter((g) => g.kind === 'call');
    expect(calls.map((g) => g.label).sort()).toEqual([...MODULES[name]].sort());
  });

  it('opens collapsed as the model, and expanding box after box in place shows every module', async () => {
    const view = new GraphView(snapshots.get(name)!, {
      elk: new ELK(),
      flatMaxNodes: 0,
      openBudget: 0,
    });
    await view.open();
    const label = (it: SvgItem): string => view.tree.groups.get(it.id)!.label;
    expect(shownGroups(view).map(label)).toContain(MODULES[name][0]);
    const seen = new Set(shownGroups(view).map(label));
    for (;;) {
      // A box with groups inside (a module with modules, a repeat, a step) to open next.
      const next = shownGroups(view).find((it) =>
        [...view.tree.groups.values()].some((g) => g.parent === it.id),
      );
      if (next === undefined) break;
      const above = view.current!.parts.items.filter(
        (it) => it.kind === 'node' && it.y + it.h <= next.y,
      );
      const r = view.expand(next.id);
      expect(r.engine, `expanding ${label(next)}`).toBe('incremental');
      for (const it of above) {
        const now = r.parts.items.find((m) => m.kind === 'node' && m.id === it.id)!;
        expect([now.x, now.y], `${it.id} above ${label(next)}`).toEqual([it.x, it.y]);
      }
      for (const it of shownGroups(view)) seen.add(label(it));
    }
    for (const module of MODULES[name]) expect(seen, module).toContain(module);
  });
});

it("the CNN's two conv/ReLU/pool stages repeat one structure: the box names both stages' modules", () => {
  const view = new GraphView(snapshots.get('cnn-fashion-mnist')!, { elk: new ELK() });
  const repeats = [...view.tree.groups.values()].filter((g) => g.kind === 'repeat');
  expect(repeats.map((g) => [g.label, g.count])).toEqual([
    ['SmallCNN.conv1 … SmallCNN.conv2, ReluBackward0, SmallCNN.pool1 … SmallCNN.pool2', 2],
  ]);
});

it("a matmul's two operands (ExpandBackward0, ViewBackward0 each) are not folded as a repeat", () => {
  const view = new GraphView(snapshots.get('tiny-attention')!, { elk: new ELK() });
  const repeats = [...view.tree.groups.values()].filter((g) => g.kind === 'repeat');
  expect(repeats.map((g) => g.label)).toEqual([]);
});
