// torch.utils.data against PyTorch (test/fixtures/engine-idioms.json, `loaders`, `splits`):
// the batches of each epoch, shuffled on PyTorch's stream, and what is left of the stream;
// TensorDataset batches; the IDX reader on files written here in the format's layout.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { loadFixture } from '../helpers/fixtures';

const { DataLoader, TensorDataset, randomSplit, parseIdx, readIdx } = torch.utils.data;

interface LoaderCase {
  seed: number;
  n: number;
  batchSize: number;
  shuffle: boolean;
  dropLast: boolean;
  epochs: number[][][];
  next: string;
}
interface SplitCase {
  seed: number;
  n: number;
  lengths: number[];
  indices: number[][];
}
const fixture = loadFixture<{ loaders: LoaderCase[]; splits: SplitCase[] }>('engine-idioms.json');

const hex32 = (v: number): string => {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, v);
  return view.getUint32(0).toString(16).padStart(8, '0');
};

describe('DataLoader as PyTorch batches', () => {
  it.each(fixture.loaders.map((c) => [JSON.stringify({ ...c, epochs: undefined }), c] as const))(
    '%s',
    (_name, c) => {
      torch.manualSeed(c.seed);
      const loader = new DataLoader(
        Array.from({ length: c.n }, (_, i) => i),
        { batchSize: c.batchSize, shuffle: c.shuffle, dropLast: c.dropLast },
      );
      const epochs = [0, 1].map(() => [...loader].map((b) => b.tolist()));
      expect(epochs).toEqual(c.epochs);
      expect(loader.length).toBe(c.epochs[0].length);
      expect(hex32(torch.rand(1).item())).toBe(c.next);
    },
  );

  it('batches of a TensorDataset are stacked rows, labels stay int64', () => {
    const x = torch.arange(0, 6, 1, { dtype: torch.float32 }).view(3, 2);
    const y = torch.tensor([0, 1, 2], { dtype: torch.int64 });
    const ds = new TensorDataset(x, y);
    expect(ds.length).toBe(3);
    expect(ds.get(1).map((t) => t.tolist())).toEqual([[2, 3], 1]);
    const batches = [...new DataLoader(ds, { batchSize: 2 })];
    expect(batches.map(([xb, yb]) => [xb.tolist(), yb.tolist(), yb.dtype])).toEqual([
      [
        [
          [0, 1],
          [2, 3],
        ],
        [0, 1],
        'int64',
      ],
      [[[4, 5]], [2], 'int64'],
    ]);
    expect(() => new TensorDataset(x, torch.ones(2))).toThrow('Size mismatch between tensors');
    expect(
      () => new DataLoader(ds, { batch_size: 2 } as torch.utils.data.DataLoaderOptions),
    ).toThrow("unexpected keyword argument 'batch_size'");
  });
});

describe('randomSplit as PyTorch splits', () => {
  it.each(fixture.splits.map((c) => [JSON.stringify(c.lengths), c] as const))('%s', (_n, c) => {
    torch.manualSeed(c.seed);
    const parts = randomSplit({ length: c.n, get: (i: number) => i }, c.lengths);
    expect(parts.map((p) => p.indices)).toEqual(c.indices);
  });
});

/** An IDX file: magic (0, 0, type, dims), big-endian dims, big-endian elements. */
function idxFile(type: number, shape: number[], values: number[], size: number): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * shape.length + values.length * size);
  const view = new DataView(bytes.buffer);
  bytes[2] = type;
  bytes[3] = shape.length;
  shape.forEach((s, i) => view.setUint32(4 + 4 * i, s));
  const at = 4 + 4 * shape.length;
  values.forEach((v, i) => {
    if (size === 1) view.setUint8(at + i, v);
    else view.setFloat32(at + i * 4, v);
  });
  return bytes;
}

describe('IDX files (MNIST, Fashion-MNIST)', () => {
  const images = idxFile(0x08, [3, 2, 2], [0, 255, 7, 8, 1, 2, 3, 4, 9, 10, 11, 12], 1);
  const labels = idxFile(0x08, [3], [9, 0, 3], 1);

  it('reads unsigned bytes as int64, or as the dtype asked, with a limit', () => {
    expect(parseIdx(labels).tolist()).toEqual([9, 0, 3]);
    expect(parseIdx(labels).dtype).toBe('int64');
    const t = parseIdx(images, { dtype: torch.float32, limit: 2 });
    expect([t.shape, t.dtype, t.tolist()]).toEqual([
      [2, 2, 2],
      'float32',
      [
        [
          [0, 255],
          [7, 8],
        ],
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
    expect(parseIdx(idxFile(0x0d, [2], [0.5, -2], 4)).tolist()).toEqual([0.5, -2]);
  });

  it('readIdx takes gzip-compressed files; parseIdx says to decompress them', async () => {
    const gz = new Uint8Array(gzipSync(labels));
    expect((await readIdx(gz)).tolist()).toEqual([9, 0, 3]);
    expect(() => parseIdx(gz)).toThrow('gzip-compressed');
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4]))).toThrow('not an IDX file');
    expect(() => parseIdx(labels.subarray(0, 9))).toThrow('truncated');
  });
});
