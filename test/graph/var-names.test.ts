// A function node's variable name (agtree2dot's labels) in every picture of a snapshot: the
// SVG box and its tooltip, the DOT label, the HTML page; the PyTorch name stays the title.
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { renderHtml, toDot } from '../../src/graph/index';
import { pageData } from '../../src/graph/html';
import { nodeLines } from '../../src/graph/labels';
import { layoutSnapshot } from '../../src/graph/layout';
import type { GraphNode, GraphSnapshot } from '../../src/protocol/messages';

const node = (p: Partial<GraphNode> & Pick<GraphNode, 'id' | 'kind' | 'name'>): GraphNode => ({
  next: [],
  value: null,
  grad: null,
  location: null,
  modulePath: [],
  attachedTo: null,
  sequenceNr: -1,
  ...p,
});

// P = Q**2 with Q = a - b: SubBackward0 holds Q, PowBackward0 holds P.
const qp: GraphSnapshot = {
  index: 1,
  trigger: 'backward',
  outputs: ['out'],
  anomalies: [],
  collapsed: false,
  detail: 'light',
  nodes: [
    node({
      id: 'pow',
      kind: 'function',
      name: 'PowBackward0',
      varName: 'P',
      sequenceNr: 2,
      next: [{ id: 'sub', inputNr: 0 }],
    }),
    node({
      id: 'sub',
      kind: 'function',
      name: 'SubBackward0',
      varName: 'Q',
      sequenceNr: 1,
      next: [{ id: 'acc', inputNr: 0 }, null],
    }),
    node({ id: 'acc', kind: 'accumulate', name: 'torch::autograd::AccumulateGrad' }),
    node({ id: 'a', kind: 'leaf', name: 'a', attachedTo: 'acc' }),
    node({ id: 'out', kind: 'output', name: 'P', attachedTo: 'pow' }),
  ],
};

const byId = (id: string): GraphNode => qp.nodes.find((n) => n.id === id)!;

describe("a function node's variable name", () => {
  it('is a line under the PyTorch name, on function nodes only', () => {
    expect(nodeLines(byId('sub'))).toEqual(['SubBackward0', '→ Q']);
    expect(nodeLines(byId('pow'))).toEqual(['PowBackward0', '→ P']);
    // A leaf is already named by its variable; a stray field adds nothing.
    expect(nodeLines({ ...byId('a'), varName: 'z' })).toEqual(['a']);
  });

  it('is drawn in the SVG box and tooltip, and in the DOT and HTML pictures', async () => {
    const svg = await layoutSnapshot(qp, new ELK());
    const sub = /<g class="gl-node gl-function" data-id="sub"[^]*?<\/g>/.exec(svg)![0];
    expect(sub).toContain('data-name="SubBackward0"');
    expect(sub).toContain('font-weight="bold" fill="#111">SubBackward0</text>');
    expect(sub).toContain('>→ Q</text>');
    expect(sub).toMatch(/<title>SubBackward0\noutput held in Q<\/title>/);
    expect(toDot(qp)).toContain('label="SubBackward0\\n→ Q"');
    expect(renderHtml(qp, svg)).toContain('>→ Q</text>');
    // The page's search finds the node by its variable.
    const { nodes } = pageData(qp) as { nodes: { id: string; search: string }[] };
    expect(nodes.slice(0, 2).map((n) => n.search)).toEqual(['powbackward0 p ', 'subbackward0 q ']);
  });

  it('leaves the picture as before when absent (older snapshots)', async () => {
    const plain = { ...qp, nodes: qp.nodes.map(({ varName: _, ...n }) => n) };
    expect(nodeLines(plain.nodes[1])).toEqual(['SubBackward0']);
    expect(await layoutSnapshot(plain, new ELK())).not.toContain('→');
  });
});
