// Reads a .zip (a .vsix is one) from its central directory: names, Unix modes and contents.
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  /** The Unix mode the archiver recorded (0 when it recorded none). */
  readonly mode: number;
  read(): Buffer;
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

function endOfDirectory(zip: Buffer): number {
  for (let at = zip.length - 22; at >= 0; at--) {
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY) return at;
  }
  throw new Error('not a zip: no end of central directory');
}

function contents(zip: Buffer, localOffset: number, method: number, size: number): Buffer {
  if (zip.readUInt32LE(localOffset) !== LOCAL_HEADER) throw new Error('bad local header');
  const start =
    localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
  const data = zip.subarray(start, start + size);
  if (method === 0) return data;
  if (method === 8) return inflateRawSync(data);
  throw new Error(`unsupported compression method ${String(method)}`);
}

export function readZip(zip: Buffer): ZipEntry[] {
  const end = endOfDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== DIRECTORY_ENTRY) throw new Error('bad central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const mode = zip.readUInt32LE(at + 38) >>> 16;
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    entries.push({ name, mode, read: () => contents(zip, localOffset, method, compressedSize) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
