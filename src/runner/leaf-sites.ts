// Where the script made each leaf that requires grad, and the variable its statement assigned
// it to (`w` in `const [w, b] = [torch.randn([3], { requiresGrad: true }), ...]`). The Python
// tracer names a leaf after the variable of the user's frames that holds it, wherever it is
// used; the statement that made it is the nearest a TypeScript runner can read, and it names
// a leaf that is used only under another name (a function's parameter, a module's input).
import { Tensor } from '../engine/index';
import type { SourceLocation } from '../protocol/messages';
import { currentUserLocation } from './stack';
import { assignedName } from './var-names';

const sites = new WeakMap<Tensor, SourceLocation>();
/** Whether sites are recorded now (while a full capture is armed, as node locations are). */
let recording = false;
/** Names by site: a loop makes its leaves at one place, read once. */
const names = new Map<string, string | null>();

/** Starts or stops recording where leaves are made. */
export function recordLeafSites(on: boolean): void {
  recording = on;
}

/**
 * Records the user's source location whenever a leaf starts to require grad (factories'
 * `requiresGrad: true`, `requiresGrad_()`, nn.Parameter all set `requiresGrad`), while
 * recordLeafSites says so.
 */
export function installLeafSites(): void {
  const desc = Object.getOwnPropertyDescriptor(Tensor.prototype, 'requiresGrad');
  if (desc?.get === undefined || desc.set === undefined) return;
  const { get, set } = desc as {
    get: (this: Tensor) => boolean;
    set: (this: Tensor, v: boolean) => void;
  };
  Object.defineProperty(Tensor.prototype, 'requiresGrad', {
    ...desc,
    get,
    set(this: Tensor, value: boolean) {
      const was = recording && get.call(this);
      set.call(this, value);
      if (recording && value && !was) {
        const loc = currentUserLocation();
        if (loc !== null) sites.set(this, loc);
      }
    },
  });
}

/** The variable the statement that made `t` assigned it to, if the source says. */
export function createdName(t: Tensor): string | null {
  const loc = sites.get(t);
  if (loc === undefined) return null;
  const key = `${loc.file}:${String(loc.line)}:${String(loc.column)}`;
  let name = names.get(key);
  if (name === undefined) names.set(key, (name = assignedName(loc)));
  return name;
}
