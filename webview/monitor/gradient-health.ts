// When the training monitor calls a parameter's gradient vanishing or exploding. Pure, no DOM,
// so the rule is unit-tested (test/extension/monitor-gradient-health.test.ts).
//
// A tiny gradient alone does not mean it vanished: near a minimum the gradient shrinks with
// the loss (about like the loss for cross-entropy, like its square root for squared errors),
// so a run whose loss converged to 1e-11 has tiny gradients for a good reason. A gradient is
// called vanishing only when it is tiny in absolute terms and also tiny next to the loss it
// should be carrying back.

/** Norms below this are candidates for vanishing (and sit in the chart's tinted zone). */
export const VANISHING = 1e-7;
/** ...but only when also below this fraction of the step's loss. */
export const VANISHING_PER_LOSS = 1e-4;
/** Norms above this (or non-finite) are exploding. */
export const EXPLODING = 1e3;

export type GradientState = 'ok' | 'vanishing' | 'exploding';

/** Judges one step's gradient norm of one parameter against that step's loss. */
export function gradientState(norm: number, loss: number): GradientState {
  if (!(norm <= EXPLODING)) return 'exploding';
  if (norm >= VANISHING) return 'ok';
  // A loss that is not finite explains nothing; the loss warning covers that step anyway.
  if (!Number.isFinite(loss)) return 'vanishing';
  return norm < VANISHING_PER_LOSS * Math.abs(loss) ? 'vanishing' : 'ok';
}

/** What the monitor keeps per parameter while steps arrive. */
export interface ParamHealth {
  /** The latest norm, its step and the loss of that step. */
  last: number;
  lastStep: number;
  lastLoss: number;
  firstVanishing: number | null;
  firstExploding: number | null;
}

export function newParamHealth(): ParamHealth {
  return { last: NaN, lastStep: -1, lastLoss: NaN, firstVanishing: null, firstExploding: null };
}

/** Takes one step's norm (NaN: the parameter had no gradient at that step, skipped). */
export function recordNorm(p: ParamHealth, step: number, norm: number, loss: number): void {
  if (Number.isNaN(norm)) return;
  p.last = norm;
  p.lastStep = step;
  p.lastLoss = loss;
  const state = gradientState(norm, loss);
  if (state === 'vanishing' && p.firstVanishing === null) p.firstVanishing = step;
  if (state === 'exploding' && p.firstExploding === null) p.firstExploding = step;
}

/** The warning line for a parameter's latest gradient, or null when it looks healthy. */
export function gradientWarning(
  name: string,
  p: ParamHealth,
  fmt: (v: number) => string,
): { kind: 'vanishing' | 'exploding'; text: string } | null {
  if (p.lastStep < 0) return null;
  switch (gradientState(p.last, p.lastLoss)) {
    case 'exploding':
      return {
        kind: 'exploding',
        text: `${name}: exploding gradient (norm ${fmt(p.last)} at step ${p.lastStep}, first above ${fmt(EXPLODING)} at step ${p.firstExploding})`,
      };
    case 'vanishing':
      return {
        kind: 'vanishing',
        text:
          `${name}: vanishing gradient (norm ${fmt(p.last)} at step ${p.lastStep} while the loss is ${fmt(p.lastLoss)}: ` +
          `below ${fmt(VANISHING)} and below ${fmt(VANISHING_PER_LOSS)} × the loss, first at step ${p.firstVanishing})`,
      };
    case 'ok':
      return null;
  }
}
