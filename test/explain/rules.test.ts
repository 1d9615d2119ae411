// The rules table covers the engine: every primitive op's node name has a rule with one
// entry per input, so a new primitive without a rule fails here. Node kinds without a rule
// (PyTorch ops the engine lacks, custom Functions) are explained by the generic rule.
import { describe, expect, it } from 'vitest';
// The engine first: the op modules import its kernels and must not be loaded before it.
import '../../src/engine/index';
import { primitives } from '../../src/engine/ops/table';
import { explainLines } from '../../src/explain/text';
import { RULES } from '../../src/engine/ops/backward-rules';
import { genericRule, inputRule, ruleFor } from '../../src/explain/rules';
import type { GraphSnapshot, TensorSummary } from '../../src/protocol/messages';

describe('backward rules', () => {
  it.each(primitives.map((p) => [p.name, p.arity] as const))(
    '%s has a rule for each of its %i inputs',
    (name, arity) => {
      const rule = ruleFor(name);
      expect(rule, `no rule for ${name} in src/engine/ops/backward-rules.ts`).not.toBeNull();
      if (arity < 0) expect(rule!.variadic).toBe(true);
      else expect(rule!.inputs.length).toBe(arity);
    },
  );

  it('has no rule for a name no primitive has', () => {
    const names = new Set(primitives.map((p) => p.name));
    expect(Object.keys(RULES).filter((k) => !names.has(k))).toEqual([]);
  });

  it('names each input of a variadic op by its position', () => {
    expect(inputRule(RULES.StackBackward0, 2)).toEqual(['tensors[2]', 'grad.select(dim, 2)']);
  });

  it('explains an unknown node kind generically, with its numbers', () => {
    const t = (v: number): TensorSummary => ({
      shape: [],
      dtype: 'float32',
      numel: 1,
      first: [v],
      min: v,
      max: v,
      mean: v,
      nanCount: 0,
      infCount: 0,
      values: [v],
    });
    const snapshot: GraphSnapshot = {
      index: 1,
      trigger: 'backward',
      outputs: ['out0'],
      anomalies: [],
      collapsed: false,
      detail: 'full',
      flowRecorded: true,
      nodes: [
        {
          id: 'n0',
          kind: 'function',
          name: 'HardswishBackward0',
          next: [{ id: 'n1', inputNr: 0 }],
          value: t(0.5),
          grad: t(2),
          location: null,
          modulePath: [],
          attachedTo: null,
          sequenceNr: 3,
          flow: { order: 0, gradOutputs: [t(2)], gradInputs: [t(1.5)] },
        },
        {
          id: 'n1',
          kind: 'function',
          name: 'ConvolutionBackward0',
          next: [],
          value: null,
          grad: null,
          location: null,
          modulePath: [],
          attachedTo: null,
          sequenceNr: 2,
        },
        {
          id: 'out0',
          kind: 'output',
          name: 'y',
          next: [],
          value: t(0.5),
          grad: null,
          location: null,
          modulePath: [],
          attachedTo: 'n0',
          sequenceNr: -1,
        },
      ],
    };
    expect(ruleFor('HardswishBackward0')).toBeNull();
    expect(explainLines(snapshot, 's.py')).toEqual([
      'backward() #1 of s.py: 1 step, in the order the engine ran them',
      '',
      `step 1: HardswishBackward0   ${genericRule('HardswishBackward0')}`,
      '  result = 0.5',
      '  received grad = 2 (the seed: dy/dy)',
      '  -> ConvolutionBackward0 as input 0: 1.5 (= 2 * 0.75)',
    ]);
  });
});
