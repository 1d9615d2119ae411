// The graph travels to the page and its layout worker as gzipped JSON bytes (snapshotGzip in
// the host, readGzipJson in the page and the worker).
import { describe, expect, test } from 'vitest';
import { fromJsonBytes, gzipJson, isToWebview, readGzipJson, toJsonBytes } from '../../webview/messages';
import { snapshotGzip } from '../../src/extension/snapshot-gzip';
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
  });

  test('crosses to the page gzipped, and the page reads the slimmed snapshot', async () => {
    const big = { ...snapshot, nodes: Array.from({ length: 500 }, (_, i) => ({ ...snapshot.nodes[0], id: `n${i}` })) };
    const gzip = snapshotGzip(big);
    expect(Object.getPrototypeOf(gzip)).toBe(Uint8Array.prototype);
    expect(gzip.length).toBeLessThan(toJsonBytes(slimSnapshot(big)).length / 5);
    expect(await readGzipJson(gzip)).toEqual(slimSnapshot(big));
    // The page gzips a graph from its saved state for the worker the same way.
    expect(await readGzipJson(await gzipJson(slimSnapshot(big)))).toEqual(slimSnapshot(big));
    expect(isToWebview({ type: 'graph/show', payload: { title: 't', file: 'f', index: 0, count: 1 }, snapshotGzip: gzip })).toBe(true);
  });

  test('refuses what is not bytes of JSON', () => {
    expect(() => fromJsonBytes({ nodes: [] })).toThrow(/expected JSON bytes, got \[object Object\]/);
    expect(() => fromJsonBytes('{"nodes":[]}')).toThrow(/expected JSON bytes/);
    expect(() => fromJsonBytes(new TextEncoder().encode('{"nodes":['))).toThrow(SyntaxError);
  });

  test('the page refuses what is not gzipped JSON', async () => {
    await expect(readGzipJson(toJsonBytes({ nodes: [] }))).rejects.toThrow();
    await expect(readGzipJson('{"nodes":[]}')).rejects.toThrow(/expected gzipped JSON bytes, got \[object String\]/);
  });
});
