// The IDX format MNIST and Fashion-MNIST ship in: a magic number (two zero bytes, the element
// type, the number of dims), each dim as a big-endian uint32, then the elements big-endian.
// The engine reads bytes, not files (it imports nothing from Node); `readIdx` also takes the
// `.gz` files as they are distributed.
import { allocate, checkDtype, type DType } from '../../dtype';
import { Tensor } from '../../tensor';

/** IDX element types: byte width and reader. */
const TYPES: Record<number, { size: number; read: (v: DataView, at: number) => number }> = {
  0x08: { size: 1, read: (v, at) => v.getUint8(at) },
  0x09: { size: 1, read: (v, at) => v.getInt8(at) },
  0x0b: { size: 2, read: (v, at) => v.getInt16(at) },
  0x0c: { size: 4, read: (v, at) => v.getInt32(at) },
  0x0d: { size: 4, read: (v, at) => v.getFloat32(at) },
  0x0e: { size: 8, read: (v, at) => v.getFloat64(at) },
};

/** Options of the IDX readers. */
export interface IdxOptions {
  /** The tensor's dtype: default int64 for integer files, float32/float64 for float files. */
  dtype?: DType;
  /** Read at most this many items along the first dim. */
  limit?: number;
}

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * An uncompressed IDX file's bytes as a tensor of its shape.
 * @example
 * const labels = torch.utils.data.parseIdx(readFileSync('train-labels-idx1-ubyte'));
 * const images = torch.utils.data.parseIdx(bytes, { dtype: torch.float32, limit: 1000 });
 */
export function parseIdx(bytes: Uint8Array, options: IdxOptions = {}): Tensor {
  if (isGzip(bytes))
    throw new Error('IDX bytes are gzip-compressed: decompress them first, or use readIdx');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0)
    throw new Error('not an IDX file: it must start with two zero bytes');
  const type = TYPES[bytes[2]] as (typeof TYPES)[number] | undefined;
  if (type === undefined)
    throw new Error(`not an IDX file: unknown element type 0x${bytes[2].toString(16)}`);
  const shape = Array.from({ length: bytes[3] }, (_, i) => view.getUint32(4 + 4 * i));
  if (options.limit !== undefined && shape.length > 0) shape[0] = Math.min(shape[0], options.limit);
  const numel = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * shape.length;
  if (bytes.length < start + numel * type.size)
    throw new Error(`IDX file is truncated: ${bytes.length} bytes for shape [${shape.join(', ')}]`);
  const float = bytes[2] === 0x0d ? 'float32' : 'float64';
  const integral = bytes[2] < 0x0d;
  const dtype =
    options.dtype === undefined
      ? integral
        ? 'int64'
        : float
      : checkDtype('parseIdx', options.dtype);
  const data = allocate(dtype, numel);
  for (let i = 0; i < numel; i++) data[i] = type.read(view, start + i * type.size);
  return Tensor._fromFlat(data, shape, dtype);
}

/** Decompresses gzip with the platform's DecompressionStream (Node 18+, browsers). */
async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * An IDX file's bytes, gzip-compressed (`.gz`, as MNIST is distributed) or not.
 * @example
 * const images = await torch.utils.data.readIdx(readFileSync('train-images-idx3-ubyte.gz'));
 */
export async function readIdx(bytes: Uint8Array, options: IdxOptions = {}): Promise<Tensor> {
  return parseIdx(isGzip(bytes) ? await gunzip(bytes) : bytes, options);
}
