// Reading the backward rules (src/engine/ops/backward-rules.ts) for the text of
// `gradlens run --explain` and for any view that steps through a backward pass.
import { RULES, type BackwardRule } from '../engine/ops/backward-rules';

/** AccumulateGrad's own rule: it adds what reached the leaf into `.grad`. */
export const ACCUMULATE_RULE =
  'leaf.grad += grad (the sum of every gradient that reached the leaf)';

/**
 * CopySlices is no primitive: it is the base's node after an in-place op on one of its views
 * (src/engine/ops/copy-slices.ts), and its inputs after the base are the wrapped op's others.
 */
const COPY_SLICES_RULE: BackwardRule = {
  forward: "base[view] = op(base[view], ...) (an in-place op on a view rewrote the base's history)",
  inputs: [
    [
      'base',
      "grad outside the view; inside it, the wrapped op's gradient for the view's old values",
    ],
    ['other', "the wrapped op's gradient for its other input, from grad inside the view"],
  ],
};

/** The rule for a node kind, or null for kinds without one (see genericRule). */
export function ruleFor(name: string): BackwardRule | null {
  // The TS engine names it with PyTorch's C++ namespace, the Python tracer without.
  const kind = name.slice(name.lastIndexOf(':') + 1);
  if (kind === 'CopySlices') return COPY_SLICES_RULE;
  return Object.hasOwn(RULES, kind) ? RULES[kind] : null;
}

/** The words for a node kind without a rule: what any node does. */
export function genericRule(name: string): string {
  return `${name} turns the gradient of its output (grad_outputs) into one gradient per input (grad_inputs)`;
}

/** The rule's line for input `slot`: variadic rules use their one entry for every input. */
export function inputRule(rule: BackwardRule, slot: number): readonly [string, string] | null {
  if (rule.variadic === true) {
    const [name, grad] = rule.inputs[0];
    return [name.replace('[i]', `[${slot}]`), grad.replace(/\bi\b/g, String(slot))];
  }
  return rule.inputs[slot] ?? null;
}
