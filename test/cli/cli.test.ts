// The CLI run for real: `node bin/gradlens.cjs run ...` on every example and on bad input;
// SVG and HTML opened in Debian's Chromium, with screenshots kept under test-artifacts/.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderGraph } from '../../src/cli/render';
import type { GraphSnapshot } from '../../src/protocol/messages';
import { CLI, FIXTURES, ROOT, ensureBuilt } from '../runner/helpers';

const OUT = mkdtempSync(path.join(os.tmpdir(), 'gradlens-cli-'));
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'cli');

function gradlens(
  args: string[],
  cwd = ROOT,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let browser: Browser | undefined;
beforeAll(async () => {
  ensureBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

const examples = readdirSync(path.join(ROOT, 'examples')).filter((f) => /\.(ts|js|mjs)$/.test(f));

describe('every example runs through the CLI', () => {
  it('there are examples', () => expect(examples.length).toBeGreaterThan(0));
  for (const ex of examples) {
    it(
      ex,
      () => {
        const svg = path.join(OUT, `${ex}.svg`);
        const r = gradlens(['run', `examples/${ex}`, '--graph', svg, '--timeout', '170']);
        expect(r.stderr).toContain('wrote the graph');
        expect(r.code).toBe(0);
        expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[^>]*>[\s\S]*Backward[\s\S]*<\/svg>$/);
      },
      200_000,
    );
  }
});

describe('outputs', () => {
  it('SVG opens in Chromium and shows the node names', async () => {
    const svg = path.join(OUT, 'qp.svg');
    expect(gradlens(['run', 'test/fixtures/scripts/seed-qp.ts', '--graph', svg]).code).toBe(0);
    const page = await browser!.newPage({ viewport: { width: 900, height: 800 } });
    await page.goto(`file://${svg}`);
    const names = await page
      .locator('.gl-node')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    expect(names).toEqual(
      expect.arrayContaining([
        'SumBackward0',
        'PowBackward0',
        'SubBackward0',
        'MulBackward0',
        'AccumulateGrad',
        'a',
        'b',
        'P',
      ]),
    );
    const box = await page.getByText('SubBackward0', { exact: true }).boundingBox();
    expect(box!.width).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'seed-qp.svg.png') });
    await page.close();
  });

  it('SVG and HTML frame each module call, labelled and nested as the modules are', async () => {
    const svg = path.join(OUT, 'mnist.svg');
    const html = path.join(OUT, 'mnist.html');
    for (const file of [svg, html])
      expect(gradlens(['run', 'examples/mnist-classifier.ts', '--graph', file]).code).toBe(0);
    const page = await browser!.newPage({ viewport: { width: 900, height: 1200 } });
    for (const file of [svg, html]) {
      await page.goto(`file://${file}`);
      // Each frame's label and rectangle, and each node's module (its tooltip's "in ..." line).
      const { frames, nodes } = await page.evaluate(() => {
        const rect = (e: Element): { x0: number; y0: number; x1: number; y1: number } => {
          const r = e.getBoundingClientRect();
          return { x0: r.left, y0: r.top, x1: r.right, y1: r.bottom };
        };
        return {
          frames: [...document.querySelectorAll('.gl-frame-header')].map((h) => ({
            label: h.querySelector('.gl-frame-label')!.textContent,
            text: rect(h.querySelector('.gl-frame-label')!),
            r: rect(
              document.querySelector(
                `rect.gl-frame[data-group="${h.getAttribute('data-group')}"]`,
              )!,
            ),
          })),
          nodes: [...document.querySelectorAll('g.gl-node.gl-function')].map((g) => ({
            name: g.getAttribute('data-name'),
            module: /\nin (.*)/.exec(g.querySelector('title')!.textContent)?.[1] ?? null,
            r: rect(g.querySelector('rect')!),
          })),
        };
      });
      type R = (typeof frames)[number]['r'];
      const within = (a: R, b: R): boolean =>
        a.x0 >= b.x0 - 0.5 && a.y0 >= b.y0 - 0.5 && a.x1 <= b.x1 + 0.5 && a.y1 <= b.y1 + 0.5;
      const frame = (label: string): R => {
        const f = frames.filter((x) => x.label === label);
        expect(f, `${file}: one frame labelled ${label}`).toHaveLength(1);
        return f[0].r;
      };
      expect(frames.map((f) => f.label).sort()).toEqual(
        ['CrossEntropyLoss', 'MNISTClassifier', 'dropout', 'fc1', 'fc2'].sort(),
      );
      for (const inner of ['fc1', 'dropout', 'fc2'])
        expect(within(frame(inner), frame('MNISTClassifier')), inner).toBe(true);
      for (const f of frames) expect(within(f.text, f.r), `${f.label} in its frame`).toBe(true);
      // A node lies in the frame of its module call and of the calls around it, in no other.
      expect(nodes.length).toBeGreaterThan(5);
      for (const n of nodes)
        for (const f of frames) {
          const holds =
            n.module !== null &&
            (n.module.replace(/^MNISTClassifier\./, '') === f.label ||
              n.module.startsWith(`${f.label}.`));
          expect(within(n.r, f.r), `${n.name} (${n.module}) in ${f.label}`).toBe(holds);
        }
    }
    await page.goto(`file://${svg}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'mnist-frames.svg.png') });
    await page.close();
  });

  it('HTML is one interactive page: search, click for details', async () => {
    const html = path.join(OUT, 'linear.html');
    expect(gradlens(['run', 'test/fixtures/scripts/seed-linear.ts', '--graph', html]).code).toBe(0);
    const page = await browser!.newPage({ viewport: { width: 1100, height: 800 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${html}`);
    await page.fill('#search', 'addmm');
    await expect.poll(() => page.locator('#count').textContent()).toBe('2 matches');
    await page.fill('#search', '');
    await page.locator('.gl-node[data-name="AddmmBackward0"]').first().click();
    await expect.poll(() => page.locator('#details').textContent()).toContain('AddmmBackward0');
    expect(await page.locator('#details').textContent()).toContain('seed-linear.ts:');
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'seed-linear.html.png') });
    await page.close();
  });

  it('names, paths and messages that are HTML/JS payloads are shown as text, never run', async () => {
    const payload = '<img src=x onerror="window.__pwned=1">';
    const quoted = '"><script>window.__pwned=2</script>';
    const summary = {
      shape: [],
      dtype: 'float32',
      numel: 1,
      first: [1],
      min: 1,
      max: 1,
      mean: 1,
      nanCount: 0,
      infCount: 0,
    };
    const snapshot: GraphSnapshot = {
      index: 1,
      trigger: 'backward',
      outputs: ['out0'],
      collapsed: false,
      detail: 'full',
      anomalies: [{ kind: 'nan', where: 'value', nodeId: 'n0', message: payload }],
      nodes: [
        {
          id: 'n0',
          kind: 'function',
          name: payload,
          next: [{ id: 'n1', inputNr: 0 }],
          value: summary,
          grad: summary,
          location: { file: `/tmp/${quoted}.py`, line: 3, column: 1 },
          modulePath: [quoted],
          attachedTo: null,
          sequenceNr: 1,
        },
        {
          id: 'n1',
          kind: 'accumulate',
          name: 'torch::autograd::AccumulateGrad',
          next: [],
          value: null,
          grad: null,
          location: null,
          modulePath: [],
          attachedTo: null,
          sequenceNr: -1,
        },
        {
          id: 'n1:leaf',
          kind: 'leaf',
          name: quoted,
          next: [],
          value: summary,
          grad: summary,
          location: null,
          modulePath: [],
          attachedTo: 'n1',
          sequenceNr: -1,
        },
        {
          id: 'out0',
          kind: 'output',
          name: payload,
          next: [],
          value: summary,
          grad: null,
          location: null,
          modulePath: [],
          attachedTo: 'n0',
          sequenceNr: -1,
        },
      ],
    };
    const html = path.join(OUT, 'payloads.html');
    writeFileSync(html, await renderGraph(snapshot, 'html', payload));
    const page = await browser!.newPage({ viewport: { width: 1100, height: 800 } });
    await page.goto(`file://${html}`);
    await page
      .locator(`.gl-node[data-name="${payload.replace(/"/g, '\\"')}"]`)
      .first()
      .click();
    await expect.poll(() => page.locator('#details').textContent()).toContain(payload);
    expect(
      await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    // No element came from the payloads: no image, and only the page's own two scripts.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
    await page.close();
  });

  it('a graph cut by --max-nodes keeps its frames: the unrolled RNN in SVG and DOT', async () => {
    const svg = path.join(OUT, 'rnn-cut.svg');
    const dot = path.join(OUT, 'rnn-cut.dot');
    for (const file of [svg, dot]) {
      const r = gradlens(['run', 'examples/unrolled-rnn.ts', '--graph', file]);
      expect(r.stderr).toContain('collapsed by module');
      expect(r.code).toBe(0);
    }
    const page = await browser!.newPage({ viewport: { width: 900, height: 900 } });
    await page.goto(`file://${svg}`);
    const { frames, repeat } = await page.evaluate(() => {
      const rect = (e: Element): { x0: number; y0: number; x1: number; y1: number } => {
        const r = e.getBoundingClientRect();
        return { x0: r.left, y0: r.top, x1: r.right, y1: r.bottom };
      };
      const box = document.querySelector('g.gl-group')!;
      return {
        frames: [...document.querySelectorAll('rect.gl-frame')].map((f) => ({
          label: document.querySelector(
            `.gl-frame-header[data-group="${f.getAttribute('data-group')}"] .gl-frame-label`,
          )!.textContent,
          r: rect(f),
        })),
        repeat: { name: box.getAttribute('data-name'), r: rect(box.querySelector('rect')!) },
      };
    });
    expect(frames.map((f) => f.label)).toEqual(['SeqModel']);
    expect(repeat.name).toMatch(/^SeqModel\.cell, SeqModel\.head, .*×800 \(9,600 nodes\)$/);
    const [f] = frames;
    expect(
      repeat.r.x0 >= f.r.x0 &&
        repeat.r.y0 >= f.r.y0 &&
        repeat.r.x1 <= f.r.x1 &&
        repeat.r.y1 <= f.r.y1,
    ).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'rnn-cut.svg.png') });
    await page.close();
    const drawn = spawnSync('/usr/bin/dot', ['-Tsvg', dot], { encoding: 'utf8' });
    expect(drawn.status).toBe(0);
    // Graphviz draws the cluster with its label, the repeat's box inside it.
    expect(drawn.stdout).toMatch(
      /<g id="clust1" class="cluster">\s*<title>cluster_group:0<\/title>/,
    );
    expect(drawn.stdout).toContain('>SeqModel</text>');
    expect(drawn.stdout).toContain('×800 (9,600 nodes)');
  }, 200_000);

  it('DOT opens in Graphviz; JSON is the snapshot; --at picks the backward', () => {
    const dot = path.join(OUT, 'lr.dot');
    expect(
      gradlens(['run', 'examples/linear-regression.ts', '--graph', dot, '--at', '3']).code,
    ).toBe(0);
    const r = spawnSync('/usr/bin/dot', ['-Tsvg', dot], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('MeanBackward0');
    const json = path.join(OUT, 'lr.json');
    expect(
      gradlens(['run', 'examples/linear-regression.ts', '--graph', json, '--at', '3']).code,
    ).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ index: 3 });
  });

  it('--monitor writes the training record as CSV and HTML', () => {
    const csv = path.join(OUT, 'm.csv');
    expect(gradlens(['run', 'test/fixtures/scripts/seed-linear.ts', '--monitor', csv]).code).toBe(
      0,
    );
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'step,loss,time_ms,lr,grad_norm:fc1.weight,grad_norm:fc1.bias,grad_norm:fc2.weight,grad_norm:fc2.bias',
    );
    expect(lines).toHaveLength(4);
    const html = path.join(OUT, 'm.html');
    expect(gradlens(['run', 'test/fixtures/scripts/seed-linear.ts', '--monitor', html]).code).toBe(
      0,
    );
    expect(readFileSync(html, 'utf8')).toContain('<polyline');
  });
});

describe('bad input through the CLI', () => {
  const fx = (f: string): string => path.join(FIXTURES, f);

  it('usage errors exit 2 with a message', () => {
    const r = gradlens(['run', fx('seed-qp.ts'), '--graph', 'out.png']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--graph needs a file ending in .svg');
  });

  it('exception: mapped stack, exit 1', () => {
    const r = gradlens(['run', fx('throws.ts'), '--graph', path.join(OUT, 'throws.svg')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${fx('throws.ts')}:6:`);
    expect(existsSync(path.join(OUT, 'throws.svg'))).toBe(false);
  });

  it('timeout still writes what was captured', () => {
    const svg = path.join(OUT, 'forever.svg');
    const r = gradlens(['run', fx('forever.ts'), '--graph', svg, '--timeout', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did not finish within 2 s');
    expect(readFileSync(svg, 'utf8')).toContain('MulBackward0');
  });

  it('no backward(): says so and writes nothing', () => {
    const svg = path.join(OUT, 'none.svg');
    const r = gradlens(['run', fx('no-backward.ts'), '--graph', svg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('never called backward()');
    expect(existsSync(svg)).toBe(false);
  });

  it('NaN is flagged in red and the op named', () => {
    const svg = path.join(OUT, 'nan.svg');
    const r = gradlens(['run', fx('nan.ts'), '--graph', svg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('LogBackward0');
    expect(readFileSync(svg, 'utf8')).toMatch(
      /class="gl-node gl-function gl-flagged"[^>]*data-name="LogBackward0"/,
    );
  });

  it('script arguments after --, in the working directory the CLI runs in', () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'gradlens-cwd-'));
    const r = gradlens(
      ['run', fx('args-and-cwd.ts'), '--', '--steps', '1', '--graph', 'not-ours.svg'],
      cwd,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('argv ["--steps","1","--graph","not-ours.svg"]');
    expect(r.stdout).toContain(`cwd ${cwd}`);
    expect(existsSync(path.join(cwd, 'not-ours.svg'))).toBe(false);
  });

  it('a notice goes to stderr as a note, and the run still succeeds', () => {
    const json = path.join(OUT, 'over-cap.json');
    const r = gradlens([
      'run',
      path.join(FIXTURES, '..', 'python', 'over_cap.py'),
      '--python',
      process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3',
      '--graph',
      json,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('done');
    expect(r.stderr).toMatch(
      /^gradlens: note: the graph of backward\(\) #1 has more than 300 nodes/m,
    );
    expect((JSON.parse(readFileSync(json, 'utf8')) as GraphSnapshot).index).toBe(2);
  });

  it('memory cap, oversize graph, malformed message: clear messages', () => {
    const m = gradlens(['run', fx('memory-hog.ts'), '--max-memory', '100']);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('ran out of memory');
    const big = gradlens([
      'run',
      fx('big-graph.ts'),
      '--graph',
      path.join(OUT, 'big.svg'),
      '--max-nodes',
      '300',
    ]);
    expect(big.code).toBe(0);
    expect(big.stderr).toContain('collapsed by module');
    const bad = gradlens(['run', path.join(FIXTURES, '..', 'hostile', 'wrong-fields.ts')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('rejected a message from the runner');
  });
});
