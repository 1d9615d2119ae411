// The walkthrough is offered once per user: the first call says yes and records it.
import { expect, test } from 'vitest';
import { firstOffer, type OfferState } from '../../src/extension/onboarding/first-run';

function memento(): OfferState & { readonly values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return {
    values,
    get: (k: string) => values.get(k),
    update: (k, v) => {
      values.set(k, v);
      return Promise.resolve();
    },
  };
}

test('only the first call offers the walkthrough', async () => {
  const state = memento();
  expect(await firstOffer(state)).toBe(true);
  expect(await firstOffer(state)).toBe(false);
  expect(await firstOffer(state)).toBe(false);
});

test('what the first call records survives into a new session of the same user', async () => {
  const first = memento();
  await firstOffer(first);
  const later = memento();
  for (const [k, v] of first.values) await later.update(k, v);
  expect(await firstOffer(later)).toBe(false);
});
