// The graph travels to the page and its layout worker as gzipped JSON bytes (snapshotGzip in
// the host, readGzipJson in the page and the worker).
import { describe, expect, test } from 'vitest';
import {
  fromJsonBytes,
  gzipJson,
  isFromWebview,
  isToWebview,
  readGzipJson,
  toJsonBytes,
} from '../../src/protocol/graph-view';
import { snapshotGzip } from '../../src/extension/snapshot-gzip';
import { slimSnapshot } from '../../src/graph/slim';
import type { GraphSnapshot } from '../../src/protocol/messages';

const snapshot: GraphSnapshot = {
  index: 1,
  trigger: 'backward',
  nodes: [
    {
      id: 'n1',
      kind: 'function',
      name: 'MulBackward0',
      next: [{ id: 'n2', inputNr: 0 }, null],
      value: null,
      grad: null,
      location: { file: '/tmp/π ünïcode/script.ts', line: 3, column: 7 },
      modulePath: ['Net', 'Net.fc'],
      attachedTo: null,
      sequenceNr: 4,
    },
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
    const big = {
      ...snapshot,
      nodes: Array.from({ length: 500 }, (_, i) => ({ ...snapshot.nodes[0], id: `n${i}` })),
    };
    const gzip = snapshotGzip(big);
    expect(Object.getPrototypeOf(gzip)).toBe(Uint8Array.prototype);
    expect(gzip.length).toBeLessThan(toJsonBytes(slimSnapshot(big)).length / 5);
    expect(await readGzipJson(gzip)).toEqual(slimSnapshot(big));
    // The page gzips a graph from its saved state for the worker the same way.
    expect(await readGzipJson(await gzipJson(slimSnapshot(big)))).toEqual(slimSnapshot(big));
    expect(
      isToWebview({
        type: 'graph/show',
        payload: {
          title: 't',
          file: 'f',
          index: 0,
          count: 1,
          source: { kind: 'run', backward: 1 },
        },
        snapshotGzip: gzip,
      }),
    ).toBe(true);
  });

  test('refuses what is not bytes of JSON', () => {
    expect(() => fromJsonBytes({ nodes: [] })).toThrow(
      /expected JSON bytes, got \[object Object\]/,
    );
    expect(() => fromJsonBytes('{"nodes":[]}')).toThrow(/expected JSON bytes/);
    expect(() => fromJsonBytes(new TextEncoder().encode('{"nodes":['))).toThrow(SyntaxError);
  });

  test('the page refuses what is not gzipped JSON', async () => {
    await expect(readGzipJson(toJsonBytes({ nodes: [] }))).rejects.toThrow();
    await expect(readGzipJson('{"nodes":[]}')).rejects.toThrow(
      /expected gzipped JSON bytes, got \[object String\]/,
    );
  });
});

describe('messages are checked field by field', () => {
  const payload = {
    title: 't',
    file: '/ws/a.ts',
    index: 0,
    count: 2,
    source: { kind: 'run', backward: 938 },
  };
  const bytes = new Uint8Array([1]);

  test('host to page', () => {
    expect(isToWebview({ type: 'graph/show', payload, snapshotGzip: bytes })).toBe(true);
    expect(
      isToWebview({
        type: 'graph/show',
        payload: { ...payload, source: { kind: 'debug', stop: 2 } },
        snapshotGzip: bytes,
      }),
    ).toBe(true);
    expect(
      isToWebview({
        type: 'graph/show',
        payload: { ...payload, source: { kind: 'run', backward: 0 } },
        snapshotGzip: bytes,
      }),
    ).toBe(false);
    expect(
      isToWebview({ type: 'graph/show', payload: { ...payload, index: '0' }, snapshotGzip: bytes }),
    ).toBe(false);
    const stop = { kind: 'stop', file: '/ws/a.py', line: 7, hit: 3 };
    const withStop = (source: object, pickLabel?: unknown) => ({
      type: 'graph/show',
      payload: { ...payload, source, pickLabel },
      snapshotGzip: bytes,
    });
    expect(isToWebview(withStop(stop, 'graph 2 of 4 …'))).toBe(true);
    expect(isToWebview(withStop({ ...stop, hit: 0 }))).toBe(false);
    expect(isToWebview(withStop({ ...stop, file: 7 }))).toBe(false);
    expect(isToWebview(withStop(stop, 2))).toBe(false);
    expect(isToWebview({ type: 'graph/show', payload, snapshotGzip: [1] })).toBe(false);
    const withNotes = (notes: unknown) => ({
      type: 'graph/show',
      payload: { ...payload, notes },
      snapshotGzip: bytes,
    });
    expect(isToWebview(withNotes(['a compiled region shows as one node']))).toBe(true);
    expect(isToWebview(withNotes([1]))).toBe(false);
    expect(isToWebview(withNotes('one note'))).toBe(false);
    const standing = (direction: unknown) => ({
      type: 'graph/show',
      payload: { ...payload, direction },
      snapshotGzip: bytes,
    });
    expect(isToWebview(standing('root-top'))).toBe(true);
    expect(isToWebview(standing('leaves-top'))).toBe(true);
    expect(isToWebview(standing('up'))).toBe(false);
    expect(isToWebview(standing(1))).toBe(false);
    expect(
      isToWebview({ type: 'graph/failed', file: '/ws/a.ts', message: 'Gradlens: a.ts threw' }),
    ).toBe(true);
    expect(isToWebview({ type: 'graph/failed', file: '/ws/a.ts' })).toBe(false);
    expect(isToWebview({ type: 'export/request', format: 'pdf' })).toBe(false);
    expect(isToWebview({ type: 'graph/select', ids: ['n1', 'n2'] })).toBe(true);
    expect(isToWebview({ type: 'graph/select', ids: [] })).toBe(true);
    expect(isToWebview({ type: 'graph/select', ids: ['n1', 2] })).toBe(false);
    expect(isToWebview({ type: 'graph/select', ids: 'n1' })).toBe(false);
  });

  test('page to host', () => {
    expect(isFromWebview({ type: 'captureFull', file: '/ws/a.ts', backward: 938 })).toBe(true);
    expect(isFromWebview({ type: 'captureFull', file: '/ws/a.ts', backward: 1.5 })).toBe(false);
    expect(isFromWebview({ type: 'captureFull', file: '', backward: 3 })).toBe(false);
    expect(isFromWebview({ type: 'rerun', file: '/ws/a.ts' })).toBe(true);
    expect(isFromWebview({ type: 'rerun' })).toBe(false);
    expect(isFromWebview({ type: 'stopRun', file: '/ws/loop.ts' })).toBe(true);
    expect(isFromWebview({ type: 'stopRun', file: '' })).toBe(false);
    expect(isFromWebview({ type: 'stopRun', file: 3 })).toBe(false);
    expect(isFromWebview({ type: 'showOutput' })).toBe(true);
    expect(isFromWebview({ type: 'reveal', file: '/ws/a.ts', line: 3, column: '1' })).toBe(false);
    expect(isFromWebview({ type: 'export', format: 'svg', data: 1 })).toBe(false);
    const painted = {
      type: 'painted',
      nodes: 12,
      engine: 'elk',
      layoutMs: 147,
      worker: { startup: 1500, read: 150, layout: 147, answer: 20 },
      commandToPaintMs: null,
      phases: null,
    };
    expect(isFromWebview(painted)).toBe(true);
    expect(isFromWebview({ ...painted, worker: { startup: 1500 } })).toBe(false);
    expect(isFromWebview({ ...painted, worker: { startup: 1500, read: 150, layout: 147 } })).toBe(
      false,
    );
    expect(isFromWebview({ ...painted, phases: { run: 1, send: 1, layout: 1, paint: 1 } })).toBe(
      true,
    );
    expect(isFromWebview({ ...painted, phases: { run: 1, send: 1, layout: 1 } })).toBe(false);
    expect(isFromWebview({ type: 'launch' })).toBe(false);
  });
});

describe("the page's restored graph", () => {
  test('is taken only when every field checks out', () => {
    const graph = {
      file: '/ws/a.ts',
      title: 'a.ts: backward() #1',
      nodes: [{ id: 'n1', file: '/ws/a.ts', line: 7 }],
    };
    expect(isFromWebview({ type: 'restored', graph })).toBe(true);
    expect(
      isFromWebview({
        type: 'restored',
        graph: { ...graph, nodes: [{ id: 'n1', file: '/ws/a.ts', line: -1 }] },
      }),
    ).toBe(false);
    expect(isFromWebview({ type: 'restored', graph: { ...graph, title: 3 } })).toBe(false);
    expect(isFromWebview({ type: 'restored' })).toBe(false);
  });
});
