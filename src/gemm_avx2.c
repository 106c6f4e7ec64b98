/* gemm_avx2.c: AVX2+FMA kernels for gemm (conventions in gemm_kernels.h).
 *
 * Compiled without -march flags: every function carries a GCC target
 * attribute, and gemm.c calls them only when __builtin_cpu_supports()
 * says the CPU (and OS) runs AVX2 and FMA. Other compilers and CPUs get
 * NULL from gemm_isa_avx2().
 *
 * Outer-product tile 8 x 6 doubles or 16 x 6 floats, column-major,
 * vectors along the rows of C: 2 ymm per column, 12 accumulators of the 16
 * registers. Same structure as gemm_avx512.c: one function per tile shape,
 * masked loads and stores for partial rows, unmasked loops for full ones;
 * one source for both precisions through the V* and S* operations below
 * (_pd here, _ps in the single build, single_gemm_avx2.c), only the
 * transposing pack written out for each. */
#include "gemm_kernels.h"

/* 64-bit x86 with GCC or clang; not Windows, where GCC aligns vector
 * spills to 32 or 64 bytes on a stack it cannot realign (GCC bug 54412) */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(_WIN32)
#include <immintrin.h>

#define INLINE static inline __attribute__((always_inline))
/* an empty asm the value must pass through: no fusing across it */
#define OPAQUE(v) __asm__("" : "+v"(v))
#define T256 __attribute__((target("avx2,fma")))

#ifdef NNFS_SINGLE
#define VL 8                        /* lanes of a vector */
typedef __m256 vreal;
typedef __m128 sreal;               /* a scalar in the low lane */
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
#define VLOADM(p, m) _mm256_maskload_ps(p, m)
#define VSTOREM(p, m, v) _mm256_maskstore_ps(p, m, v)
#define VSTORE(p, v) _mm256_storeu_ps(p, v)
#define VBCAST(p) _mm256_broadcast_ss(p)
#define VSET1(x) _mm256_set1_ps(x)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VMUL(a, b) _mm256_mul_ps(a, b)
#define SSET(x) _mm_set_ss(x)
#define SLOAD(p) _mm_load_ss(p)
#define SMUL(a, b) _mm_mul_ss(a, b)
#define SFMA(a, b, c) _mm_fmadd_ss(a, b, c)
#define SGET(v) _mm_cvtss_f32(v)

/* lanes of a vector whose index is below n, as a maskload mask */
INLINE T256 __m256i lanes_below(int n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n),
                              _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0));
}
#else
#define VL 4
typedef __m256d vreal;
typedef __m128d sreal;
#define VZERO() _mm256_setzero_pd()
#define VLOAD(p) _mm256_loadu_pd(p)
#define VLOADM(p, m) _mm256_maskload_pd(p, m)
#define VSTOREM(p, m, v) _mm256_maskstore_pd(p, m, v)
#define VSTORE(p, v) _mm256_storeu_pd(p, v)
#define VBCAST(p) _mm256_broadcast_sd(p)
#define VSET1(x) _mm256_set1_pd(x)
#define VFMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#define VMUL(a, b) _mm256_mul_pd(a, b)
#define SSET(x) _mm_set_sd(x)
#define SLOAD(p) _mm_load_sd(p)
#define SMUL(a, b) _mm_mul_sd(a, b)
#define SFMA(a, b, c) _mm_fmadd_sd(a, b, c)
#define SGET(v) _mm_cvtsd_f64(v)

INLINE T256 __m256i lanes_below(int n)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n),
                              _mm256_set_epi64x(3, 2, 1, 0));
}
#endif

#define MR (2 * VL)
#define NR 6

typedef void (*tile_fn)(int, int, const real *, ptrdiff_t, const real *,
                        ptrdiff_t, ptrdiff_t, real, real, real *,
                        ptrdiff_t);

/* ---- outer-product tiles: acc (VL MV x NR) = A B,
 *      C = alpha acc + beta C ---- */

INLINE T256 void k256(const int MV, const int NR_, const int FULL, int kc,
                      int mr, const real *a, ptrdiff_t a_ps,
                      const real *b, ptrdiff_t b_ps, ptrdiff_t b_cs,
                      real alpha, real beta, real *c, ptrdiff_t ldc)
{
    __m256i m0 = lanes_below(mr), m1 = lanes_below(mr - VL);
    vreal c0[NR], c1[NR];
#pragma GCC unroll 6
    for (int j = 0; j < NR_; j++)
        c0[j] = c1[j] = VZERO();
    for (int p = 0; p < kc; p++, a += a_ps, b += b_ps) {
        vreal a0 = FULL || MV == 2 ? VLOAD(a) : VLOADM(a, m0);
        vreal a1 = MV == 1 ? a0 : FULL ? VLOAD(a + VL) : VLOADM(a + VL, m1);
#pragma GCC unroll 6
        for (int j = 0; j < NR_; j++) {
            vreal bj = VBCAST(b + j * b_cs);
            c0[j] = VFMA(a0, bj, c0[j]);
            if (MV > 1)
                c1[j] = VFMA(a1, bj, c1[j]);
        }
    }
    /* C = alpha acc + beta C: the product rounded, then one fused
     * multiply-add (OPAQUE keeps the compiler from fusing the two) */
    vreal va = VSET1(alpha), vb = VSET1(beta);
    if (alpha != 1) {
#pragma GCC unroll 6
        for (int j = 0; j < NR_; j++) {
            c0[j] = VMUL(va, c0[j]);
            c1[j] = VMUL(va, c1[j]);
        }
    }
    /* C's first vector is whole unless the tile has at most VL rows, its
     * second unless the tile is partial: masks only where needed, masked
     * stores being many times slower than plain ones on some CPUs (AMD
     * Zen; the tile update of a product with a short k was a third of
     * its time) */
    const int W0 = FULL || MV == 2, W1 = FULL;
    if (beta == 0) {
#pragma GCC unroll 6
        for (int j = 0; j < NR_; j++) {
            if (W0) VSTORE(c + j * ldc, c0[j]);
            else VSTOREM(c + j * ldc, m0, c0[j]);
            if (MV > 1) {
                if (W1) VSTORE(c + j * ldc + VL, c1[j]);
                else VSTOREM(c + j * ldc + VL, m1, c1[j]);
            }
        }
        return;
    }
    /* every column of C read before any is written (see gemm_avx512.c) */
#pragma GCC unroll 6
    for (int j = 0; j < NR_; j++) {
        OPAQUE(c0[j]);
        c0[j] = VFMA(vb, W0 ? VLOAD(c + j * ldc) : VLOADM(c + j * ldc, m0),
                     c0[j]);
        if (MV > 1) {
            OPAQUE(c1[j]);
            c1[j] = VFMA(vb, W1 ? VLOAD(c + j * ldc + VL)
                                : VLOADM(c + j * ldc + VL, m1), c1[j]);
        }
    }
#pragma GCC unroll 6
    for (int j = 0; j < NR_; j++) {
        if (W0) VSTORE(c + j * ldc, c0[j]);
        else VSTOREM(c + j * ldc, m0, c0[j]);
        if (MV > 1) {
            if (W1) VSTORE(c + j * ldc + VL, c1[j]);
            else VSTOREM(c + j * ldc + VL, m1, c1[j]);
        }
    }
}

#define K_DEF(MV, N)                                                        \
    static T256 void k256_##MV##_##N(int kc, int mr, const real *a,         \
        ptrdiff_t a_ps, const real *b, ptrdiff_t b_ps, ptrdiff_t b_cs,      \
        real al, real be, real *c, ptrdiff_t ldc)                           \
    {                                                                       \
        if (mr == VL * MV && b_cs == 1)                                     \
            k256(MV, N, 1, kc, mr, a, a_ps, b, b_ps, 1, al, be, c, ldc);    \
        else if (mr == VL * MV)                                             \
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
        const real *b = g->b_pstr ? g->b + t * g->b_pstr : g->b + jr * g->b_cs;
        for (int ir = 0, s = 0; ir < g->mc; ir += MR, s++) {
            int mr = g->mc - ir < MR ? g->mc - ir : MR;
            tiles[mr > VL][nr - 1](g->kc, mr, g->a + s * g->a_pstr, g->a_ps,
                                  b, g->b_ps, g->b_cs, g->alpha, g->beta,
                                  g->c + ir + jr * g->ldc, g->ldc);
        }
    }
}

/* alpha s + beta *c, rounded as the vector kernels do: the product, then
 * one fused multiply-add. OPAQUE hides the product from the optimizer,
 * which would otherwise fuse it (-ffp-contract=fast) into a different
 * multiply-add in different tile functions. */
INLINE T256 real scale_add(real alpha, real s, real beta, const real *c)
{
    sreal t = SMUL(SSET(alpha), SSET(s));
    OPAQUE(t);
    if (beta != 0)
        t = SFMA(SSET(beta), SLOAD(c), t);
    return SGET(t);
}

/* ---- dot-product tiles: MR_ x NR_ elements, VL lanes each ---- */

#ifdef NNFS_SINGLE
/* horizontal sum in a fixed order: ((l0 + l4) + (l2 + l6)) +
 * ((l1 + l5) + (l3 + l7)) */
INLINE T256 float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v),
                          _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
#else
/* horizontal sum in a fixed order: (l0 + l2) + (l1 + l3) */
INLINE T256 double hsum(__m256d v)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v),
                           _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}
#endif

INLINE T256 void d256(const int MR_, const int NR_, int kc, const real *a,
                      ptrdiff_t lda, const real *b, ptrdiff_t ldb,
                      real alpha, real beta, real *c, ptrdiff_t ldc)
{
    vreal acc[4][6], av[4];
#pragma GCC unroll 4
    for (int i = 0; i < MR_; i++)
#pragma GCC unroll 6
        for (int j = 0; j < NR_; j++)
            acc[i][j] = VZERO();
    /* the last partial vector loads zeros past kc: same sums in every tile */
#define D256_STEP(LOAD)                                                     \
    do {                                                                    \
        _Pragma("GCC unroll 4")                                             \
        for (int i = 0; i < MR_; i++)                                       \
            av[i] = LOAD(a + i * lda + p);                                  \
        _Pragma("GCC unroll 6")                                             \
        for (int j = 0; j < NR_; j++) {                                     \
            vreal bv = LOAD(b + j * ldb + p);                               \
            OPAQUE(bv); /* one load, not one per row of the tile */         \
            _Pragma("GCC unroll 4")                                         \
            for (int i = 0; i < MR_; i++)                                   \
                acc[i][j] = VFMA(av[i], bv, acc[i][j]);                     \
        }                                                                   \
    } while (0)
#define LOAD_FULL(x) VLOAD(x)
#define LOAD_PART(x) VLOADM(x, m)
    int p = 0;
    for (; p + VL <= kc; p += VL)
        D256_STEP(LOAD_FULL);
    if (p < kc) {
        __m256i m = lanes_below(kc - p);
        D256_STEP(LOAD_PART);
    }
#pragma GCC unroll 6
    for (int j = 0; j < NR_; j++)
#pragma GCC unroll 4
        for (int i = 0; i < MR_; i++) {
            real *cij = c + i + j * ldc;
            *cij = scale_add(alpha, hsum(acc[i][j]), beta, cij);
        }
}

typedef void (*dot_fn)(int, const real *, ptrdiff_t, const real *,
                       ptrdiff_t, real, real, real *, ptrdiff_t);

#define D_DEF(M, N)                                                         \
    static T256 void d256_##M##_##N(int kc, const real *a, ptrdiff_t lda,   \
        const real *b, ptrdiff_t ldb, real al, real be, real *c,            \
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

/* ---- transposing pack, VL x VL blocks ---- */

/* Each transposes one block: rows r < nr of src (VL p each, np valid)
 * become columns of dst; rows past nr repeat row 0 and are not stored,
 * p past np are not stored. */
#ifdef NNFS_SINGLE

/* 8 x 8 floats: pairs of rows interleaved within 128-bit lanes, then
 * quadruples (as doubles), then the two lanes of 128 bits swapped over */
INLINE T256 void transpose_vl(const int FULL, float *dst, int w,
                              const float *src, ptrdiff_t lds, int nr, int np)
{
    __m256i pm = lanes_below(np), rm = lanes_below(nr);
    __m256 r[8], t[8], u[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++) {
        const float *s = src + (FULL || i < nr ? i : 0) * lds;
        r[i] = FULL ? _mm256_loadu_ps(s) : _mm256_maskload_ps(s, pm);
    }
    /* t[2i] in lane L: rows 2i, 2i+1 at p = 4L, 4L+1; t[2i+1] at 4L+2, 4L+3 */
#pragma GCC unroll 4
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    /* u[4g + s] in lane L: rows 4g .. 4g+3 at p = 4L + s */
#define PD(x) _mm256_castps_pd(x)
#define PS(x) _mm256_castpd_ps(x)
#pragma GCC unroll 2
    for (int g = 0; g < 8; g += 4) {
        u[g] = PS(_mm256_unpacklo_pd(PD(t[g]), PD(t[g + 2])));
        u[g + 1] = PS(_mm256_unpackhi_pd(PD(t[g]), PD(t[g + 2])));
        u[g + 2] = PS(_mm256_unpacklo_pd(PD(t[g + 1]), PD(t[g + 3])));
        u[g + 3] = PS(_mm256_unpackhi_pd(PD(t[g + 1]), PD(t[g + 3])));
    }
#undef PD
#undef PS
    /* p = 4L + s: lane L of u[s] (rows 0-3), then of u[4 + s] (rows 4-7) */
#pragma GCC unroll 4
    for (int s = 0; s < 4; s++) {
        __m256 o0 = _mm256_permute2f128_ps(u[s], u[4 + s], 0x20);
        __m256 o1 = _mm256_permute2f128_ps(u[s], u[4 + s], 0x31);
        if (FULL) {
            _mm256_storeu_ps(dst + s * w, o0);
            _mm256_storeu_ps(dst + (4 + s) * w, o1);
        } else {
            if (s < np)
                _mm256_maskstore_ps(dst + s * w, rm, o0);
            if (4 + s < np)
                _mm256_maskstore_ps(dst + (4 + s) * w, rm, o1);
        }
    }
}

#else

/* 4 x 4 doubles */
INLINE T256 void transpose_vl(const int FULL, double *dst, int w,
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

#endif

static T256 void pack_t256(real *dst, int w, const real *src,
                           ptrdiff_t lds, int rows, int kc)
{
    for (int r = 0; r < rows; r += VL) {
        int nr = rows - r < VL ? rows - r : VL;
        for (int p = 0; p < kc; p += VL) {
            int np = kc - p < VL ? kc - p : VL;
            if (nr == VL && np == VL)
                transpose_vl(1, dst + (ptrdiff_t) p * w + r, w,
                             src + p + r * lds, lds, VL, VL);
            else
                transpose_vl(0, dst + (ptrdiff_t) p * w + r, w,
                             src + p + r * lds, lds, nr, np);
        }
    }
}

/* blocks of the same bytes in both precisions (see gemm_avx512.c): A 96
 * x 256 doubles or 192 x 256 floats, B 256 x 516 or 256 x 1032 */
#define PER_DOUBLE ((int) (sizeof(double) / sizeof(real)))
static const gemm_isa isa256 = {MR, NR, 256, 96 * PER_DOUBLE,
                                516 * PER_DOUBLE, 6144 * PER_DOUBLE,
                                macro256, dot256, pack_t256, "avx2+fma"};

const gemm_isa *gemm_isa_avx2(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
        ? &isa256 : 0;
}

#else

const gemm_isa *gemm_isa_avx2(void) { return 0; }

#endif
