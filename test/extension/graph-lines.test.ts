// Reveal in Graph finds the nodes a source line created, in the graph the view shows.
import { expect, test } from 'vitest';
import {
  graphFiles,
  nodesAtLine,
  restoredNodes,
  revealLink,
} from '../../src/extension/graph-lines';
import type { GraphNode, GraphSnapshot } from '../../src/protocol/messages';
import { uriPaths } from '../../src/protocol/paths';

const node = (id: string, kind: GraphNode['kind'], file: string | null, line = 0): GraphNode => ({
  id,
  kind,
  name: id,
  next: [],
  value: null,
  grad: null,
  location: file === null ? null : { file, line, column: 1 },
  modulePath: [],
  attachedTo: null,
  sequenceNr: 0,
});

const snapshot = {
  index: 1,
  trigger: 'backward',
  nodes: [
    node('mul', 'function', '/ws/a.ts', 7),
    node('add', 'function', '/ws/a.ts', 7),
    node('saved', 'saved', '/ws/a.ts', 7),
    node('x', 'leaf', '/ws/a.ts', 3),
    node('lin', 'function', 'C:\\ws\\model.ts', 7),
    node('win', 'function', 'C:\\Users\\me\\my work\\train.ts', 2),
    node('acc', 'accumulate', null),
  ],
  outputs: ['add'],
  anomalies: [],
  collapsed: false,
  detail: 'full',
} as unknown as GraphSnapshot;

test('the nodes a line created, without saved tensors, in that file only', () => {
  expect(nodesAtLine(snapshot, '/ws/a.ts', 7)).toEqual(['mul', 'add']);
  expect(nodesAtLine(snapshot, '/ws/a.ts', 3)).toEqual(['x']);
  expect(nodesAtLine(snapshot, '/ws/a.ts', 4)).toEqual([]);
  expect(nodesAtLine(snapshot, 'c:/ws/model.ts', 7)).toEqual(['lin']);
});

test('the files of a graph: its script and every file a node comes from, once each', () => {
  expect(graphFiles('/ws/a.ts', snapshot)).toEqual([
    '/ws/a.ts',
    'C:\\ws\\model.ts',
    'C:\\Users\\me\\my work\\train.ts',
  ]);
});

test('a graph a reloaded page restored reads the same: its lines and files', () => {
  const restored = restoredNodes({
    file: '/ws/a.ts',
    title: 'a.ts: backward() #1',
    nodes: [
      { id: 'mul', file: '/ws/a.ts', line: 7 },
      { id: 'lin', file: 'C:\\ws\\model.ts', line: 7 },
    ],
  });
  expect(nodesAtLine(restored, '/ws/a.ts', 7)).toEqual(['mul']);
  expect(nodesAtLine(restored, 'c:/ws/model.ts', 7)).toEqual(['lin']);
  expect(graphFiles('/ws/a.ts', restored)).toEqual(['/ws/a.ts', 'C:\\ws\\model.ts']);
});

test("the hover's link runs Reveal in Graph with the file and line", () => {
  const link = revealLink('/ws/a b.ts', 7);
  const args = /command:gradlens\.revealInGraph\?(\S+)/.exec(link)?.[1];
  expect(args).toBeDefined();
  expect(JSON.parse(decodeURIComponent(args ?? ''))).toEqual(['/ws/a b.ts', 7]);
});

test('Windows files match whatever the drive case and separators, POSIX ones only exactly', () => {
  expect(nodesAtLine(snapshot, 'c:\\users\\me\\my work\\train.ts', 2)).toEqual(['win']);
  expect(nodesAtLine(snapshot, 'C:/Users/me/my work/train.ts', 2)).toEqual(['win']);
  expect(nodesAtLine(snapshot, '/ws/A.ts', 7)).toEqual([]);
});

test("Reveal in Graph's menu item shows on a graph's Windows files, as VS Code spells them", () => {
  const paths = graphFiles('/ws/a.ts', snapshot).flatMap((f) => uriPaths(f));
  expect(paths).toContain('/c:/Users/me/my work/train.ts');
  expect(paths).toContain('/C:/ws/model.ts');
  expect(paths).toContain('/ws/a.ts');
});

test("the hover's link carries a Windows path unchanged", () => {
  const file = 'C:\\Users\\me\\my work\\train.ts';
  const args = /command:gradlens\.revealInGraph\?(\S+)/.exec(revealLink(file, 2))?.[1];
  expect(JSON.parse(decodeURIComponent(args ?? ''))).toEqual([file, 2]);
});
