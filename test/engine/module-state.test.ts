// stateDict / loadStateDict with buffers, against PyTorch: BatchNorm1d's running_mean,
// running_var and num_batches_tracked sit after its parameters, move with training, and a
// model loaded from a trained state gives PyTorch's eval output.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { decode, expectTensorClose, loadFixture, type Encoded } from '../helpers/fixtures';

interface ModuleState {
  inputs: Encoded[];
  initial: [string, Encoded][];
  trainOutputs: Encoded[];
  trained: [string, Encoded][];
  evalOutput: Encoded;
}

const f = loadFixture<ModuleState>('engine-module-state.json');

function model(): { m: torch.nn.Sequential; bn: torch.nn.BatchNorm1d } {
  const bn = new torch.nn.BatchNorm1d(4, { momentum: 0.2 });
  const m = new torch.nn.Sequential(
    new torch.nn.Linear(3, 4),
    bn,
    new torch.nn.Tanh(),
    new torch.nn.Linear(4, 2),
  );
  return { m, bn };
}

function stateOf(entries: [string, Encoded][]): Record<string, torch.Tensor> {
  return Object.fromEntries(entries.map(([k, v]) => [k, decode(v)]));
}

function expectState(actual: Record<string, torch.Tensor>, expected: [string, Encoded][]): void {
  expect(Object.keys(actual)).toEqual(expected.map(([k]) => k));
  for (const [k, v] of expected) {
    expect(actual[k].dtype, k).toBe(v.dtype);
    expectTensorClose(actual[k], v, k);
  }
}

describe('module state with buffers', () => {
  it('lists parameters and buffers in PyTorch order, and tracks training', () => {
    const { m, bn } = model();
    m.loadStateDict(stateOf(f.initial));
    expectState(m.stateDict(), f.initial);
    f.trainOutputs.forEach((out, i) =>
      expectTensorClose(m.forward(decode(f.inputs[i])), out, `step ${i}`),
    );
    expectState(m.stateDict(), f.trained);
    expect(bn.numBatchesTracked).toBe(2);
    expect([...m.namedBuffers()].map(([k]) => k)).toEqual([
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
    ]);
  });

  it('loads running statistics into the live buffers: eval output as PyTorch', () => {
    const { m, bn } = model();
    const runningMean = bn.runningMean;
    m.loadStateDict(stateOf(f.trained));
    expect(bn.runningMean).toBe(runningMean);
    expect(bn.numBatchesTracked).toBe(2);
    m.eval();
    expectTensorClose(m.forward(decode(f.inputs[2])), f.evalOutput, 'eval output');
  });

  it('a state without the buffers is missing keys, as PyTorch says', () => {
    const partial = stateOf(f.trained.filter(([k]) => !k.startsWith('1.running')));
    expect(() => model().m.loadStateDict(partial)).toThrow(
      'Missing key(s) in state_dict: "1.running_mean", "1.running_var".',
    );
  });

  it('has no buffers without running statistics', () => {
    const bn = new torch.nn.BatchNorm1d(3, { trackRunningStats: false });
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias']);
  });
});
