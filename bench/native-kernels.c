// What native code reaches on this machine with the instructions W4's kernel has: 128-bit
// vectors and fused multiply-add. Beside bench/simd-ceiling.mjs (the same ceiling from
// WebAssembly), it times the kernel's own loop shape compiled by GCC: a 4x8 tile (8
// accumulators, as src/engine/wasm/gemm.as) and a 6x8 tile (12, more than V8 leaves registers
// for), over a broadcast A panel in L1 and 32 B panels in L2, as the engine packs them. One
// thread; run two at once for both cores. Run by hand, not part of `npm run bench`:
//   gcc -O2 -mfma -o /tmp/native-kernels bench/native-kernels.c && /tmp/native-kernels
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { KC = 256, PANELS = 32, ROUNDS = 2000 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

#define FMA(c, a, b) c = _mm_fmadd_ps(a, b, c)

// Twelve independent accumulators and no memory access: the instruction's own ceiling.
static double fma_only(void) {
  __m128 x = _mm_set1_ps(0.5f), y = _mm_set1_ps(0.25f);
  __m128 a0 = x, a1 = y, a2 = x, a3 = y, a4 = x, a5 = y, a6 = x, a7 = y, a8 = x, a9 = y,
         a10 = x, a11 = y;
  const long turns = 400000000L;
  double t0 = now();
  for (long k = 0; k < turns; k++) {
    a0 = _mm_fmadd_ps(a0, x, y); a1 = _mm_fmadd_ps(a1, x, y); a2 = _mm_fmadd_ps(a2, x, y);
    a3 = _mm_fmadd_ps(a3, x, y); a4 = _mm_fmadd_ps(a4, x, y); a5 = _mm_fmadd_ps(a5, x, y);
    a6 = _mm_fmadd_ps(a6, x, y); a7 = _mm_fmadd_ps(a7, x, y); a8 = _mm_fmadd_ps(a8, x, y);
    a9 = _mm_fmadd_ps(a9, x, y); a10 = _mm_fmadd_ps(a10, x, y); a11 = _mm_fmadd_ps(a11, x, y);
    // Keeps every accumulator in a register, each turn's work done.
    __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5),
                     "+x"(a6), "+x"(a7), "+x"(a8), "+x"(a9), "+x"(a10), "+x"(a11));
  }
  return turns * 12 * 8 / (now() - t0) / 1e9;
}

// C[0:rows, 0:8] += A panel (KC x rows, each element broadcast) . B panel (KC x 8); `rows` is a
// constant where it is inlined, so that the compiler keeps the tile in registers.
static inline __attribute__((always_inline)) double tile(const int rows, const float *a,
                                                         const float *b) {
  __m128 c0[6], c1[6];
  for (int i = 0; i < rows; i++) c0[i] = c1[i] = _mm_setzero_ps();
  double t0 = now();
  for (int round = 0; round < ROUNDS; round++)
    for (int panel = 0; panel < PANELS; panel++) {
      const float *pa = a, *pb = b + panel * KC * 8;
      for (int k = 0; k < KC; k++, pa += rows * 4, pb += 8) {
        __m128 b0 = _mm_load_ps(pb), b1 = _mm_load_ps(pb + 4);
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
          __m128 x = _mm_load_ps(pa + i * 4);
          FMA(c0[i], x, b0);
          FMA(c1[i], x, b1);
        }
      }
    }
  double dt = now() - t0;
  float sum = 0;
  for (int i = 0; i < rows; i++) sum += _mm_cvtss_f32(_mm_add_ps(c0[i], c1[i]));
  if (sum == 12345.f) puts(""); // uses the result
  return (double)ROUNDS * PANELS * KC * rows * 16 / dt / 1e9;
}

static double tile4x8(const float *a, const float *b) { return tile(4, a, b); }
static double tile6x8(const float *a, const float *b) { return tile(6, a, b); }

int main(void) {
  float *a = aligned_alloc(64, KC * 6 * 16), *b = aligned_alloc(64, PANELS * KC * 8 * 4);
  for (int i = 0; i < KC * 6 * 4; i++) a[i] = 0.001f * (i % 7);
  for (int i = 0; i < PANELS * KC * 8; i++) b[i] = 0.001f * (i % 5);
  for (int rep = 0; rep < 3; rep++)
    printf("GFLOP/s on one thread: FMA only %.1f, 4x8 tile %.1f, 6x8 tile %.1f\n", fma_only(),
           tile4x8(a, b), tile6x8(a, b));
  return 0;
}
