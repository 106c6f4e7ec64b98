/* gemm_kernels.h: the interface between the gemm driver (gemm.c) and its
 * instruction-set specific kernels (gemm_portable.c, gemm_avx2.c:
 * AVX2+FMA, gemm_avx512.c: AVX-512). Internal to src/, pure C.
 *
 * Written over `real` (real.h) like the driver: each kernel file is
 * compiled as itself (double) and through its single_*.c wrapper (float),
 * and the getters below are renamed to *_f in the single build.
 *
 * A macro-kernel updates one (mc x nc) block of column-major C:
 *   C(i, j) = alpha * sum_{p < kc} A(i, p) B(p, j) + beta * C(i, j)
 * (beta == 0: C is not read). Every element gets the same arithmetic
 * whatever register tile it falls in, which is what makes the result
 * independent of how the driver splits C among threads.
 *
 * Outer-product kernels (macro): one accumulator per element, one
 * multiply-add per p in increasing order, then alpha * acc + beta * C.
 * Operands are addressed through strides, so the same kernel serves
 * packed panels and matrices used in place:
 *   A(t * mr + r, p) = a[t * a_pstr + r + p * a_ps]   (r < mr, rows contiguous)
 *   B(p, t * nr + j) = b[t * b_pstr + p * b_ps + j * b_cs]
 * with b_ps == 1 or b_cs == 1; b_pstr == 0 means B(p, j) = b[p * b_ps +
 * j * b_cs] for every j (B in place), and the kernel may then balance its
 * tile widths rather than leave a thin last tile. A kernel never reads A
 * rows or B columns beyond mc and nc.
 *
 * Dot-product kernels (dot), for rows of op(A) and columns of op(B) that
 * are both contiguous in p (t(A) B, skinny products with a long k):
 *   A(i, p) = a[p + i * a_pstr],   B(p, j) = b[p + j * b_cs]
 * Each element sums p in vector lanes (p modulo the vector width, in
 * increasing order), then adds the lanes in a fixed order. */
#ifndef NNFS_GEMM_KERNELS_H
#define NNFS_GEMM_KERNELS_H

#include <stddef.h>
#include "real.h"

typedef struct {
    int mc, nc, kc;
    real alpha, beta;
    const real *a;
    ptrdiff_t a_ps, a_pstr;
    const real *b;
    ptrdiff_t b_ps, b_cs, b_pstr;
    real *c;
    ptrdiff_t ldc;
} gemm_block;

typedef void (*gemm_macro_fn)(const gemm_block *blk);

/* Columns [*j0, *j0 + *nr) of column tile t of ntile (nr-wide tiles), the
 * widths balanced when B is in place (b_pstr == 0). */
static inline void tile_cols(const gemm_block *g, int t, int ntile, int nr,
                             int *j0, int *w)
{
    if (g->b_pstr) {
        *j0 = t * nr;
        *w = g->nc - *j0 < nr ? g->nc - *j0 : nr;
    } else {
        *j0 = (int) ((ptrdiff_t) g->nc * t / ntile);
        *w = (int) ((ptrdiff_t) g->nc * (t + 1) / ntile) - *j0;
    }
}

/* Transposing copy into a packed panel of width w:
 *   dst[p * w + r] = src[p + r * lds]   for r < rows, p < kc
 * (op(A) = t(A) into A panels, op(B) = B into B panels). */
typedef void (*gemm_pack_fn)(real *dst, int w, const real *src,
                             ptrdiff_t lds, int rows, int kc);

/* One instruction set: register tile (mr x nr), cache blocks (kc is the
 * longest k block, mc and nc are multiples of mr and nr), kernels, and
 * kd / min(n, nr), the longest k block of the dot kernel (dot is NULL if
 * none). */
typedef struct {
    int mr, nr, kc, mc, nc, kd;
    gemm_macro_fn macro, dot;
    gemm_pack_fn pack_t;
    const char *name;
} gemm_isa;

/* NULL when the compiler or the CPU lacks the instruction set. */
const gemm_isa *gemm_isa_avx512(void);
const gemm_isa *gemm_isa_avx2(void);
/* always there */
const gemm_isa *gemm_isa_portable(void);

#endif
