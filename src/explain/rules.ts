// Reading the backward rules (src/engine/ops/backward-rules.ts) for the text of
// `gradlens run --explain` and for any view that steps through a backward pass.
import { RULES, type BackwardRule } from '../engine/ops/backward-rules';

/** AccumulateGrad's own rule: it adds what reached the leaf into `.grad`. */
export const ACCUMULATE_RULE =
  'leaf.grad += grad (the sum of every gradient that reached the leaf)';

/** The rule for a node kind, or null for kinds without one (see genericRule). */
export function ruleFor(name: string): BackwardRule | null {
  return Object.hasOwn(RULES, name) ? RULES[name] : null;
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
