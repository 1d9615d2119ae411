// Graphs over the size limit are shown collapsed: every node created inside one module call
// becomes a single box named after the module, at the deepest module level that fits.
import type { GraphNode, GraphSnapshot, NextFunction } from '../protocol/messages';
import { groupTree, type GraphGroup, type GroupTree } from './groups';
import { must } from './must';
import { OPEN_BUDGET, expandWithinBudget, viewSnapshot } from './view';

function groupKey(n: GraphNode, depth: number, byId: Map<string, GraphNode>): string | null {
  if (n.kind === 'leaf' || n.kind === 'saved' || n.kind === 'output') {
    // Tensors follow the node they hang from, except outputs, which stay visible.
    if (n.kind === 'output' || n.attachedTo === null) return null;
    const owner = byId.get(n.attachedTo);
    return owner === undefined ? null : groupKey(owner, depth, byId);
  }
  return n.modulePath.length >= depth ? n.modulePath[depth - 1] : null;
}

/**
 * Replaces every node created within the same module call at `depth` (1 = the outermost
 * module) with one node named after the module; edges between groups are kept.
 *
 * @example
 * collapseByModule(snapshot, 2).nodes.map((n) => n.name); // ['Net.fc1 (3 nodes)', ...]
 */
export function collapseByModule(snapshot: GraphSnapshot, depth: number): GraphSnapshot {
  const byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
  const key = new Map<string, string | null>();
  for (const n of snapshot.nodes) key.set(n.id, groupKey(n, depth, byId));
  const rep = (id: string): string => {
    const k = key.get(id);
    return k === null || k === undefined ? id : `module:${k}`;
  };
  const groups = new Map<string, { members: GraphNode[]; next: Map<string, NextFunction> }>();
  const nodes: GraphNode[] = [];
  for (const n of snapshot.nodes) {
    const k = key.get(n.id);
    if (k === null || k === undefined) {
      nodes.push({
        ...n,
        next: n.next.map((e) =>
          e === null ? null : { id: rep(e.id), inputNr: rep(e.id) === e.id ? e.inputNr : 0 },
        ),
        attachedTo: n.attachedTo === null ? null : rep(n.attachedTo),
      });
      continue;
    }
    const gid = `module:${k}`;
    let g = groups.get(gid);
    if (g === undefined) {
      g = { members: [], next: new Map() };
      groups.set(gid, g);
      // Placeholder keeps the group where its first member was, preserving model order.
      nodes.push({
        id: gid,
        kind: 'function',
        name: k,
        next: [],
        value: null,
        grad: null,
        location: null,
        modulePath: [],
        attachedTo: null,
        sequenceNr: n.sequenceNr,
      });
    }
    g.members.push(n);
    for (const e of n.next) {
      if (e === null) continue;
      const r = rep(e.id);
      if (r !== gid && !g.next.has(r))
        g.next.set(r, { id: r, inputNr: r === e.id ? e.inputNr : 0 });
    }
  }
  for (let i = 0; i < nodes.length; i++) {
    const g = groups.get(nodes[i].id);
    if (g === undefined) continue;
    const fns = g.members.filter((m) => m.kind === 'function' || m.kind === 'accumulate');
    const first = fns[0] ?? g.members[0];
    nodes[i] = {
      ...nodes[i],
      name: `${nodes[i].name} (${fns.length} nodes)`,
      next: [...g.next.values()],
      location: first.location,
      modulePath: first.modulePath.slice(0, depth),
      grad: null,
    };
  }
  return { ...snapshot, nodes, collapsed: true };
}

/**
 * The snapshot itself when it has at most `maxNodes` nodes; otherwise its module calls and
 * repeated blocks collapsed, expanded (biggest first, alike groups together) as far as
 * `maxNodes` allows (a repeat only as far as the graph view opens one), or (when groups do not help) cut to the `maxNodes` nodes nearest the
 * outputs. Either way `collapsed` is set so renderers say so.
 */
export function limitSnapshot(snapshot: GraphSnapshot, maxNodes: number): GraphSnapshot {
  if (snapshot.nodes.length <= maxNodes) return snapshot;
  const tree = groupTree(snapshot);
  const expanded = expandWithinBudget(tree, maxNodes, OPEN_BUDGET);
  const view = viewSnapshot(snapshot, tree, expanded);
  if (view.nodes.length <= maxNodes)
    return { ...view, collapsed: true, groups: shownGroups(tree, expanded) };
  return nearestToOutputs(snapshot, Math.max(1, maxNodes));
}

/**
 * The groups a view shows: those `expanded` (a frame around their items) and the outermost
 * ones that are not (a box each, their contents left out).
 */
function shownGroups(tree: GroupTree, expanded: ReadonlySet<string>): GraphGroup[] {
  const kept = new Set<string>();
  // Down from the top through expanded groups (ids do not order parents first: a repeat is
  // made after the calls it gathers).
  const todo = tree.roots.filter((id) => tree.groups.has(id));
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    kept.add(id);
    if (expanded.has(id))
      todo.push(...must(tree.groups.get(id), id).items.filter((it) => tree.groups.has(it)));
  }
  return [...tree.groups.values()]
    .filter((g) => kept.has(g.id))
    .map((g) => ({ ...g, items: expanded.has(g.id) ? [...g.items] : [] }));
}

function nearestToOutputs(snapshot: GraphSnapshot, maxNodes: number): GraphSnapshot {
  const byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
  const attached = new Map<string, GraphNode[]>();
  for (const n of snapshot.nodes)
    if (n.attachedTo !== null && n.kind !== 'output') {
      const list = attached.get(n.attachedTo);
      if (list === undefined) attached.set(n.attachedTo, [n]);
      else list.push(n);
    }
  const keep = new Set<string>();
  const queue: string[] = [];
  for (const id of snapshot.outputs) {
    const out = byId.get(id);
    keep.add(id);
    if (out?.attachedTo) queue.push(out.attachedTo);
  }
  for (let i = 0; i < queue.length && keep.size < maxNodes; i++) {
    const id = queue[i];
    if (keep.has(id)) continue;
    keep.add(id);
    for (const t of attached.get(id) ?? []) if (keep.size < maxNodes) keep.add(t.id);
    for (const e of byId.get(id)?.next ?? []) if (e !== null && !keep.has(e.id)) queue.push(e.id);
  }
  const nodes = snapshot.nodes
    .filter((n) => keep.has(n.id))
    .map((n) => ({
      ...n,
      next: n.next.map((e) => (e !== null && keep.has(e.id) ? e : null)),
      attachedTo: n.attachedTo !== null && keep.has(n.attachedTo) ? n.attachedTo : null,
    }));
  return { ...snapshot, nodes, collapsed: true };
}
