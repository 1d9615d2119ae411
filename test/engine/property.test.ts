// Property test: a few hundred small random programs of differentiable ops, each checked
// against central finite differences in float64. Seeded, so every run checks the same
// programs; a failure names the program's seed and its ops.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { rng } from '../helpers/rng';

type T = torch.Tensor;
type Step = { label: string; run: (env: T[]) => T };

interface Program {
  inputs: T[];
  steps: Step[];
  weight: T;
}

const BASE_SHAPES = [[], [3], [2, 3], [3, 2], [2, 2, 2], [4, 1], [1, 3]];

function randomValues(r: () => number, shape: number[]): T {
  const n = shape.reduce((p, q) => p * q, 1);
  const vals = Array.from({ length: n }, () => (r() * 2 - 1) * 1.5);
  return torch.tensor(vals, { dtype: 'float64' }).reshape(...shape);
}

/** A shape that broadcasts with `shape`: some dims set to 1, maybe leading dims dropped. */
function broadcastable(r: () => number, shape: number[]): number[] {
  const drop = shape.length > 0 && r() < 0.3 ? 1 : 0;
  return shape.slice(drop).map((s) => (r() < 0.3 ? 1 : s));
}

function candidates(r: () => number, env: T[]): Step[] {
  const pick = () => Math.floor(r() * env.length);
  const i = pick();
  const j = pick();
  const x = env[i];
  const d = x.dim();
  const dim = d > 0 ? Math.floor(r() * d) : 0;
  const steps: Step[] = [
    { label: `sin(${i})`, run: (e) => e[i].sin() },
    { label: `cos(${i})`, run: (e) => e[i].cos() },
    { label: `tanh(${i})`, run: (e) => e[i].tanh() },
    { label: `sigmoid(${i})`, run: (e) => e[i].sigmoid() },
    { label: `exp(${i})`, run: (e) => e[i].exp() },
    { label: `neg(${i})`, run: (e) => e[i].neg() },
    { label: `square(${i})`, run: (e) => e[i].square() },
    { label: `pow(${i}, 3)`, run: (e) => e[i].pow(3) },
    { label: `log(${i}^2 + 1)`, run: (e) => e[i].mul(e[i]).add(1).log() },
    { label: `sqrt(${i}^2 + 1)`, run: (e) => e[i].mul(e[i]).add(1).sqrt() },
    { label: `rsub(${i}, 2)`, run: (e) => torch.rsub(e[i], 2) },
    { label: `pow(${i}^2 + 1, ${j})`, run: (e) => e[i].mul(e[i]).add(1).pow(e[j]) },
    { label: `add(${i}, ${j})`, run: (e) => e[i].add(e[j]) },
    { label: `sub(${i}, ${j})`, run: (e) => e[i].sub(e[j]) },
    { label: `mul(${i}, ${j})`, run: (e) => e[i].mul(e[j]) },
    { label: `div(${i}, ${j}^2 + 1)`, run: (e) => e[i].div(e[j].mul(e[j]).add(1)) },
    { label: `where(${i} > 0, ${i}, ${j})`, run: (e) => torch.where(e[i].gt(0), e[i], e[j]) },
    { label: `sum(${i})`, run: (e) => e[i].sum() },
    { label: `mean(${i})`, run: (e) => e[i].mean() },
    { label: `reshape(${i}, -1)`, run: (e) => e[i].reshape(-1) },
    { label: `unsqueeze(${i}, 0)`, run: (e) => e[i].unsqueeze(0) },
    { label: `cat(${i}, ${i})`, run: (e) => torch.cat([e[i], e[i]], 0) },
    { label: `stack(${i}, ${j})`, run: (e) => torch.stack([e[i], e[j]], 0) },
    { label: `clone(${i})`, run: (e) => e[i].clone() },
  ];
  if (d > 0) {
    const keep = r() < 0.5;
    const size = x.shape[dim];
    const idx = Math.floor(r() * size);
    steps.push(
      { label: `sum(${i}, ${dim}, ${keep})`, run: (e) => e[i].sum(dim, keep) },
      { label: `mean(${i}, ${dim}, ${keep})`, run: (e) => e[i].mean(dim, keep) },
      { label: `softmax(${i}, ${dim})`, run: (e) => e[i].softmax(dim) },
      { label: `logSoftmax(${i}, ${dim})`, run: (e) => e[i].logSoftmax(dim) },
      { label: `select(${i}, ${dim}, ${idx})`, run: (e) => e[i].select(dim, idx) },
      {
        label: `narrow(${i}, ${dim}, 0, ${Math.max(1, size - 1)})`,
        run: (e) => e[i].narrow(dim, 0, Math.max(1, size - 1)),
      },
      { label: `expand(${i}, 2, ...)`, run: (e) => e[i].expand(2, ...e[i].shape) },
      { label: `cat(${i}, ${j}, ${dim})`, run: (e) => torch.cat([e[i], e[j]], dim) },
    );
  }
  if (d >= 2) {
    steps.push(
      { label: `transpose(${i}, 0, ${d - 1})`, run: (e) => e[i].transpose(0, d - 1) },
      { label: `flatten(${i}, 1)`, run: (e) => e[i].flatten(1) },
      { label: `transpose(${i}).reshape(-1)`, run: (e) => e[i].transpose(0, d - 1).reshape(-1) },
    );
  }
  if (d === 2) {
    steps.push(
      { label: `matmul(${i}, ${j}^T)`, run: (e) => e[i].matmul(e[j].t()) },
      { label: `mm(${i}^T, ${j})`, run: (e) => e[i].t().mm(e[j]) },
      { label: `addmm(${j}, ${i}, ${i}^T)`, run: (e) => torch.addmm(e[j], e[i], e[i].t()) },
    );
  }
  if (d === 1) steps.push({ label: `dot(${i}, ${j})`, run: (e) => e[i].dot(e[j]) });
  return steps;
}

function makeProgram(seed: number): Program {
  const r = rng(seed);
  const base = BASE_SHAPES[Math.floor(r() * BASE_SHAPES.length)];
  const nInputs = 1 + Math.floor(r() * 3);
  const inputs = Array.from({ length: nInputs }, (_, k) =>
    randomValues(r, k === 0 ? base : broadcastable(r, base)),
  );
  const env = inputs.slice();
  const steps: Step[] = [];
  const nSteps = 2 + Math.floor(r() * 7);
  for (let tries = 0; steps.length < nSteps && tries < 200; tries++) {
    const options = candidates(r, env);
    const step = options[Math.floor(r() * options.length)];
    let out: T;
    try {
      out = step.run(env);
    } catch {
      continue; // shapes that do not fit: try another op
    }
    if (Number.isNaN(out.numel()))
      throw new Error(
        `${step.label} on [${env.map((t) => `[${t.shape.join(',')}]`).join(',')}] gave shape [${out.shape.join(',')}]`,
      );
    const vals = out.numel() === 0 ? [] : (out.reshape(-1).tolist() as number[]);
    if (
      out.numel() === 0 ||
      out.numel() > 64 ||
      vals.some((v) => !Number.isFinite(v) || Math.abs(v) > 50)
    )
      continue;
    steps.push(step);
    env.push(out);
  }
  const last = env[env.length - 1];
  return { inputs, steps, weight: randomValues(r, last.shape) };
}

function evaluate(p: Program, xs: T[]): T {
  const env = xs.slice();
  for (const s of p.steps) env.push(s.run(env));
  return env[env.length - 1].mul(p.weight).sum();
}

const PROGRAMS = 300;
const EPS = 1e-6;

describe('random programs vs finite differences (float64)', () => {
  it(`${PROGRAMS} seeded programs`, () => {
    let checked = 0;
    for (let seed = 1; seed <= PROGRAMS; seed++) {
      const p = makeProgram(seed);
      const xs = p.inputs.map((t) => t.detach().clone().requiresGrad_());
      evaluate(p, xs).backward();
      const describe = `program ${seed}: inputs ${p.inputs.map((t) => `[${t.shape.join(',')}]`).join(' ')}; ${p.steps.map((s) => s.label).join(' -> ')}`;
      xs.forEach((x, k) => {
        const analytic =
          x.grad === null
            ? new Array(x.numel()).fill(0)
            : (x.grad.reshape(-1).tolist() as number[]);
        const base = x.detach().reshape(-1).tolist() as number[];
        for (let e = 0; e < base.length; e++) {
          const at = (delta: number) => {
            const v = base.slice();
            v[e] += delta;
            const xe = torch.tensor(v, { dtype: 'float64' }).reshape(...x.shape);
            return torch
              .noGrad(() =>
                evaluate(
                  p,
                  xs.map((t, m) => (m === k ? xe : t.detach())),
                ),
              )
              .item();
          };
          const numeric = (at(EPS) - at(-EPS)) / (2 * EPS);
          const ok = Math.abs(analytic[e] - numeric) <= 1e-5 + 1e-4 * Math.abs(numeric);
          if (!ok)
            expect.fail(
              `${describe}\n input ${k} element ${e}: analytic ${analytic[e]}, numeric ${numeric}`,
            );
          checked++;
        }
      });
    }
    if (process.env.PROPERTY_STATS) console.log(`checked ${checked} gradient elements`);
    expect(checked).toBeGreaterThan(PROGRAMS);
  });
});
