// The workloads written against Gradlens's public API, as a user would write them.
import * as torch from 'gradlens';
import { ENGINE_ENV } from '../config.mjs';
import { bestOf, collect, gflops, now, peakRssMB } from '../timing.mjs';

// The engine settings in this process's environment: the table header shows what each
// Gradlens column's process really got, not what run.mjs meant to give it.
const settings = ENGINE_ENV.filter((k) => process.env[k] !== undefined).map(
  (k) => `${k}=${process.env[k]}`,
);
// And its Node flags: the runner's (config.mjs RUNNER_NODE_FLAGS), as a script under Gradlens runs.
const nodeFlags = process.execArgv.filter((f) => f !== '--expose-gc');
export const version = `gradlens (dist/engine), ${settings.length === 0 ? 'engine defaults' : settings.join(', ')}${nodeFlags.length === 0 ? '' : `, node ${nodeFlags.join(' ')}`}`;

function mlpStep(model, lossFn, opt, x, y) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
  return loss;
}

export const workloads = {
  W1(p) {
    torch.manualSeed(0);
    const { nn, optim } = torch;
    const model = new nn.Sequential(
      new nn.Linear(784, 256),
      new nn.ReLU(),
      new nn.Dropout(p.dropout),
      new nn.Linear(256, 10),
    );
    const lossFn = new nn.CrossEntropyLoss();
    const opt = new optim.Adam(model.parameters(), { lr: p.lr });
    const x = torch.randn(p.batch, 784);
    const labels = Array.from({ length: p.batch }, (_, i) => (i * 7) % 10);
    const y = torch.tensor(labels, { dtype: 'int64' });
    for (let i = 0; i < p.warmup; i++) mlpStep(model, lossFn, opt, x, y);
    let loss;
    const ms = bestOf(p.runs, () => {
      for (let i = 0; i < p.steps; i++) loss = mlpStep(model, lossFn, opt, x, y);
    });
    return { stepsPerSec: p.steps / (ms / 1000), finalLoss: loss.item() };
  },

  W2(p) {
    torch.manualSeed(0);
    const x = torch.linspace(-Math.PI, Math.PI, p.points);
    const y = x.sin();
    const a = torch.randn([], { requiresGrad: true });
    const b = torch.randn([], { requiresGrad: true });
    const c = torch.randn([], { requiresGrad: true });
    const iterate = () => {
      const yPred = a
        .mul(x)
        .add(b.mul(x.pow(2)))
        .add(c.mul(x.pow(3)));
      const loss = yPred.sub(y).pow(2).sum();
      loss.backward();
      torch.noGrad(() => {
        a.sub_(a.grad.mul(p.lr));
        b.sub_(b.grad.mul(p.lr));
        c.sub_(c.grad.mul(p.lr));
      });
      a.grad = null;
      b.grad = null;
      c.grad = null;
      return loss;
    };
    for (let i = 0; i < p.warmup; i++) iterate();
    let loss;
    const ms = bestOf(p.runs, () => {
      for (let i = 0; i < p.iters; i++) loss = iterate();
    });
    return { usPerIter: (ms * 1000) / p.iters, finalLoss: loss.item() };
  },

  W3(p) {
    torch.manualSeed(0);
    const { nn, optim } = torch;
    const x = torch.linspace(-Math.PI, Math.PI, p.points).view(p.points, 1);
    const y = x.sin();
    const run = () => {
      const model = new nn.Sequential(
        new nn.Linear(1, 10),
        new nn.Tanh(),
        new nn.Linear(10, 10),
        new nn.Tanh(),
        new nn.Linear(10, 1),
      );
      const lossFn = new nn.MSELoss();
      const opt = new optim.Adam(model.parameters(), { lr: p.lr });
      const t0 = now();
      let loss;
      for (let i = 0; i < p.iters; i++) loss = mlpStep(model, lossFn, opt, x, y);
      return { ms: now() - t0, loss: loss.item() };
    };
    for (let i = 0; i < p.warmup; i++) run();
    // No forced GC between runs: in V8 a full GC discards optimised code that embedded the
    // previous run's objects (weak-object deopts), a cost no training loop pays.
    const runs = [];
    for (let i = 0; i < p.runs; i++) runs.push(run());
    return { ms: Math.min(...runs.map((r) => r.ms)), finalLoss: runs[runs.length - 1].loss };
  },

  W4(p) {
    torch.manualSeed(0);
    const phase = (n, fwdReps, fwdBwdReps) => {
      const a = torch.randn(n, n, { requiresGrad: true });
      const b = torch.randn(n, n, { requiresGrad: true });
      const g = torch.ones(n, n);
      const fwdMs = bestOf(fwdReps, () => a.matmul(b));
      const fwdBwdMs = bestOf(fwdBwdReps, () => {
        a.matmul(b).backward(g);
        a.grad = null;
        b.grad = null;
      });
      return { fwdMs, fwdBwdMs };
    };
    phase(p.warmupN, 2, 2);
    collect();
    const { fwdMs, fwdBwdMs } = phase(p.n, p.fwdReps, p.fwdBwdReps);
    const f = 2 * p.n ** 3;
    return { fwdGflops: gflops(f, fwdMs), fwdBwdGflops: gflops(3 * f, fwdBwdMs) };
  },

  W6(p) {
    torch.manualSeed(0);
    const { nn, optim } = torch;
    const model = new nn.Sequential(
      new nn.Conv2d(1, 6, 5, { padding: 2 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(6, 16, 5),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(16 * 5 * 5, 120),
      new nn.ReLU(),
      new nn.Linear(120, 84),
      new nn.ReLU(),
      new nn.Linear(84, 10),
    );
    const lossFn = new nn.CrossEntropyLoss();
    const opt = new optim.SGD(model.parameters(), { lr: p.lr, momentum: 0.9 });
    const x = torch.randn(p.batch, 1, 28, 28);
    const y = torch.tensor(
      Array.from({ length: p.batch }, (_, i) => (i * 7) % 10),
      { dtype: 'int64' },
    );
    for (let i = 0; i < p.warmup; i++) mlpStep(model, lossFn, opt, x, y);
    let loss;
    const ms = bestOf(p.runs, () => {
      for (let i = 0; i < p.steps; i++) loss = mlpStep(model, lossFn, opt, x, y);
    });
    return { cnnStepsPerSec: p.steps / (ms / 1000), finalLoss: loss.item() };
  },

  W5(p) {
    const chain = (ops) => {
      const x = torch.tensor(1.0, { requiresGrad: true });
      const t0 = now();
      let y = x;
      for (let i = 0; i < ops; i++) y = i % 2 === 0 ? y.mul(0.9999) : y.add(1e-4);
      const t1 = now();
      y.backward();
      const t2 = now();
      return { buildMs: t1 - t0, backwardMs: t2 - t1, grad: x.grad.item() };
    };
    chain(p.warmupOps);
    collect();
    const r = chain(p.ops);
    return {
      buildUsPerOp: (r.buildMs * 1000) / p.ops,
      backwardUsPerOp: (r.backwardMs * 1000) / p.ops,
      peakRssMB: peakRssMB(),
      grad: r.grad,
    };
  },
};
