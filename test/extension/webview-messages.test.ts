// The graph travels to the page as JSON bytes (toJsonBytes/fromJsonBytes in webview/messages).
import { describe, expect, test } from 'vitest';
import { fromJsonBytes, isToWebview, toJsonBytes } from '../../webview/messages';
import { slimSnapshot } from '../../src/graph/slim';
import type { GraphSnapshot } from '../../src/protocol/messages';

const snapshot: GraphSnapshot = {
  index: 1,
  trigger: 'backward',
  nodes: [
    { id: 'n1', kind: 'function', name: 'MulBackward0', next: [{ id: 'n2', inputNr: 0 }, null], value: null, grad: null, location: { file: '/tmp/π ünïcode/script.ts', line: 3, column: 7 }, modulePath: ['Net', 'Net.fc'], attachedTo: null, sequenceNr: 4 },
  ],
  outputs: ['n1'],
  anomalies: [],
  collapsed: false,
  detail: 'full',
} as unknown as GraphSnapshot;

describe('graph snapshot as JSON bytes', () => {
  test('round-trips a snapshot, non-ASCII paths included', () => {
    const bytes = toJsonBytes(slimSnapshot(snapshot));
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(fromJsonBytes(bytes)).toEqual(slimSnapshot(snapshot));
    expect(isToWebview({ type: 'graph/show', payload: { title: 't', file: 'f', index: 0, count: 1 }, snapshotJson: bytes })).toBe(true);
  });

  test('refuses what is not bytes of JSON', () => {
    expect(() => fromJsonBytes({ nodes: [] })).toThrow(/expected JSON bytes, got \[object Object\]/);
    expect(() => fromJsonBytes('{"nodes":[]}')).toThrow(/expected JSON bytes/);
    expect(() => fromJsonBytes(new TextEncoder().encode('{"nodes":['))).toThrow(SyntaxError);
  });
});
