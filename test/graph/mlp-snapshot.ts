// A small MLP's graph with module paths, for tests of module frames.
import type { GraphNode, GraphSnapshot, NextFunction } from '../../src/protocol/messages';

/** An MLP like examples/mnist-classifier.ts: fc1, relu, dropout, fc2, then a loss. */
export function mlpSnapshot(): GraphSnapshot {
  const nodes: GraphNode[] = [];
  let seq = 0;
  const add = (n: Partial<GraphNode> & Pick<GraphNode, 'id' | 'kind' | 'name'>): string => {
    nodes.push({
      next: [],
      value: null,
      grad: null,
      location: null,
      modulePath: [],
      attachedTo: null,
      sequenceNr: -1,
      ...n,
    });
    return n.id;
  };
  const next = (ids: (string | null)[]): (NextFunction | null)[] =>
    ids.map((id) => (id === null ? null : { id, inputNr: 0 }));
  const fn = (id: string, name: string, modulePath: string[], ins: (string | null)[]): string =>
    add({ id, kind: 'function', name, modulePath, next: next(ins), sequenceNr: seq++ });
  const param = (id: string, name: string, modulePath: string[]): string => {
    add({ id, kind: 'accumulate', name: 'torch::autograd::AccumulateGrad', modulePath });
    add({ id: `${id}:leaf`, kind: 'leaf', name, modulePath, attachedTo: id });
    return id;
  };
  const linear = (name: string, input: string | null): string => {
    const path = ['Net', `Net.${name}`];
    const b = param(`${name}.b`, `${name}.bias`, path);
    const w = param(`${name}.w`, `${name}.weight`, path);
    return fn(`${name}.addmm`, 'AddmmBackward0', path, [
      b,
      input,
      fn(`${name}.t`, 'TBackward0', path, [w]),
    ]);
  };
  const h = fn('relu', 'ReluBackward0', ['Net'], [linear('fc1', null)]);
  const d = fn('mul', 'MulBackward0', ['Net', 'Net.dropout'], [h, null]);
  const loss = fn('nll', 'NllLossBackward0', ['CrossEntropyLoss'], [linear('fc2', d)]);
  add({ id: 'out', kind: 'output', name: 'loss', attachedTo: loss });
  return {
    index: 1,
    trigger: 'backward',
    nodes: nodes.reverse(),
    outputs: ['out'],
    anomalies: [],
    collapsed: false,
    detail: 'full',
  };
}
