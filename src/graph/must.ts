/**
 * A value the caller knows is there (a node looked up by an id taken from the same layout).
 * A missing one is a bug in the graph code: it throws, naming what was looked up, instead of
 * running on with `undefined`.
 *
 * @example
 * const box = must(byId.get(id), id);
 */
export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`graph: ${what} is missing`);
  return value;
}
