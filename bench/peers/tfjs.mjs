// The workloads in TensorFlow.js (core ops, no tfjs-layers), on the cpu or wasm backend.
// tfjs has no tensor-level autograd, so "backward" is tf.grads / tf.variableGrads / an
// optimizer's minimize, as a tfjs user writes it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bestOf, collect, gflops, now, peakRssMB } from '../timing.mjs';

const require = createRequire(import.meta.url);
let tf;
export let version = '';

/** Loads tfjs and switches to `backend` ('cpu' or 'wasm'). */
export async function init(backend) {
  tf = require('@tensorflow/tfjs');
  let detail = '';
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    // The .wasm binaries ship next to the bundle; in Node they are read from disk.
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(join(dist, 'dist') + '/');
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    detail = ` (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'threads' : '1 thread'})`;
  }
  if (!(await tf.setBackend(backend)))
    throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  version = `@tensorflow/tfjs ${tf.version.tfjs} ${tf.getBackend()}${detail}`;
}

/** PyTorch's nn.Linear init (uniform in ±1/sqrt(fan_in) is close enough for timing), [in, out] layout. */
function linear(inF, outF) {
  const bound = 1 / Math.sqrt(inF);
  return {
    w: tf.variable(tf.randomUniform([inF, outF], -bound, bound)),
    b: tf.variable(tf.randomUniform([outF], -bound, bound)),
  };
}

const apply = (l, x) => tf.add(tf.matMul(x, l.w), l.b);

/** A k×k convolution with PyTorch's init bounds, in tfjs's [k, k, in, out] layout. */
function conv(k, inC, outC) {
  const bound = 1 / Math.sqrt(inC * k * k);
  return {
    w: tf.variable(tf.randomUniform([k, k, inC, outC], -bound, bound)),
    b: tf.variable(tf.randomUniform([outC], -bound, bound)),
  };
}

/** conv, relu, 2×2 max pool, on NHWC images (tfjs's layout). */
const convBlock = (c, x, pad) =>
  tf.maxPool(tf.relu(tf.add(tf.conv2d(x, c.w, 1, pad), c.b)), 2, 2, 'valid');
const varsOf = (layers) => layers.flatMap((l) => [l.w, l.b]);

/** Warm-up steps, then the best of `p.runs` runs of `p.steps` steps (each step returns its loss). */
function timedTraining(step, p) {
  for (let i = 0; i < p.warmup; i++) step().dispose();
  let finalLoss;
  const ms = bestOf(p.runs, () => {
    let cost;
    for (let i = 0; i < p.steps; i++) {
      cost?.dispose();
      cost = step();
    }
    finalLoss = cost.dataSync()[0];
    cost.dispose();
  });
  return { rate: p.steps / (ms / 1000), finalLoss };
}

export const workloads = {
  W1(p) {
    const l1 = linear(784, 256);
    const l2 = linear(256, 10);
    const opt = tf.train.adam(p.lr);
    const x = tf.randomNormal([p.batch, 784]);
    const labels = Array.from({ length: p.batch }, (_, i) => (i * 7) % 10);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    const vars = varsOf([l1, l2]);
    const step = () => {
      const cost = opt.minimize(
        () => {
          const h = tf.dropout(tf.relu(apply(l1, x)), p.dropout);
          return tf.losses.softmaxCrossEntropy(y, apply(l2, h));
        },
        true,
        vars,
      );
      return cost;
    };
    const { rate, finalLoss } = timedTraining(step, p);
    return { stepsPerSec: rate, finalLoss };
  },

  W6(p) {
    const c1 = conv(5, 1, 6);
    const c2 = conv(5, 6, 16);
    const dense = [linear(16 * 5 * 5, 120), linear(120, 84), linear(84, 10)];
    const opt = tf.train.momentum(p.lr, 0.9);
    const x = tf.randomNormal([p.batch, 28, 28, 1]);
    const labels = Array.from({ length: p.batch }, (_, i) => (i * 7) % 10);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    const vars = [...varsOf([c1, c2]), ...varsOf(dense)];
    const step = () =>
      opt.minimize(
        () => {
          const h = convBlock(c2, convBlock(c1, x, 'same'), 'valid').reshape([p.batch, 400]);
          const z = apply(dense[1], tf.relu(apply(dense[0], h)));
          return tf.losses.softmaxCrossEntropy(y, apply(dense[2], tf.relu(z)));
        },
        true,
        vars,
      );
    const { rate, finalLoss } = timedTraining(step, p);
    return { cnnStepsPerSec: rate, finalLoss };
  },

  W2(p) {
    const x = tf.linspace(-Math.PI, Math.PI, p.points);
    const y = tf.sin(x);
    const a = tf.variable(tf.randomNormal([]));
    const b = tf.variable(tf.randomNormal([]));
    const c = tf.variable(tf.randomNormal([]));
    const iterate = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const yPred = a
            .mul(x)
            .add(b.mul(x.pow(2)))
            .add(c.mul(x.pow(3)));
          return yPred.sub(y).pow(2).sum();
        }, [a, b, c]);
        // The manual update, outside any gradient recording.
        a.assign(a.sub(grads[a.name].mul(p.lr)));
        b.assign(b.sub(grads[b.name].mul(p.lr)));
        c.assign(c.sub(grads[c.name].mul(p.lr)));
        return value;
      });
    for (let i = 0; i < p.warmup; i++) iterate().dispose();
    let finalLoss;
    const ms = bestOf(p.runs, () => {
      let loss;
      for (let i = 0; i < p.iters; i++) {
        loss?.dispose();
        loss = iterate();
      }
      finalLoss = loss.dataSync()[0];
      loss.dispose();
    });
    return { usPerIter: (ms * 1000) / p.iters, finalLoss };
  },

  W3(p) {
    const x = tf.linspace(-Math.PI, Math.PI, p.points).reshape([p.points, 1]);
    const y = tf.sin(x);
    const run = () => {
      const layers = [linear(1, 10), linear(10, 10), linear(10, 1)];
      const vars = varsOf(layers);
      const opt = tf.train.adam(p.lr);
      const t0 = now();
      let cost;
      for (let i = 0; i < p.iters; i++) {
        cost?.dispose();
        cost = opt.minimize(
          () => {
            const h = tf.tanh(apply(layers[1], tf.tanh(apply(layers[0], x))));
            return tf.losses.meanSquaredError(y, apply(layers[2], h));
          },
          true,
          vars,
        );
      }
      const loss = cost.dataSync()[0];
      const ms = now() - t0;
      cost.dispose();
      opt.dispose();
      vars.forEach((v) => v.dispose());
      return { ms, loss };
    };
    for (let i = 0; i < p.warmup; i++) run();
    // No forced GC between runs, as for Gradlens (see bench/peers/gradlens.mjs W3).
    const runs = [];
    for (let i = 0; i < p.runs; i++) runs.push(run());
    return { ms: Math.min(...runs.map((r) => r.ms)), finalLoss: runs[runs.length - 1].loss };
  },

  W4(p) {
    const phase = (n, fwdReps, fwdBwdReps) => {
      const a = tf.randomNormal([n, n]);
      const b = tf.randomNormal([n, n]);
      const dy = tf.ones([n, n]);
      const gradsOf = tf.grads((u, v) => tf.matMul(u, v));
      const fwdMs = bestOf(fwdReps, () => {
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
      });
      const fwdBwdMs = bestOf(fwdBwdReps, () => {
        const [da, db] = gradsOf([a, b], dy);
        da.dataSync();
        db.dataSync();
        tf.dispose([da, db]);
      });
      tf.dispose([a, b, dy]);
      return { fwdMs, fwdBwdMs };
    };
    phase(p.warmupN, 2, 2);
    collect();
    const { fwdMs, fwdBwdMs } = phase(p.n, p.fwdReps, p.fwdBwdReps);
    const f = 2 * p.n ** 3;
    return { fwdGflops: gflops(f, fwdMs), fwdBwdGflops: gflops(3 * f, fwdBwdMs) };
  },

  W5(p) {
    const chain = (ops) => {
      let t1 = 0;
      const grad = tf.grad((x) => {
        let y = x;
        for (let i = 0; i < ops; i++) y = i % 2 === 0 ? y.mul(0.9999) : y.add(1e-4);
        t1 = now();
        return y;
      });
      const x = tf.scalar(1);
      // tf.grad records the chain and differentiates it in one call; the end of the user
      // function splits the time into build and backward.
      const t0 = now();
      const dx = grad(x);
      const g = dx.dataSync()[0];
      const t2 = now();
      tf.dispose([dx, x]);
      return { buildMs: t1 - t0, backwardMs: t2 - t1, grad: g };
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
