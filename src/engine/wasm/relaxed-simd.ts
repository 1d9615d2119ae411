// Whether this runtime has WebAssembly relaxed SIMD: V8 ships it from 11.4 (Chrome 114, Node 22,
// the Electron of current VS Code); Node 20 has it only behind --experimental-wasm-relaxed-simd.
// Its fused multiply-add rounds once where f32x4.mul then f32x4.add round twice, so products
// differ in the last bits between the two builds (both within float32 accumulation error).

/** v128.const with sixteen zero bytes. */
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
/** No locals; f32x4.relaxed_madd (0xfd 0x105) of three zero vectors; end. */
const BODY = [0x00, ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02, 0x0b];

/**
 * The smallest module using relaxed SIMD, one function returning a relaxed_madd: it validates
 * exactly where the instruction is known. Sections: magic and version; one type () -> v128;
 * one function of that type; its code.
 */
const PROBE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b],
  ...[0x03, 0x02, 0x01, 0x00],
  ...[0x0a, BODY.length + 2, 0x01, BODY.length, ...BODY],
]);

let supported: boolean | undefined;

/** Whether WebAssembly relaxed SIMD validates here (checked once). */
export function relaxedSimdSupported(): boolean {
  if (supported === undefined) {
    try {
      supported = typeof WebAssembly === 'object' && WebAssembly.validate(PROBE);
    } catch {
      supported = false;
    }
  }
  return supported;
}
