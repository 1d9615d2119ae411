// The global inspection API (`globalThis.__gradlens`) the extension calls through the debug
// adapter while the script is paused. Every method returns a JSON string: the adapter hands
// strings back whole with `context: 'copy'`, where an object would come back as a preview.
import { Inspector } from './inspect';
import { INSPECT_GLOBAL, INSPECT_VERSION } from './protocol';

export interface InspectApi {
  readonly version: number;
  /**
   * The tensors in scope and their graph, as JSON. `scope` is `[name, () => value]` pairs
   * (arrows keep the paused frame's `this`) or an object of getters.
   */
  inspect(scope: object | [string, () => unknown][]): string;
  /** One value described, as JSON (`null` when it is not a tensor). */
  describe(value: unknown, name?: string): string;
}

export function createInspectApi(inspector = new Inspector()): InspectApi {
  return {
    version: INSPECT_VERSION,
    inspect: (scope) =>
      JSON.stringify(inspector.inspect(Array.isArray(scope) ? fromThunks(scope) : scope)),
    describe: (value, name) => JSON.stringify(inspector.describe(value, name)),
  };
}

function fromThunks(pairs: [string, () => unknown][]): object {
  const scope = {};
  for (const [name, get] of pairs) Object.defineProperty(scope, name, { get, enumerable: true });
  return scope;
}

/** Installs the API on `globalThis` (non-enumerable, so it does not show among the user's globals). */
export function installInspectApi(api: InspectApi = createInspectApi()): InspectApi {
  Object.defineProperty(globalThis, INSPECT_GLOBAL, {
    value: api,
    configurable: true,
    enumerable: false,
    writable: false,
  });
  return api;
}
