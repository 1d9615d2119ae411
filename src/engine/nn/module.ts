// nn.Module: parameters and submodules are discovered from the instance's own fields, in
// assignment order, as PyTorch registers them. Every forward call is wrapped so the
// runner can tell which module call created each graph node.
import { torchSize } from '../print/size';
import { Tensor } from '../tensor';
import { Parameter } from './parameter';

const moduleStack: Module[] = [];
/** One number per module call on moduleStack, unique in the process: tells two calls of one module apart. */
const callStack: number[] = [];
let nextCall = 0;
const WRAPPED = Symbol('gradlens.forwardWrapped');
/** A prototype on a module's chain, as the constructor wraps its forward. */
interface ModuleClass {
  forward: (...args: unknown[]) => unknown;
  [WRAPPED]?: true;
}

/**
 * The outermost module call whose qualified names are assigned. Names are assigned on first
 * request within each outermost call (the module tree may change between calls), not at every
 * call: walking the tree every training step costs more than a small model's forward.
 */
let namedRoot: Module | null = null;

/** `forward` run inside its module's scope; `super.forward` calls stay in the same scope. */
function scoped(
  inner: (...args: unknown[]) => unknown,
): (this: Module, ...args: unknown[]) => unknown {
  return function (this: Module, ...args: unknown[]): unknown {
    if (moduleStack[moduleStack.length - 1] === this) return inner.apply(this, args);
    if (moduleStack.length === 0) namedRoot = null;
    moduleStack.push(this);
    callStack.push(nextCall++);
    try {
      return inner.apply(this, args);
    } finally {
      moduleStack.pop();
      callStack.pop();
    }
  };
}
const qualifiedNames = new WeakMap<Module, string>();

/**
 * A function object on `proto`'s chain that calls its own `forward`. The function's own
 * `name` and `length` (read-only on functions) are removed so subclasses can have fields of
 * those names; nothing else of Function is on the chain.
 */
function callableInstance(proto: object): Module {
  const self = Object.setPrototypeOf(
    (...inputs: unknown[]): unknown => self.forward(...inputs),
    proto,
  ) as Module;
  Reflect.deleteProperty(self, 'name');
  Reflect.deleteProperty(self, 'length');
  return self;
}

/**
 * Wraps each class's forward on `module`'s chain once, so module scopes are tracked however
 * forward is reached. Wrapping per class, not per instance, keeps call sites monomorphic: a
 * closure per instance made V8 embed and then discard each model's own functions,
 * deoptimising training loops after every new model.
 */
function wrapForwards(module: Module): void {
  for (
    let proto = Object.getPrototypeOf(module) as ModuleClass | null;
    proto !== Module.prototype && proto !== null;
    proto = Object.getPrototypeOf(proto) as ModuleClass | null
  ) {
    if (
      Object.prototype.hasOwnProperty.call(proto, 'forward') &&
      !Object.prototype.hasOwnProperty.call(proto, WRAPPED)
    ) {
      proto.forward = scoped(proto.forward);
      proto[WRAPPED] = true;
    }
  }
}

/**
 * The qualified names of the module calls now running, outermost first
 * (e.g. `['Net', 'Net.fc1']`); empty outside any forward.
 * @example
 * torch.nn.currentModulePath(); // []
 */
export function currentModulePath(): string[] {
  if (moduleStack.length > 0 && namedRoot !== moduleStack[0]) {
    namedRoot = moduleStack[0];
    assignNames(namedRoot, namedRoot.constructor.name);
  }
  return moduleStack.map((m) => qualifiedNames.get(m) ?? m.constructor.name);
}

/**
 * @internal The module instances whose forward is running, outermost first. The runner
 * reads it to name parameters (`fc1.weight`) in captured graphs.
 * @example
 * torch.nn._activeModules(); // [] outside any forward
 */
export function _activeModules(): readonly Module[] {
  return moduleStack;
}

/**
 * @internal A number for each module call now running, outermost first, unique within the
 * process: two calls of the same module (`cell(cell(h))`) get different numbers. The runner
 * records it so the graph view does not merge back-to-back calls into one group.
 * @example
 * torch.nn._activeModuleCalls(); // [] outside any forward
 */
export function _activeModuleCalls(): readonly number[] {
  return callStack;
}

/** A module is callable: `model(x)` runs `forward(x)`, typed as the subclass's forward. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- a class cannot declare a call signature; the constructor returns a function
export interface Module {
  (...inputs: Parameters<this['forward']>): ReturnType<this['forward']>;
}

/**
 * Base class for all neural network modules. Subclass it, assign layers and parameters as
 * fields, and implement `forward`; call the module as a function, as in PyTorch.
 *
 * @example
 * class Net extends torch.nn.Module {
 *   fc1 = new torch.nn.Linear(1, 10);
 *   fc2 = new torch.nn.Linear(10, 1);
 *   forward(x: torch.Tensor) { return this.fc2(this.fc1(x).relu()); }
 * }
 * const y = new Net()(torch.randn(4, 1));
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export abstract class Module {
  /** Whether the module is in training mode (affects Dropout and BatchNorm). */
  declare training: boolean;

  constructor() {
    // A module is a function object, so `model(x)` runs `forward` as in PyTorch; the
    // prototype chain stays the class's, so `instanceof` and every method work as before.
    const self = callableInstance(new.target.prototype as object);
    // Here, not as a field initializer: those of this base class would land on the `this`
    // that the returned function object replaces (subclasses' fields land on it correctly).
    self.training = true;
    wrapForwards(self);
    return self;
  }

  /** The computation. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- subclasses narrow the parameters; with unknown[] the call signature would make every subclass unassignable to Module
  abstract forward(...inputs: any[]): unknown;

  /** `module.call(x)` is `module.forward(x)`, PyTorch's `module(x)`. @example model.call(x); */
  call(...inputs: unknown[]): unknown {
    return this.forward(...inputs);
  }

  /**
   * Direct submodules with their field names.
   * @example for (const [name, m] of model.namedChildren()) console.log(name);
   */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of Object.entries(this)) if (v instanceof Module) yield [k, v];
  }

  /** Direct submodules. @example [...model.children()].length; */
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and all below it, with dotted names. @example [...model.namedModules()]; */
  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k);
  }

  /** @example [...model.modules()]; */
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /**
   * Parameters with dotted names like `fc1.weight`, each once.
   * @example for (const [name, p] of model.namedParameters()) console.log(name, p.shape);
   */
  *namedParameters(prefix = ''): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    for (const [modName, m] of this.namedModules(prefix)) {
      for (const [k, v] of Object.entries(m)) {
        if (v instanceof Parameter && !seen.has(v)) {
          seen.add(v);
          yield [modName ? `${modName}.${k}` : k, v];
        }
      }
    }
  }

  /** All parameters, e.g. for an optimizer. @example new torch.optim.Adam(model.parameters()); */
  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /** Sets training mode here and below. @example model.train(); */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode (Dropout off). @example model.eval(); */
  eval(): this {
    return this.train(false);
  }

  /** Sets every parameter's grad to null (PyTorch 2.x default). @example model.zeroGrad(); */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Buffers (state that is not a parameter, such as BatchNorm's running statistics) with
   * dotted names, under PyTorch's names: `bn.running_mean`.
   * @example for (const [name, b] of model.namedBuffers()) console.log(name, b.shape);
   */
  *namedBuffers(prefix = ''): Generator<[string, Tensor]> {
    for (const [modName, m] of this.namedModules(prefix)) {
      for (const [k, b] of m.ownBuffers()) yield [modName ? `${modName}.${k}` : k, b];
    }
  }

  /** The buffers this module itself holds, by PyTorch's names; none unless a layer has some. */
  protected ownBuffers(): [string, Tensor][] {
    return [];
  }

  /** Sets one of `ownBuffers()` from a state dict (the shape is already checked). */
  protected loadOwnBuffer(name: string, _value: Tensor): void {
    throw new Error(`${this.constructor.name} has no buffer ${name}`);
  }

  /**
   * Parameters and buffers by name, as detached copies, in PyTorch's order: each module's
   * parameters, then its buffers, then its submodules'.
   * @example const saved = model.stateDict();
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [k, t] of this.stateEntries()) out[k] = t.detach().clone();
    return out;
  }

  /** What the state dict holds: [name, tensor, module and its own name for buffers]. */
  private *stateEntries(): Generator<[string, Tensor, Module | null, string]> {
    const params = new Map(this.namedParameters());
    for (const [modName, m] of this.namedModules()) {
      const dotted = (k: string): string => (modName ? `${modName}.${k}` : k);
      for (const [k, v] of Object.entries(m)) {
        if (v instanceof Parameter && params.get(dotted(k)) === v) yield [dotted(k), v, null, k];
      }
      for (const [k, b] of m.ownBuffers()) yield [dotted(k), b, m, k];
    }
  }

  /**
   * Copies values from a state dict into the parameters and buffers; names and shapes must match.
   * @example model.loadStateDict(saved);
   */
  loadStateDict(state: Record<string, Tensor>, strict = true): void {
    const entries = [...this.stateEntries()];
    const names = new Set(entries.map(([k]) => k));
    const missing = [...names].filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !names.has(k));
    if (strict && (missing.length || unexpected.length)) {
      throw new Error(
        `Error(s) in loading state_dict for ${this.constructor.name}:\n\tMissing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(', ')}. \n\tUnexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}. `,
      );
    }
    for (const [k, t, owner, own] of entries) {
      const v = state[k] as Tensor | undefined;
      if (v === undefined) continue;
      if (v.shape.join() !== t.shape.join()) {
        throw new Error(
          `Error(s) in loading state_dict for ${this.constructor.name}:\n\tsize mismatch for ${k}: copying a param with shape ${torchSize(v.shape)} from checkpoint, the shape in current model is ${torchSize(t.shape)}.`,
        );
      }
      if (owner === null) t.data = v.to(t.dtype);
      else owner.loadOwnBuffer(own, v);
    }
  }

  toString(): string {
    const kids = [...this.namedChildren()];
    if (kids.length === 0) return `${this.constructor.name}(${this.extraRepr()})`;
    const lines = kids.map(([k, m]) => `  (${k}): ${String(m).replace(/\n/g, '\n  ')}`);
    return `${this.constructor.name}(\n${lines.join('\n')}\n)`;
  }

  /** Extra text inside this module's `toString()`. */
  extraRepr(): string {
    return '';
  }

  /** @internal console.log shows PyTorch's module text, not the fields. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function assignNames(root: Module, rootName: string): void {
  for (const [path, m] of root.namedModules())
    qualifiedNames.set(m, path ? `${rootName}.${path}` : rootName);
}
