// A snapshot shaped like what the runner captures for examples/unrolled-rnn.ts (checked
// against a real capture: the same node names, module paths, nextFunctions and creation
// order per step), built directly so the graph tests need no child process.
import type { GraphNode, GraphSnapshot, NextFunction } from '../../src/protocol/messages';

export function rnnSnapshot(steps: number): GraphSnapshot {
  const nodes: GraphNode[] = [];
  let seq = 0;
  let id = 0;
  const fn = (name: string, modulePath: string[], next: (string | null)[]): string => {
    const nid = `n${id++}`;
    nodes.push({
      id: nid,
      kind: 'function',
      name,
      next: next.map((e): NextFunction | null => (e === null ? null : { id: e, inputNr: 0 })),
      value: null,
      grad: null,
      location: null,
      modulePath,
      attachedTo: null,
      sequenceNr: seq++,
    });
    return nid;
  };
  const param = (name: string, modulePath: string[]): string => {
    const acc = `n${id++}`;
    nodes.push({
      id: acc,
      kind: 'accumulate',
      name: 'torch::autograd::AccumulateGrad',
      next: [],
      value: null,
      grad: null,
      location: null,
      modulePath,
      attachedTo: null,
      sequenceNr: -1,
    });
    nodes.push({
      id: `n${id++}`,
      kind: 'leaf',
      name,
      next: [],
      value: null,
      grad: null,
      location: null,
      modulePath,
      attachedTo: acc,
      sequenceNr: -1,
    });
    return acc;
  };
  const M = ['SeqModel'];
  const cell = [...M, 'SeqModel.cell'];
  const ih = [...cell, 'SeqModel.cell.ih'];
  const hh = [...cell, 'SeqModel.cell.hh'];
  const head = [...M, 'SeqModel.head'];
  const p = {
    ihW: param('cell.ih.weight', ih),
    ihB: param('cell.ih.bias', ih),
    hhW: param('cell.hh.weight', hh),
    hhB: param('cell.hh.bias', hh),
    headW: param('head.weight', head),
    headB: param('head.bias', head),
  };
  let h: string | null = null;
  let loss: string | null = null;
  for (let t = 0; t < steps; t++) {
    const a = fn('AddmmBackward0', ih, [p.ihB, null, fn('TBackward0', ih, [p.ihW])]);
    const b = fn('AddmmBackward0', hh, [p.hhB, h, fn('TBackward0', hh, [p.hhW])]);
    h = fn('TanhBackward0', cell, [fn('AddBackward0', cell, [a, b])]);
    const y = fn('AddmmBackward0', head, [p.headB, h, fn('TBackward0', head, [p.headW])]);
    const sum = fn('SumBackward0', M, [fn('PowBackward0', M, [fn('SubBackward0', M, [y, null])])]);
    loss = fn('AddBackward0', M, [loss, sum]);
  }
  const div = fn('DivBackward0', M, [loss, null]);
  nodes.push({
    id: 'out',
    kind: 'output',
    name: 'loss',
    next: [],
    value: null,
    grad: null,
    location: null,
    modulePath: [],
    attachedTo: div,
    sequenceNr: -1,
  });
  // The runner lists nodes from the output backwards.
  nodes.reverse();
  return {
    index: 1,
    trigger: 'backward',
    nodes,
    outputs: ['out'],
    anomalies: [],
    collapsed: false,
    detail: 'full',
  };
}
