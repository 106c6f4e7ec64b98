/* gemm_portable.c: the portable kernel for gemm (conventions in
 * gemm_kernels.h), for CPUs and compilers without the x86 kernels: arm64
 * (Apple silicon), Windows, x86 before AVX2.
 *
 * 8 x 4 tiles of doubles, 16 x 4 of floats (the single build, through
 * single_gemm_portable.c), column-major. With GCC and clang the
 * accumulators are their generic 16-byte vectors (2 doubles or 4 floats),
 * which become SSE2 or NEON code; other compilers get plain loops. No
 * dot-product kernel: t(A) B goes through the outer-product tiles with
 * t(A) packed. */
#include <string.h>
#include "gemm_kernels.h"

/* lanes of a 16-byte vector; a tile column is 4 of them */
#define VLG ((int) (16 / sizeof(real)))
#define MRG (4 * VLG)
#define NRG 4
#define KCG 256

/* GCC and clang vectorise with their generic vectors (SSE2, NEON, ...);
 * other compilers get scalar code */
#if defined(__GNUC__)
typedef real vreal __attribute__((vector_size(16)));
#endif

/* acc (MRG x 4) += a (MRG x kc) b (kc x 4): a in rows of MRG at stride
 * a_ps, bj[p * 4 + j] the columns of b */
static void tile_c_acc(real acc[NRG][MRG], int kc, const real *a,
                       ptrdiff_t a_ps, const real *bj)
{
#if defined(__GNUC__)
    vreal va[NRG][4] = {{{0}}};
    for (int p = 0; p < kc; p++, a += a_ps, bj += NRG) {
        vreal av[4];
        memcpy(av, a, sizeof av);
#pragma GCC unroll 4
        for (int j = 0; j < NRG; j++) {
            vreal bv = {0};
            for (int l = 0; l < VLG; l++)
                bv[l] = bj[j];
#pragma GCC unroll 4
            for (int r = 0; r < 4; r++)
                va[j][r] += av[r] * bv;
        }
    }
    memcpy(acc, va, sizeof va);
#else
    for (int p = 0; p < kc; p++, a += a_ps, bj += NRG)
        for (int j = 0; j < NRG; j++)
            for (int r = 0; r < MRG; r++)
                acc[j][r] += a[r] * bj[j];
#endif
}

/* One loop for every tile, partial ones included (rows past mr copied as
 * zeros, columns past nr multiplied as zeros), so that whatever a
 * compiler does with a * b + acc, it does the same to every element. */
static void tile_c(int kc, int mr, int nr, const real *a, ptrdiff_t a_ps,
                   const real *b, ptrdiff_t b_ps, ptrdiff_t b_cs,
                   real alpha, real beta, real *c, ptrdiff_t ldc)
{
    real acc[NRG][MRG] = {{0}}, bj[NRG * KCG], apad[MRG * KCG];
    if (mr < MRG) {
        for (int p = 0; p < kc; p++)
            for (int r = 0; r < MRG; r++)
                apad[p * MRG + r] = r < mr ? a[r + p * a_ps] : 0;
        a = apad;
        a_ps = MRG;
    }
    for (int p = 0; p < kc; p++)
        for (int j = 0; j < NRG; j++)
            bj[p * NRG + j] = j < nr ? b[p * b_ps + j * b_cs] : 0;
    tile_c_acc(acc, kc, a, a_ps, bj);
    for (int j = 0; j < nr; j++, c += ldc)
        for (int r = 0; r < mr; r++) {
            real t = alpha * acc[j][r];
            c[r] = beta == 0 ? t : t + beta * c[r];
        }
}

static void macro_c(const gemm_block *g)
{
    int ntile = (g->nc + NRG - 1) / NRG;
    for (int t = 0; t < ntile; t++) {
        int jr, nr;
        tile_cols(g, t, ntile, NRG, &jr, &nr);
        const real *b = g->b_pstr ? g->b + t * g->b_pstr : g->b + jr * g->b_cs;
        for (int ir = 0, s = 0; ir < g->mc; ir += MRG, s++) {
            int mr = g->mc - ir < MRG ? g->mc - ir : MRG;
            tile_c(g->kc, mr, nr, g->a + s * g->a_pstr, g->a_ps,
                   b, g->b_ps, g->b_cs, g->alpha,
                   g->beta, g->c + ir + jr * g->ldc, g->ldc);
        }
    }
}

static void pack_t_c(real *dst, int w, const real *src, ptrdiff_t lds,
                     int rows, int kc)
{
    for (int r = 0; r < rows; r++, src += lds)
        for (int p = 0; p < kc; p++)
            dst[(ptrdiff_t) p * w + r] = src[p];
}

/* blocks of the same bytes in both precisions: mc 128 doubles or 256
 * floats */
static const gemm_isa isa_c = {MRG, NRG, KCG, 16 * MRG, 516, 0, macro_c, 0,
                               pack_t_c, "c"};

const gemm_isa *gemm_isa_portable(void) { return &isa_c; }
