// The group tree of a snapshot: nn.Module calls and repeated blocks, for the collapsed view.
//
// Module calls: a node's `modulePath` names the module calls running when it was created
// (`['Net', 'Net.cell']`) and `moduleCalls` tells which call of `Net.cell` it was. Nodes are
// created in sequence order and a module call creates its nodes without interruption, so one
// call is a maximal run (in sequenceNr order) of function nodes sharing that path prefix and
// call numbers (snapshots without call numbers split by path only, merging back-to-back calls). Runs are
// intervals of the creation order, so collapsing any set of them keeps the graph acyclic.
//
// Repeated blocks: within a group, consecutive items (child groups and nodes) whose
// structure repeats (the same cell and head called at every step of an unrolled RNN) are
// gathered into one `repeat` group of `count` `step` groups.
//
// AccumulateGrad nodes belong to the innermost group holding all their consumers (a weight
// used at every step sits beside the repeat, not inside one step); tensors (leaves, saved)
// go with the node they hang from; outputs stay at the top.
import type { GraphNode, GraphSnapshot } from '../protocol/messages';

export type GroupKind = 'call' | 'repeat' | 'step';

export interface GraphGroup {
  /** `group:<n>`, numbered in creation order: the same snapshot always gives the same ids. */
  id: string;
  kind: GroupKind;
  /** The module's qualified name for a call (`Net.cell`); what repeats for a repeat; `#3` for a step. */
  label: string;
  parent: string | null;
  /** Child groups and node ids directly inside, in creation order. */
  items: string[];
  /** Function and AccumulateGrad nodes inside, at any depth. */
  size: number;
  /** Steps of a repeat. */
  count: number;
  /** The module path a call ran in, outermost first (ending with this call's module). */
  modulePath: string[];
}

export interface GroupTree {
  groups: Map<string, GraphGroup>;
  /** Top-level items (groups and nodes outside any module). */
  roots: string[];
  /** Innermost group of every node, null at the top. */
  groupOf: Map<string, string | null>;
}

export const GROUP_PREFIX = 'group:';

/** Whether an id names a group (a collapsed box in a view) rather than a node. @example isGroupId('group:3') */
export function isGroupId(id: string): boolean {
  return id.startsWith(GROUP_PREFIX);
}

/** Longest repeated unit looked for, in items. */
const MAX_PERIOD = 24;

/**
 * @example
 * const tree = groupTree(snapshot);
 * tree.roots; // ['group:0', 'n0', ...]
 */
export function groupTree(snapshot: GraphSnapshot): GroupTree {
  const groups = new Map<string, GraphGroup>();
  const groupOf = new Map<string, string | null>();
  const roots: string[] = [];
  let counter = 0;
  const newGroup = (
    kind: GroupKind,
    label: string,
    parent: string | null,
    modulePath: string[],
  ): GraphGroup => {
    const g: GraphGroup = {
      id: `${GROUP_PREFIX}${counter++}`,
      kind,
      label,
      parent,
      items: [],
      size: 0,
      count: 0,
      modulePath,
    };
    groups.set(g.id, g);
    (parent === null ? roots : groups.get(parent)!.items).push(g.id);
    return g;
  };
  const itemsOf = (parent: string | null): string[] =>
    parent === null ? roots : groups.get(parent)!.items;

  // 1. Module calls as runs of the creation order.
  const order = snapshot.nodes.map((n, i) => ({ n, i })).filter((x) => x.n.kind === 'function');
  order.sort((a, b) => a.n.sequenceNr - b.n.sequenceNr || a.i - b.i);
  const open: GraphGroup[] = [];
  const openCalls: (number | undefined)[] = [];
  for (const { n } of order) {
    const path = n.modulePath;
    const calls = n.moduleCalls;
    let keep = 0;
    while (
      keep < open.length &&
      keep < path.length &&
      open[keep].label === path[keep] &&
      openCalls[keep] === calls?.[keep]
    )
      keep++;
    open.length = keep;
    openCalls.length = keep;
    for (let d = keep; d < path.length; d++) {
      open.push(newGroup('call', path[d], d === 0 ? null : open[d - 1].id, path.slice(0, d + 1)));
      openCalls.push(calls?.[d]);
    }
    const g = open.length ? open[open.length - 1].id : null;
    groupOf.set(n.id, g);
    itemsOf(g).push(n.id);
  }

  // 2. AccumulateGrad: the innermost group holding every consumer.
  const consumers = new Map<string, string[]>();
  for (const n of snapshot.nodes)
    for (const e of n.next)
      if (e !== null) (consumers.get(e.id) ?? consumers.set(e.id, []).get(e.id)!).push(n.id);
  const chain = (g: string | null): (string | null)[] => {
    const out: (string | null)[] = [];
    for (let c = g; c !== null; c = groups.get(c)!.parent) out.unshift(c);
    return out;
  };
  for (const n of snapshot.nodes) {
    if (n.kind !== 'accumulate') continue;
    let common: (string | null)[] | null = null;
    for (const c of consumers.get(n.id) ?? []) {
      const ch = chain(groupOf.get(c) ?? null);
      if (common === null) common = ch;
      else {
        let k = 0;
        while (k < common.length && k < ch.length && common[k] === ch[k]) k++;
        common = common.slice(0, k);
      }
    }
    const g = common !== null && common.length > 0 ? common[common.length - 1] : null;
    groupOf.set(n.id, g);
    itemsOf(g).push(n.id);
  }
  // Tensors go with their owner; outputs (and anything unattached) stay on top.
  const byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
  const ownerGroup = (n: GraphNode): string | null => {
    if (n.kind === 'output' || n.attachedTo === null) return null;
    const owner = byId.get(n.attachedTo);
    return owner === undefined ? null : (groupOf.get(owner.id) ?? null);
  };
  for (const n of snapshot.nodes) {
    if (n.kind === 'function' || n.kind === 'accumulate') continue;
    const g = ownerGroup(n);
    groupOf.set(n.id, g);
    itemsOf(g).push(n.id);
  }

  // 3. Sizes, then repeated blocks bottom-up (children were created after their parents).
  const counted = (id: string): number => {
    const k = byId.get(id)?.kind;
    return k === 'function' || k === 'accumulate' ? 1 : 0;
  };
  const ids = [...groups.keys()];
  for (let i = ids.length - 1; i >= 0; i--) {
    const g = groups.get(ids[i])!;
    g.size = g.items.reduce((s, it) => s + (isGroupId(it) ? groups.get(it)!.size : counted(it)), 0);
  }
  const tokens = new Map<string, number>();
  const intern = (s: string): number =>
    tokens.get(s) ?? (tokens.set(s, tokens.size), tokens.size - 1);
  const tokenOf = new Map<string, number>();
  const token = (item: string): number => {
    if (!isGroupId(item)) return intern(`N${byId.get(item)?.name ?? item}`);
    let t = tokenOf.get(item);
    if (t === undefined) {
      const g = groups.get(item)!;
      // Numbers in module names do not count: `layers.3` repeats `layers.2` (nn.Sequential).
      t = intern(
        `G${g.kind}:${g.label.replace(/\d+/g, '#')}:${g.items.filter(inSequence).map(token).join(',')}`,
      );
      tokenOf.set(item, t);
    }
    return t;
  };
  // Only function nodes and groups are in creation order; accumulate and tensor nodes float.
  const inSequence = (item: string): boolean =>
    isGroupId(item) || byId.get(item)?.kind === 'function';
  const findRepeats = (parent: string | null): void => {
    const items = itemsOf(parent);
    const seq = items.filter(inSequence);
    if (seq.length < 2) return;
    const floating = items.filter((it) => !inSequence(it));
    const tok = seq.map(token);
    const out: string[] = [];
    let i = 0;
    while (i < seq.length) {
      let best = { p: 0, k: 1 };
      for (let p = 1; p <= MAX_PERIOD && i + 2 * p <= seq.length; p++) {
        let k = 1;
        while (i + (k + 1) * p <= seq.length && sameBlock(tok, i, i + k * p, p)) k++;
        // A repeat must hold a module call or span several items: two identical bare ops
        // in a row are not worth a box.
        if (k >= 2 && k * p > best.k * best.p && (p > 1 || isGroupId(seq[i]) || k >= 3))
          best = { p, k };
      }
      if (best.p === 0) {
        out.push(seq[i++]);
        continue;
      }
      const unit = seq.slice(i, i + best.p);
      const what = [
        ...new Set(
          unit.map((it) => (isGroupId(it) ? groups.get(it)!.label : (byId.get(it)?.name ?? it))),
        ),
      ];
      let label = what.length > 3 ? `${what.slice(0, 3).join(', ')}, …` : what.join(', ');
      const lastLabel = seq[i + (best.k - 1) * best.p];
      if (best.p === 1 && isGroupId(lastLabel) && groups.get(lastLabel)!.label !== label)
        label = `${label} … ${groups.get(lastLabel)!.label}`;
      const parentPath = parent === null ? [] : groups.get(parent)!.modulePath;
      const rep = newGroup('repeat', label, parent, parentPath);
      itemsOf(parent).pop(); // newGroup appended it; `out` decides the order
      rep.count = best.k;
      for (let s = 0; s < best.k; s++) {
        if (best.p === 1) {
          // One item a step: the item itself is the step.
          const it = seq[i + s];
          rep.items.push(it);
          if (isGroupId(it)) groups.get(it)!.parent = rep.id;
          else groupOf.set(it, rep.id);
          rep.size += isGroupId(it) ? groups.get(it)!.size : counted(it);
          continue;
        }
        const step = newGroup('step', `#${s + 1}`, rep.id, parentPath);
        for (const it of seq.slice(i + s * best.p, i + (s + 1) * best.p)) {
          step.items.push(it);
          if (isGroupId(it)) groups.get(it)!.parent = step.id;
          else groupOf.set(it, step.id);
          step.size += isGroupId(it) ? groups.get(it)!.size : counted(it);
        }
        rep.size += step.size;
      }
      out.push(rep.id);
      i += best.k * best.p;
    }
    items.length = 0;
    items.push(...out, ...floating);
  };
  for (let i = ids.length - 1; i >= 0; i--) findRepeats(ids[i]);
  findRepeats(null);
  // Tensors hanging from nodes that moved into a step follow them.
  for (const n of snapshot.nodes) {
    if (n.kind === 'function' || n.kind === 'accumulate') continue;
    const want = ownerGroup(n);
    const have = groupOf.get(n.id) ?? null;
    if (want === have) continue;
    const from = itemsOf(have);
    from.splice(from.indexOf(n.id), 1);
    itemsOf(want).push(n.id);
    groupOf.set(n.id, want);
  }
  return { groups, roots, groupOf };
}

function sameBlock(tok: number[], a: number, b: number, p: number): boolean {
  for (let j = 0; j < p; j++) if (tok[a + j] !== tok[b + j]) return false;
  return true;
}
