/* gemm_avx2.c: AVX2+FMA kernels for gemm (conventions in gemm_kernels.h).
 *
 * Compiled without -march flags: every function carries a GCC target
 * attribute, and gemm.c calls them only when __builtin_cpu_supports()
 * says the CPU (and OS) runs AVX2 and FMA. Other compilers and CPUs get
 * NULL from gemm_isa_avx2().
 *
 * Outer-product tile 8 x 6, column-major, vectors along the rows of C:
 * 2 ymm per column, 12 accumulators of the 16 registers. Same structure as
 * gemm_avx512.c: one function per tile shape, masked loads and stores for
 * partial rows, unmasked loops for full ones. */
#include "gemm_kernels.h"

/* 64-bit x86 with GCC or clang; not Windows, where GCC aligns vector
 * spills to 32 or 64 bytes on a stack it cannot realign (GCC bug 54412) */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(_WIN32)
#include <immintrin.h>

#define INLINE static inline __attribute__((always_inline))
/* an empty asm the value must pass through: no fusing across it */
#define OPAQUE(v) __asm__("" : "+v"(v))
#define T256 __attribute__((target("avx2,fma")))

#define MR 8
#define NR 6

typedef void (*tile_fn)(int, int, const double *, ptrdiff_t, const double *,
                        ptrdiff_t, ptrdiff_t, double, double, double *,
                        ptrdiff_t);

/* lanes of a 4-double vector whose index is below n, as a maskload mask */
INLINE T256 __m256i lanes_below(int n)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n),
                              _mm256_set_epi64x(3, 2, 1, 0));
}

/* ---- outer-product tiles: acc (4 MV x NR) = A B, C = alpha acc + beta C ---- */

INLINE T256 void k256(const int MV, const int NR_, const int FULL, int kc,
                      int mr, const double *a, ptrdiff_t a_ps,
                      const double *b, ptrdiff_t b_ps, ptrdiff_t b_cs,
                      double alpha, double beta, double *c, ptrdiff_t ldc)
{
    __m256i m0 = lanes_below(mr), m1 = lanes_below(mr - 4);
    __m256d c0[NR], c1[NR];
#pragma GCC unroll 6
    for (int j = 0; j < NR_; j++)
        c0[j] = c1[j] = _mm256_setzero_pd();
    for (int p = 0; p < kc; p++, a += a_ps, b += b_ps) {
        __m256d a0 = FULL || MV == 2 ? _mm256_loadu_pd(a)
                                     : _mm256_maskload_pd(a, m0);
        __m256d a1 = MV == 1 ? a0 : FULL ? _mm256_loadu_pd(a + 4)
                                         : _mm256_maskload_pd(a + 4, m1);
#pragma GCC unroll 6
        for (int j = 0; j < NR_; j++) {
            __m256d bj = _mm256_broadcast_sd(b + j * b_cs);
            c0[j] = _mm256_fmadd_pd(a0, bj, c0[j]);
            if (MV > 1)
                c1[j] = _mm256_fmadd_pd(a1, bj, c1[j]);
        }
    }
    /* C = alpha acc + beta C: the product rounded, then one fused
     * multiply-add (OPAQUE keeps the compiler from fusing the two) */
    __m256d va = _mm256_set1_pd(alpha), vb = _mm256_set1_pd(beta);
    if (alpha != 1.0) {
#pragma GCC unroll 6
        for (int j = 0; j < NR_; j++) {
            c0[j] = _mm256_mul_pd(va, c0[j]);
            c1[j] = _mm256_mul_pd(va, c1[j]);
        }
    }
    if (beta == 0.0) {
#pragma GCC unroll 6
        for (int j = 0; j < NR_; j++) {
            _mm256_maskstore_pd(c + j * ldc, m0, c0[j]);
            if (MV > 1)
                _mm256_maskstore_pd(c + j * ldc + 4, m1, c1[j]);
        }
        return;
    }
#pragma GCC unroll 6
    for (int j = 0; j < NR_; j++) {
        double *cj = c + j * ldc;
        OPAQUE(c0[j]);
        _mm256_maskstore_pd(cj, m0, _mm256_fmadd_pd(vb,
                            _mm256_maskload_pd(cj, m0), c0[j]));
        if (MV > 1) {
            OPAQUE(c1[j]);
            _mm256_maskstore_pd(cj + 4, m1, _mm256_fmadd_pd(vb,
                                _mm256_maskload_pd(cj + 4, m1), c1[j]));
        }
    }
}

#define K_DEF(MV, N)                                                        \
    static T256 void k256_##MV##_##N(int kc, int mr, const double *a,       \
        ptrdiff_t a_ps, const double *b, ptrdiff_t b_ps, ptrdiff_t b_cs,    \
        double al, double be, double *c, ptrdiff_t ldc)                     \
    {                                                                       \
        if (mr == 4 * MV && b_cs == 1)                                      \
            k256(MV, N, 1, kc, mr, a, a_ps, b, b_ps, 1, al, be, c, ldc);    \
        else if (mr == 4 * MV)                                              \
            k256(MV, N, 1, kc, mr, a, a_ps, b, 1, b_cs, al, be, c, ldc);    \
        else if (b_cs == 1)                                                 \
            k256(MV, N, 0, kc, mr, a, a_ps, b, b_ps, 1, al, be, c, ldc);    \
        else                                                                \
            k256(MV, N, 0, kc, mr, a, a_ps, b, 1, b_cs, al, be, c, ldc);    \
    }
#define K_ROW(MV) K_DEF(MV, 1) K_DEF(MV, 2) K_DEF(MV, 3) K_DEF(MV, 4)       \
    K_DEF(MV, 5) K_DEF(MV, 6)
K_ROW(1)
K_ROW(2)

#define K_TAB(MV) {k256_##MV##_1, k256_##MV##_2, k256_##MV##_3,             \
    k256_##MV##_4, k256_##MV##_5, k256_##MV##_6}
static const tile_fn tiles[2][NR] = {K_TAB(1), K_TAB(2)};

static T256 void macro256(const gemm_block *g)
{
    int ntile = (g->nc + NR - 1) / NR;
    for (int t = 0; t < ntile; t++) {
        int jr, nr;
        tile_cols(g, t, ntile, NR, &jr, &nr);
        const double *b = g->b_pstr ? g->b + t * g->b_pstr : g->b + jr * g->b_cs;
        for (int ir = 0, s = 0; ir < g->mc; ir += MR, s++) {
            int mr = g->mc - ir < MR ? g->mc - ir : MR;
            tiles[mr > 4][nr - 1](g->kc, mr, g->a + s * g->a_pstr, g->a_ps,
                                  b, g->b_ps, g->b_cs, g->alpha, g->beta,
                                  g->c + ir + jr * g->ldc, g->ldc);
        }
    }
}

/* alpha s + beta *c, rounded as the vector kernels do: the product, then
 * one fused multiply-add. OPAQUE hides the product from the optimizer,
 * which would otherwise fuse it (-ffp-contract=fast) into a different
 * multiply-add in different tile functions. */
INLINE T256 double scale_add(double alpha, double s, double beta,
                             const double *c)
{
    __m128d t = _mm_mul_sd(_mm_set_sd(alpha), _mm_set_sd(s));
    OPAQUE(t);
    if (beta != 0.0)
        t = _mm_fmadd_sd(_mm_set_sd(beta), _mm_load_sd(c), t);
    return _mm_cvtsd_f64(t);
}

/* ---- dot-product tiles: MR_ x NR_ elements, 4 lanes each ---- */

/* horizontal sum in a fixed order: (l0 + l2) + (l1 + l3) */
INLINE T256 double hsum(__m256d v)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v),
                           _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

INLINE T256 void d256(const int MR_, const int NR_, int kc, const double *a,
                      ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                      double alpha, double beta, double *c, ptrdiff_t ldc)
{
    __m256d acc[4][6], av[4];
#pragma GCC unroll 4
    for (int i = 0; i < MR_; i++)
#pragma GCC unroll 6
        for (int j = 0; j < NR_; j++)
            acc[i][j] = _mm256_setzero_pd();
    /* the last partial vector loads zeros past kc: same sums in every tile */
#define D256_STEP(LOAD)                                                     \
    do {                                                                    \
        _Pragma("GCC unroll 4")                                             \
        for (int i = 0; i < MR_; i++)                                       \
            av[i] = LOAD(a + i * lda + p);                                  \
        _Pragma("GCC unroll 6")                                             \
        for (int j = 0; j < NR_; j++) {                                     \
            __m256d bv = LOAD(b + j * ldb + p);                             \
            OPAQUE(bv); /* one load, not one per row of the tile */         \
            _Pragma("GCC unroll 4")                                         \
            for (int i = 0; i < MR_; i++)                                   \
                acc[i][j] = _mm256_fmadd_pd(av[i], bv, acc[i][j]);          \
        }                                                                   \
    } while (0)
#define LOAD_FULL(x) _mm256_loadu_pd(x)
#define LOAD_PART(x) _mm256_maskload_pd(x, m)
    int p = 0;
    for (; p + 4 <= kc; p += 4)
        D256_STEP(LOAD_FULL);
    if (p < kc) {
        __m256i m = lanes_below(kc - p);
        D256_STEP(LOAD_PART);
    }
#pragma GCC unroll 6
    for (int j = 0; j < NR_; j++)
#pragma GCC unroll 4
        for (int i = 0; i < MR_; i++) {
            double *cij = c + i + j * ldc;
            *cij = scale_add(alpha, hsum(acc[i][j]), beta, cij);
        }
}

typedef void (*dot_fn)(int, const double *, ptrdiff_t, const double *,
                       ptrdiff_t, double, double, double *, ptrdiff_t);

#define D_DEF(M, N)                                                         \
    static T256 void d256_##M##_##N(int kc, const double *a, ptrdiff_t lda, \
        const double *b, ptrdiff_t ldb, double al, double be, double *c,    \
        ptrdiff_t ldc)                                                      \
    {                                                                       \
        d256(M, N, kc, a, lda, b, ldb, al, be, c, ldc);                     \
    }
/* tiles: 4 x n for n <= 2, else 2 x 6 (and 1 x 6 for an odd last row);
 * 8 to 12 accumulators of the 16 registers */
D_DEF(1, 1) D_DEF(2, 1) D_DEF(3, 1) D_DEF(4, 1)
D_DEF(1, 2) D_DEF(2, 2) D_DEF(3, 2) D_DEF(4, 2)
D_DEF(1, 3) D_DEF(2, 3) D_DEF(1, 4) D_DEF(2, 4)
D_DEF(1, 5) D_DEF(2, 5) D_DEF(1, 6) D_DEF(2, 6)

static const dot_fn dots[4][6] = {
    {d256_1_1, d256_1_2, d256_1_3, d256_1_4, d256_1_5, d256_1_6},
    {d256_2_1, d256_2_2, d256_2_3, d256_2_4, d256_2_5, d256_2_6},
    {d256_3_1, d256_3_2}, {d256_4_1, d256_4_2}};

static T256 void dot256(const gemm_block *g)
{
    int tm = g->nc <= 2 ? 4 : 2;
    int tn = g->nc <= 2 ? g->nc : 6;
    for (int jr = 0; jr < g->nc; jr += tn) {
        int nr = g->nc - jr < tn ? g->nc - jr : tn;
        for (int ir = 0; ir < g->mc; ir += tm) {
            int mr = g->mc - ir < tm ? g->mc - ir : tm;
            dots[mr - 1][nr - 1](g->kc, g->a + ir * g->a_pstr, g->a_pstr,
                                 g->b + jr * g->b_cs, g->b_cs, g->alpha,
                                 g->beta, g->c + ir + jr * g->ldc, g->ldc);
        }
    }
}

/* ---- transposing pack, 4 x 4 blocks ---- */

/* rows r < nr of src (4 p each, np valid) become columns of dst; rows past
 * nr repeat row 0 and are not stored, p past np are not stored */
INLINE T256 void transpose4(const int FULL, double *dst, int w,
                            const double *src, ptrdiff_t lds, int nr, int np)
{
    __m256i pm = lanes_below(np), rm = lanes_below(nr);
    __m256d r[4], o[4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        const double *s = src + (FULL || i < nr ? i : 0) * lds;
        r[i] = FULL ? _mm256_loadu_pd(s) : _mm256_maskload_pd(s, pm);
    }
    __m256d t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
    __m256d t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
    o[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    o[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    o[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    o[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
#pragma GCC unroll 4
    for (int q = 0; q < 4; q++) {
        if (FULL)
            _mm256_storeu_pd(dst + q * w, o[q]);
        else if (q < np)
            _mm256_maskstore_pd(dst + q * w, rm, o[q]);
    }
}

static T256 void pack_t256(double *dst, int w, const double *src,
                           ptrdiff_t lds, int rows, int kc)
{
    for (int r = 0; r < rows; r += 4) {
        int nr = rows - r < 4 ? rows - r : 4;
        for (int p = 0; p < kc; p += 4) {
            int np = kc - p < 4 ? kc - p : 4;
            if (nr == 4 && np == 4)
                transpose4(1, dst + (ptrdiff_t) p * w + r, w, src + p + r * lds,
                           lds, 4, 4);
            else
                transpose4(0, dst + (ptrdiff_t) p * w + r, w, src + p + r * lds,
                           lds, nr, np);
        }
    }
}

static const gemm_isa isa256 = {MR, NR, 256, 96, 516, 6144, macro256, dot256,
                                pack_t256, "avx2+fma"};

const gemm_isa *gemm_isa_avx2(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
        ? &isa256 : 0;
}

#else

const gemm_isa *gemm_isa_avx2(void) { return 0; }

#endif
