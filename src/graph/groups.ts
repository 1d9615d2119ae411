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
import type { GraphNode, GraphSnapshot, GroupKind, SnapshotGroup } from '../protocol/messages';
import { must } from './must';

/** A module call, a repeat or one of its steps (the fields are documented in the protocol). */
export type GraphGroup = SnapshotGroup;
export type { GroupKind };

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

/**
 * Whether a group's contents are in the snapshot: not in a box of a snapshot cut to its size
 * limit (the CLI's), which can be shown but not opened.
 */
export function hasContents(g: GraphGroup): boolean {
  return g.items.length > 0;
}

/** Repeats of fewer steps get no frame (nor their steps): two alike calls in a row are no loop worth a frame. */
export const MIN_FRAMED_STEPS = 3;

/**
 * The group itself or its nearest enclosing group drawn with a frame when open (null at the
 * top): module calls always, repeats and their steps from MIN_FRAMED_STEPS steps on.
 */
export function framedGroup(tree: GroupTree, group: string | null): string | null {
  let g = group;
  while (g !== null) {
    const info = must(tree.groups.get(g), g);
    const repeat = info.kind === 'step' ? tree.groups.get(info.parent ?? '') : info;
    if (info.kind === 'call' || (repeat?.count ?? 0) >= MIN_FRAMED_STEPS) return g;
    g = info.parent;
  }
  return null;
}

/**
 * What a group's frame says: the module's name without its enclosing module's (`fc1` inside
 * `Net`), a repeat's count, a step's number.
 */
export function frameLabelOf(g: GraphGroup, tree: GroupTree): string {
  switch (g.kind) {
    case 'call': {
      const outer = g.modulePath.at(-2);
      return outer !== undefined && g.label.startsWith(`${outer}.`)
        ? g.label.slice(outer.length + 1)
        : g.label;
    }
    case 'repeat': // the count first: a long label is cut at the frame's width
      return `×${String(g.count)} ${g.label}`;
    case 'step': {
      const rep = g.parent === null ? undefined : tree.groups.get(g.parent);
      return `step ${g.label}${rep === undefined ? '' : ` of ${String(rep.count)}`}`;
    }
  }
}

/** Longest repeated unit looked for, in items. */
const MAX_PERIOD = 24;

/**
 * @example
 * const tree = groupTree(snapshot);
 * tree.roots; // ['group:0', 'n0', ...]
 */
export function groupTree(snapshot: GraphSnapshot): GroupTree {
  // A snapshot already limited to boxes (the CLI's) holds `group:<n>` boxes, not module
  // calls: its groups came with it (none when it was cut to the nodes nearest the outputs).
  if (snapshot.collapsed) return givenTree(snapshot);
  const b = new TreeBuilder(snapshot);
  b.addModuleCalls();
  b.addAccumulators();
  b.addTensors();
  b.countSizes();
  b.findAllRepeats();
  b.followOwners();
  return { groups: b.groups, roots: b.roots, groupOf: b.groupOf };
}

/**
 * The tree of a limited snapshot, from its `groups`: a box (a node with a group's id) belongs
 * where its group does, so that folding the frame around it folds it too.
 */
function givenTree(snapshot: GraphSnapshot): GroupTree {
  const groups = new Map((snapshot.groups ?? []).map((g) => [g.id, { ...g, items: [...g.items] }]));
  const groupOf = new Map<string, string | null>(snapshot.nodes.map((n) => [n.id, null]));
  for (const g of groups.values())
    for (const it of g.items) if (!groups.has(it)) groupOf.set(it, g.id);
  for (const n of snapshot.nodes) {
    const box = groups.get(n.id);
    if (box !== undefined) groupOf.set(n.id, box.parent);
  }
  const roots = [
    ...[...groups.values()].filter((g) => g.parent === null && g.items.length > 0).map((g) => g.id),
    ...snapshot.nodes.filter((n) => groupOf.get(n.id) === null).map((n) => n.id),
  ];
  return { groups, roots, groupOf };
}

/** The tree under construction; each step of `groupTree` is one method. */
class TreeBuilder {
  readonly groups = new Map<string, GraphGroup>();
  readonly groupOf = new Map<string, string | null>();
  readonly roots: string[] = [];
  private readonly byId: Map<string, GraphNode>;
  private counter = 0;

  constructor(private readonly snapshot: GraphSnapshot) {
    this.byId = new Map();
    for (const n of snapshot.nodes) this.byId.set(n.id, n);
  }

  group(id: string): GraphGroup {
    return must(this.groups.get(id), id);
  }

  itemsOf(parent: string | null): string[] {
    return parent === null ? this.roots : this.group(parent).items;
  }

  newGroup(
    kind: GroupKind,
    label: string,
    parent: string | null,
    modulePath: string[],
  ): GraphGroup {
    const g: GraphGroup = {
      id: `${GROUP_PREFIX}${this.counter++}`,
      kind,
      label,
      parent,
      items: [],
      size: 0,
      count: 0,
      modulePath,
    };
    this.groups.set(g.id, g);
    this.itemsOf(parent).push(g.id);
    return g;
  }

  /** 1. Module calls as runs of the creation order. */
  addModuleCalls(): void {
    const open: GraphGroup[] = [];
    const openCalls: (number | undefined)[] = [];
    for (const n of inCreationOrder(this.snapshot.nodes)) {
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
        open.push(
          this.newGroup('call', path[d], d === 0 ? null : open[d - 1].id, path.slice(0, d + 1)),
        );
        openCalls.push(calls?.[d]);
      }
      const g = open.length ? open[open.length - 1].id : null;
      this.groupOf.set(n.id, g);
      this.itemsOf(g).push(n.id);
    }
  }

  /** 2. AccumulateGrad: the innermost group holding every consumer. */
  addAccumulators(): void {
    // Only the edges into AccumulateGrad nodes are needed, a small part of all edges.
    const consumers = new Map<string, string[]>();
    for (const n of this.snapshot.nodes) if (n.kind === 'accumulate') consumers.set(n.id, []);
    for (const n of this.snapshot.nodes)
      for (const e of n.next) if (e !== null) consumers.get(e.id)?.push(n.id);
    const chain = (g: string | null): (string | null)[] => {
      const out: (string | null)[] = [];
      for (let c = g; c !== null; c = this.group(c).parent) out.push(c);
      return out.reverse();
    };
    for (const n of this.snapshot.nodes) {
      if (n.kind !== 'accumulate') continue;
      let common: (string | null)[] | null = null;
      let last: string | null | undefined = undefined;
      for (const c of consumers.get(n.id) ?? []) {
        const g = this.groupOf.get(c) ?? null;
        // Consecutive consumers in one group (a weight used at each step) change nothing.
        if (g === last) continue;
        last = g;
        const ch = chain(g);
        if (common === null) common = ch;
        else {
          let k = 0;
          while (k < common.length && k < ch.length && common[k] === ch[k]) k++;
          common.length = k;
        }
      }
      const g = common !== null && common.length > 0 ? common[common.length - 1] : null;
      this.groupOf.set(n.id, g);
      this.itemsOf(g).push(n.id);
    }
  }

  /** Tensors go with their owner; outputs (and anything unattached) stay on top. */
  ownerGroup(n: GraphNode): string | null {
    if (n.kind === 'output' || n.attachedTo === null) return null;
    const owner = this.byId.get(n.attachedTo);
    return owner === undefined ? null : (this.groupOf.get(owner.id) ?? null);
  }

  addTensors(): void {
    for (const n of this.snapshot.nodes) {
      if (n.kind === 'function' || n.kind === 'accumulate') continue;
      const g = this.ownerGroup(n);
      this.groupOf.set(n.id, g);
      this.itemsOf(g).push(n.id);
    }
  }

  /** Function and AccumulateGrad nodes count towards a group's size. */
  counted(id: string): number {
    const k = this.byId.get(id)?.kind;
    return k === 'function' || k === 'accumulate' ? 1 : 0;
  }

  itemSize(it: string): number {
    return isGroupId(it) ? this.group(it).size : this.counted(it);
  }

  /** 3. Sizes, bottom-up (children were created after their parents). */
  countSizes(): void {
    const all = [...this.groups.values()];
    for (let i = all.length - 1; i >= 0; i--) {
      const g = all[i];
      let size = 0;
      for (const it of g.items) size += this.itemSize(it);
      g.size = size;
    }
  }

  /** 4. Repeated blocks, bottom-up, then at the top. */
  findAllRepeats(): void {
    const tokens = new Tokens(this);
    const ids = [...this.groups.keys()];
    for (let i = ids.length - 1; i >= 0; i--) this.findRepeats(ids[i], tokens);
    this.findRepeats(null, tokens);
  }

  /** Only function nodes and groups are in creation order; accumulate and tensor nodes float. */
  inSequence(item: string): boolean {
    return isGroupId(item) || this.byId.get(item)?.kind === 'function';
  }

  nameOf(item: string): string {
    return this.byId.get(item)?.name ?? item;
  }

  private findRepeats(parent: string | null, tokens: Tokens): void {
    const items = this.itemsOf(parent);
    const seq: string[] = [];
    const floating: string[] = [];
    for (const it of items) (this.inSequence(it) ? seq : floating).push(it);
    if (seq.length < 2) return;
    const tok = seq.map((it) => tokens.of(it));
    const out: string[] = [];
    let i = 0;
    while (i < seq.length) {
      const best = longestRepeat(seq, tok, i);
      if (best.p === 0) {
        out.push(seq[i++]);
        continue;
      }
      out.push(this.addRepeat(parent, seq, i, best).id);
      i += best.k * best.p;
    }
    items.length = 0;
    for (const it of out) items.push(it);
    for (const it of floating) items.push(it);
  }

  /** Gathers `best.k` blocks of `best.p` items of `seq` from `i` on into one repeat group. */
  private addRepeat(
    parent: string | null,
    seq: readonly string[],
    i: number,
    best: { p: number; k: number },
  ): GraphGroup {
    const labelOf = (it: string): string =>
      isGroupId(it) ? this.group(it).label : this.nameOf(it);
    // Each place of the block names its first and last module when they differ (conv1 … conv2):
    // the steps repeat a structure, not necessarily one module.
    const last = seq.slice(i + (best.k - 1) * best.p, i + best.k * best.p);
    const what = [
      ...new Set(
        seq.slice(i, i + best.p).map((it, j) => {
          const [a, b] = [labelOf(it), labelOf(last[j])];
          return a === b ? a : `${a} … ${b}`;
        }),
      ),
    ];
    const label = what.length > 3 ? `${what.slice(0, 3).join(', ')}, …` : what.join(', ');
    const parentPath = parent === null ? [] : this.group(parent).modulePath;
    const rep = this.newGroup('repeat', label, parent, parentPath);
    this.itemsOf(parent).pop(); // newGroup appended it; findRepeats decides the order
    rep.count = best.k;
    for (let s = 0; s < best.k; s++) {
      // One item a step: the item itself is the step.
      const step = best.p === 1 ? rep : this.newGroup('step', `#${s + 1}`, rep.id, parentPath);
      for (let j = i + s * best.p; j < i + (s + 1) * best.p; j++) {
        const it = seq[j];
        step.items.push(it);
        if (isGroupId(it)) this.group(it).parent = step.id;
        else this.groupOf.set(it, step.id);
        step.size += this.itemSize(it);
      }
      if (step !== rep) rep.size += step.size;
    }
    return rep;
  }

  /** 5. Tensors hanging from nodes that moved into a step follow them. */
  followOwners(): void {
    for (const n of this.snapshot.nodes) {
      if (n.kind === 'function' || n.kind === 'accumulate') continue;
      const want = this.ownerGroup(n);
      const have = this.groupOf.get(n.id) ?? null;
      if (want === have) continue;
      const from = this.itemsOf(have);
      from.splice(from.indexOf(n.id), 1);
      this.itemsOf(want).push(n.id);
      this.groupOf.set(n.id, want);
    }
  }
}

/**
 * Function nodes by sequence number, ties in snapshot order. Sorted as numbers in a typed
 * array (sequence number and position packed into one), which takes a fraction of a
 * comparator's sort while the page's code is still cold; numbers that do not pack take the
 * comparator.
 */
function inCreationOrder(nodes: readonly GraphNode[]): GraphNode[] {
  const fns: number[] = [];
  let packs = nodes.length <= POSITIONS;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.kind !== 'function') continue;
    fns.push(i);
    const s = n.sequenceNr;
    if (!(Number.isInteger(s) && s >= 0 && s < MAX_PACKED_SEQ)) packs = false;
  }
  if (!packs) {
    fns.sort((a, b) => nodes[a].sequenceNr - nodes[b].sequenceNr || a - b);
    return fns.map((i) => nodes[i]);
  }
  const keys = new Float64Array(fns.length);
  for (let j = 0; j < fns.length; j++) keys[j] = nodes[fns[j]].sequenceNr * POSITIONS + fns[j];
  keys.sort();
  const out = new Array<GraphNode>(keys.length);
  for (let j = 0; j < keys.length; j++) out[j] = nodes[keys[j] % POSITIONS];
  return out;
}

/** Positions and sequence numbers packed into one exact double (2^22 × 2^31 < 2^53). */
const POSITIONS = 2 ** 22;
const MAX_PACKED_SEQ = 2 ** 31;

/**
 * Each item's structure as a number: equal numbers, equal structure. Numbers in module names
 * do not count: `layers.3` repeats `layers.2` (nn.Sequential).
 */
class Tokens {
  private readonly ids = new Map<string, number>();
  private readonly ofName = new Map<string, number>();
  private readonly ofGroup = new Map<string, number>();

  constructor(private readonly tree: TreeBuilder) {}

  of(item: string): number {
    if (!isGroupId(item)) {
      const name = this.tree.nameOf(item);
      let t = this.ofName.get(name);
      if (t === undefined) this.ofName.set(name, (t = this.intern(`N${name}`)));
      return t;
    }
    let t = this.ofGroup.get(item);
    if (t === undefined) {
      const g = this.tree.group(item);
      let inner = '';
      for (const it of g.items)
        if (this.tree.inSequence(it)) inner += inner === '' ? `${this.of(it)}` : `,${this.of(it)}`;
      t = this.intern(`G${g.kind}:${g.label.replace(/\d+/g, '#')}:${inner}`);
      this.ofGroup.set(item, t);
    }
    return t;
  }

  private intern(s: string): number {
    let t = this.ids.get(s);
    if (t === undefined) this.ids.set(s, (t = this.ids.size));
    return t;
  }
}

/**
 * The repeat starting at `seq[i]` covering the most items: `k` blocks of period `p` (p = 0:
 * none). Two blocks of bare ops are no repeat, often not even steps: a matmul's two operands
 * each get ExpandBackward0, ViewBackward0; a block needs a module call or a third time.
 */
function longestRepeat(
  seq: readonly string[],
  tok: readonly number[],
  i: number,
): { p: number; k: number } {
  let best = { p: 0, k: 1 };
  for (let p = 1; p <= MAX_PERIOD && i + 2 * p <= seq.length; p++) {
    let k = 1;
    while (i + (k + 1) * p <= seq.length && sameBlock(tok, i, i + k * p, p)) k++;
    if (k >= 2 && k * p > best.k * best.p && (k >= 3 || seq.slice(i, i + p).some(isGroupId)))
      best = { p, k };
  }
  return best;
}

function sameBlock(tok: readonly number[], a: number, b: number, p: number): boolean {
  for (let j = 0; j < p; j++) if (tok[a + j] !== tok[b + j]) return false;
  return true;
}
