// Names for a graph's leaves and outputs: parameters by their module path (`fc1.weight`),
// other leaves and outputs by the expression the user's source passed (see names.ts).
// Names found by full captures are remembered, so later steps' training records use them.
import type { Tensor } from '../engine/index';
import type * as torch from '../engine/index';
import type { SourceLocation } from '../protocol/messages';
import { asName, callOperands, engineNamespaces } from './names';

type Node = torch.autograd.Node;

export class LeafNames {
  /** Names given to leaves by full captures, and their column order in the training record. */
  private readonly names = new WeakMap<Tensor, string>();
  private readonly rank = new Map<string, number>();
  /** The last step's named leaves, kept while a training loop passes the same leaves and no capture renames them. */
  private named: { leaves: Tensor[]; named: [string, Tensor][] } | null = null;

  /**
   * Remembers the names a capture gave, parameters in the model's own order (fc1.weight,
   * fc1.bias, ...) and other leaves after; the first name of a tensor wins.
   */
  remember(named: [string, Tensor][], params: Map<Tensor, string>): void {
    const seen = new Set<string>();
    const tracked: [string, Tensor][] = [];
    for (const [name, t] of named) {
      if (!seen.has(name)) {
        seen.add(name);
        tracked.push([name, t]);
      }
    }
    const rank = new Map([...params.values()].map((name, i) => [name, i]));
    tracked.sort((x, y) => (rank.get(x[0]) ?? rank.size) - (rank.get(y[0]) ?? rank.size));
    for (const [name, t] of tracked) {
      this.names.set(t, name);
      if (!this.rank.has(name)) this.rank.set(name, this.rank.size);
    }
    this.named = null; // names may have changed: sort the named leaves again
  }

  /** The leaves that have names, in parameter order. */
  namedLeaves(leaves: Tensor[]): [string, Tensor][] {
    const last = this.named;
    if (
      last !== null &&
      last.leaves.length === leaves.length &&
      last.leaves.every((t, i) => t === leaves[i])
    ) {
      return last.named;
    }
    const named: [string, Tensor][] = [];
    for (const t of leaves) {
      const name = this.names.get(t);
      if (name !== undefined) named.push([name, t]);
    }
    named.sort((x, y) => (this.rank.get(x[0]) ?? Infinity) - (this.rank.get(y[0]) ?? Infinity));
    this.named = { leaves, named };
    return named;
  }
}

/** The expression passed as input `slot` of the call that created `consumer`, when it is a plain name. */
export function leafName(consumer: Node, slot: number, loc: SourceLocation | null): string | null {
  if (loc === null) return null;
  const ops = callOperands(loc, engineNamespaces(loc.file));
  if (ops === null) return null;
  // Only tensor operands occupy nextFunctions slots; when a call also took numbers, the
  // slot count and operand count differ and only an unambiguous match is trusted.
  const tensors = ops.filter((o) => !/^[-+\d.e]+$/.test(o));
  const n = consumer._edgeCount;
  const pick = ops.length === n ? ops[slot] : tensors.length === n ? tensors[slot] : undefined;
  const name = asName(pick);
  return name === null ? null : name.replace(/^this\./, '');
}

/** The receiver of the backward() call (`loss` in `loss.backward()`), else 'output'. */
export function outputName(callSite: SourceLocation | null): string {
  if (callSite === null) return 'output';
  return asName(callOperands(callSite, engineNamespaces(callSite.file))?.[0]) ?? 'output';
}
