// Our generator reproduces PyTorch's CPU mt19937 stream: rand, randn (the scalar path below
// 16 elements and the vectorised one from 16), uniform_, normal_, nn.Linear's init, randint
// and multinomial (both its exponential-trick and its cumulative-search paths).
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { expectTensorClose, loadFixture, type Encoded } from '../helpers/fixtures';

type Call =
  | ['rand' | 'randn', number[], torch.DType]
  | ['uniform_' | 'normal_', number[], torch.DType, number, number]
  | ['linear', number, number, boolean]
  | ['randint', number, number, number[]]
  | ['multinomial', number[], torch.DType, number, boolean];

interface RandomCase {
  name: string;
  seed: number;
  calls: Call[];
  results: (Encoded | { weight: Encoded; bias: Encoded | null })[];
}

const cases = loadFixture<RandomCase[]>('engine-random.json');

describe('random streams match PyTorch under manualSeed', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    torch.manualSeed(c.seed);
    c.calls.forEach((call, k) => {
      const want = c.results[k];
      const what = `${c.name}, call ${k} (${JSON.stringify(call)})`;
      switch (call[0]) {
        case 'rand':
          expectTensorClose(torch.rand(call[1], { dtype: call[2] }), want as Encoded, what);
          break;
        case 'randn':
          expectTensorClose(torch.randn(call[1], { dtype: call[2] }), want as Encoded, what);
          break;
        case 'uniform_':
          expectTensorClose(
            torch.zeros(call[1], { dtype: call[2] }).uniform_(call[3], call[4]),
            want as Encoded,
            what,
          );
          break;
        case 'normal_':
          expectTensorClose(
            torch.zeros(call[1], { dtype: call[2] }).normal_(call[3], call[4]),
            want as Encoded,
            what,
          );
          break;
        case 'randint':
          expectTensorClose(torch.randint(call[1], call[2], call[3]), want as Encoded, what);
          break;
        case 'multinomial': {
          // The weights come from the same stream, as the fixture draws them.
          const weights = torch.rand(call[1], { dtype: call[2] }).pow(2);
          expectTensorClose(torch.multinomial(weights, call[3], call[4]), want as Encoded, what);
          break;
        }
        case 'linear': {
          const fc = new torch.nn.Linear(call[1], call[2], call[3]);
          const w = want as { weight: Encoded; bias: Encoded | null };
          expectTensorClose(fc.weight, w.weight, `${what}: weight`);
          expectTensorClose(fc.bias, w.bias, `${what}: bias`);
          break;
        }
      }
    });
  });

  it('the same seed gives the same numbers twice', () => {
    torch.manualSeed(5);
    const a = torch.randn(20).tolist();
    torch.manualSeed(5);
    expect(torch.randn(20).tolist()).toEqual(a);
  });
});
