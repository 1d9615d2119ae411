// Lookups by file on a Windows host: the editor's `c:\…` and the runner's `C:\…` are one file.
import { expect, it } from 'vitest';
import { snapshotAtLine } from '../../src/extension/snapshot-lookup';
import type { GraphNode, GraphSnapshot } from '../../src/protocol/messages';

const output = (file: string, line: number): GraphNode => ({
  id: 'loss',
  kind: 'function',
  name: 'MeanBackward0',
  next: [],
  value: null,
  grad: null,
  location: { file, line, column: 1 },
  modulePath: [],
  attachedTo: null,
  sequenceNr: 0,
});

const snapshotAt = (index: number, file: string, line: number): GraphSnapshot =>
  ({
    index,
    trigger: 'backward',
    nodes: [output(file, line)],
    outputs: ['loss'],
    anomalies: [],
    collapsed: false,
    detail: 'full',
  }) as unknown as GraphSnapshot;

it('finds a backward() by a Windows file however the editor spells it', () => {
  const snapshots = [
    snapshotAt(0, 'C:\\Users\\me\\my work\\train.ts', 9),
    snapshotAt(1, 'C:\\Users\\me\\my work\\train.ts', 12),
  ];
  expect(snapshotAtLine(snapshots, 'c:\\Users\\me\\my work\\train.ts', 12)).toBe(1);
  expect(snapshotAtLine(snapshots, 'C:/users/me/my work/train.ts', 9)).toBe(0);
  expect(snapshotAtLine(snapshots, 'D:\\Users\\me\\my work\\train.ts', 9)).toBe(-1);
});

it('tells POSIX files apart by case', () => {
  const snapshots = [snapshotAt(0, '/home/me/train.ts', 9)];
  expect(snapshotAtLine(snapshots, '/home/me/train.ts', 9)).toBe(0);
  expect(snapshotAtLine(snapshots, '/home/me/Train.ts', 9)).toBe(-1);
});
