// Tells which OS and CPU a native executable is for from its header (ELF, PE, 64-bit Mach-O).

export interface BinaryKind {
  readonly os: 'linux' | 'win32' | 'darwin';
  readonly cpu: 'x64' | 'arm64' | 'other';
}

const ELF_CPU: Record<number, BinaryKind['cpu']> = { 0x3e: 'x64', 0xb7: 'arm64' };
const PE_CPU: Record<number, BinaryKind['cpu']> = { 0x8664: 'x64', 0xaa64: 'arm64' };
const MACHO_CPU: Record<number, BinaryKind['cpu']> = { 0x01000007: 'x64', 0x0100000c: 'arm64' };

export function binaryKind(bytes: Buffer): BinaryKind | null {
  if (bytes.readUInt32BE(0) === 0x7f454c46) {
    return { os: 'linux', cpu: ELF_CPU[bytes.readUInt16LE(18)] ?? 'other' };
  }
  if (bytes.toString('latin1', 0, 2) === 'MZ') {
    const pe = bytes.readUInt32LE(0x3c);
    if (bytes.readUInt32BE(pe) !== 0x50450000) return null;
    return { os: 'win32', cpu: PE_CPU[bytes.readUInt16LE(pe + 4)] ?? 'other' };
  }
  if (bytes.readUInt32LE(0) === 0xfeedfacf) {
    return { os: 'darwin', cpu: MACHO_CPU[bytes.readUInt32LE(4)] ?? 'other' };
  }
  return null;
}
