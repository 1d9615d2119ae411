// The training monitor's vanishing/exploding rule: a tiny gradient of a converged loss is not
// vanishing; a tiny gradient while the loss is still large is.
import { describe, expect, test } from 'vitest';
import {
  gradientState,
  gradientWarning,
  newParamHealth,
  recordNorm,
} from '../../webview/monitor/gradient-health';

const fmt = (v: number): string => v.toExponential(1);

describe('gradientState', () => {
  test('a converged loss explains a tiny gradient', () => {
    expect(gradientState(3e-9, 1.7e-11)).toBe('ok');
    expect(gradientState(4e-12, 1.7e-11)).toBe('ok');
    expect(gradientState(0, 0)).toBe('ok');
  });

  test('a tiny gradient while the loss is still large is vanishing', () => {
    expect(gradientState(1e-20, 0.69)).toBe('vanishing');
    expect(gradientState(5e-8, 2.3)).toBe('vanishing');
    expect(gradientState(0, 1)).toBe('vanishing');
  });

  test('ordinary and large norms', () => {
    expect(gradientState(0.02, 0.5)).toBe('ok');
    expect(gradientState(1e-7, 100)).toBe('ok');
    expect(gradientState(2e3, 1)).toBe('exploding');
    expect(gradientState(Infinity, 1)).toBe('exploding');
    expect(gradientState(NaN, 1)).toBe('exploding');
  });

  test('a non-finite loss leaves the absolute rule', () => {
    expect(gradientState(1e-9, NaN)).toBe('vanishing');
  });
});

describe('gradientWarning', () => {
  test('says nothing for a converged run whose gradients shrank with its loss', () => {
    const p = newParamHealth();
    recordNorm(p, 1, 0.8, 2.3);
    recordNorm(p, 500, 6e-9, 1.7e-11);
    expect(gradientWarning('fc.weight', p, fmt)).toBeNull();
    expect(p.firstVanishing).toBeNull();
  });

  test('says why it fired: the norm, the loss and both bounds', () => {
    const p = newParamHealth();
    recordNorm(p, 1, 0.3, 0.7);
    recordNorm(p, 2, 1e-21, 0.69);
    recordNorm(p, 3, NaN, 0.69); // no gradient at this step: the last norm stands
    const w = gradientWarning('layers.0.weight', p, fmt);
    expect(w?.kind).toBe('vanishing');
    expect(w?.text).toBe(
      'layers.0.weight: vanishing gradient (norm 1.0e-21 at step 2 while the loss is 6.9e-1: below 1.0e-7 and below 1.0e-4 × the loss, first at step 2)',
    );
  });

  test('exploding, and nothing before the first norm', () => {
    expect(gradientWarning('w', newParamHealth(), fmt)).toBeNull();
    const p = newParamHealth();
    recordNorm(p, 7, 5e4, 1e6);
    expect(gradientWarning('w', p, fmt)?.text).toBe(
      'w: exploding gradient (norm 5.0e+4 at step 7, first above 1.0e+3 at step 7)',
    );
  });
});
