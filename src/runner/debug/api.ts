// The global inspection API (`globalThis.__gradlens`) the extension calls through the debug
// adapter while the script is paused. Every method returns a JSON string: the adapter hands
// strings back whole with `context: 'copy'`, where an object would come back as a preview.
import { Inspector } from './inspect';
import { INSPECT_GLOBAL, INSPECT_VERSION } from './protocol';

export interface InspectApi {
  readonly version: number;
  /** `inspect({ get w() { return w; } })`: the tensors in scope and their graph, as JSON. */
  inspect(scope: object): string;
  /** One value described, as JSON (`null` when it is not a tensor). */
  describe(value: unknown, name?: string): string;
}

export function createInspectApi(inspector = new Inspector()): InspectApi {
  return {
    version: INSPECT_VERSION,
    inspect: (scope) => JSON.stringify(inspector.inspect(scope)),
    describe: (value, name) => JSON.stringify(inspector.describe(value, name)),
  };
}

/** Installs the API on `globalThis` (non-enumerable, so it does not show among the user's globals). */
export function installInspectApi(api: InspectApi = createInspectApi()): InspectApi {
  Object.defineProperty(globalThis, INSPECT_GLOBAL, { value: api, configurable: true, enumerable: false, writable: false });
  return api;
}
