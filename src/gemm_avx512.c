/* gemm_avx512.c: AVX-512 kernels for gemm (conventions in gemm_kernels.h).
 *
 * Compiled without -march flags: every function carries a GCC target
 * attribute, and gemm.c calls them only when __builtin_cpu_supports()
 * says the CPU (and OS) runs AVX-512F and FMA. Other compilers and CPUs
 * get NULL from gemm_isa_avx512().
 *
 * Outer-product tile 16 x 12, column-major, vectors along the rows of C:
 * 2 zmm per column, 24 accumulators of the 32 registers. Each tile shape
 * is its own function with constant loop bounds, so the accumulators stay
 * in registers; partial rows use masked loads and stores, so A and C used
 * in place are never touched past their edges. */
#include "gemm_kernels.h"

/* 64-bit x86 with GCC or clang; not Windows, where GCC aligns vector
 * spills to 32 or 64 bytes on a stack it cannot realign (GCC bug 54412) */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(_WIN32)
#include <immintrin.h>

#define INLINE static inline __attribute__((always_inline))
/* an empty asm the value must pass through: no fusing across it */
#define OPAQUE(v) __asm__("" : "+v"(v))
#define T512 __attribute__((target("avx512f,fma")))

#define MR 16
#define NR 12

typedef void (*tile_fn)(int, int, const double *, ptrdiff_t, const double *,
                        ptrdiff_t, ptrdiff_t, double, double, double *,
                        ptrdiff_t);

/* ---- outer-product tiles: acc (8 MV x NR) = A B, C = alpha acc + beta C ---- */

INLINE T512 void k512(const int MV, const int NR_, const int FULL, int kc,
                      int mr, const double *a, ptrdiff_t a_ps,
                      const double *b, ptrdiff_t b_ps, ptrdiff_t b_cs,
                      double alpha, double beta, double *c, ptrdiff_t ldc)
{
    __mmask8 m0 = mr >= 8 ? 0xFF : (__mmask8) ((1u << mr) - 1u);
    __mmask8 m1 = mr >= 16 ? 0xFF : mr > 8 ? (__mmask8) ((1u << (mr - 8)) - 1u) : 0;
    __m512d c0[NR], c1[NR];
#pragma GCC unroll 12
    for (int j = 0; j < NR_; j++)
        c0[j] = c1[j] = _mm512_setzero_pd();
    for (int p = 0; p < kc; p++, a += a_ps, b += b_ps) {
        /* full rows load without masks (a mask register refilled in the
         * loop would take an FMA port slot); 2-vector tiles have mr > 8 */
        __m512d a0 = FULL || MV == 2 ? _mm512_loadu_pd(a)
                                     : _mm512_maskz_loadu_pd(m0, a);
        __m512d a1 = MV == 1 ? a0 : FULL ? _mm512_loadu_pd(a + 8)
                                         : _mm512_maskz_loadu_pd(m1, a + 8);
#pragma GCC unroll 12
        for (int j = 0; j < NR_; j++) {
            __m512d bj = _mm512_set1_pd(b[j * b_cs]);
            c0[j] = _mm512_fmadd_pd(a0, bj, c0[j]);
            if (MV > 1)
                c1[j] = _mm512_fmadd_pd(a1, bj, c1[j]);
        }
    }
    /* C = alpha acc + beta C: the product rounded, then one fused
     * multiply-add (OPAQUE keeps the compiler from fusing the two) */
    __m512d va = _mm512_set1_pd(alpha), vb = _mm512_set1_pd(beta);
    if (alpha != 1.0) {
#pragma GCC unroll 12
        for (int j = 0; j < NR_; j++) {
            c0[j] = _mm512_mul_pd(va, c0[j]);
            c1[j] = _mm512_mul_pd(va, c1[j]);
        }
    }
    if (beta == 0.0) {
#pragma GCC unroll 12
        for (int j = 0; j < NR_; j++) {
            _mm512_mask_storeu_pd(c + j * ldc, m0, c0[j]);
            if (MV > 1)
                _mm512_mask_storeu_pd(c + j * ldc + 8, m1, c1[j]);
        }
        return;
    }
#pragma GCC unroll 12
    for (int j = 0; j < NR_; j++) {
        double *cj = c + j * ldc;
        OPAQUE(c0[j]);
        _mm512_mask_storeu_pd(cj, m0, _mm512_fmadd_pd(vb,
                              _mm512_maskz_loadu_pd(m0, cj), c0[j]));
        if (MV > 1) {
            OPAQUE(c1[j]);
            _mm512_mask_storeu_pd(cj + 8, m1, _mm512_fmadd_pd(vb,
                                  _mm512_maskz_loadu_pd(m1, cj + 8), c1[j]));
        }
    }
}

/* One function per tile shape (rows in MV vectors, N columns), with a loop
 * per B layout (b_cs == 1: packed or t(B); b_ps == 1: B in place) and per
 * full or partial rows. */
#define K_DEF(MV, N)                                                        \
    static T512 void k512_##MV##_##N(int kc, int mr, const double *a,       \
        ptrdiff_t a_ps, const double *b, ptrdiff_t b_ps, ptrdiff_t b_cs,    \
        double al, double be, double *c, ptrdiff_t ldc)                     \
    {                                                                       \
        if (mr == 8 * MV && b_cs == 1)                                      \
            k512(MV, N, 1, kc, mr, a, a_ps, b, b_ps, 1, al, be, c, ldc);    \
        else if (mr == 8 * MV)                                              \
            k512(MV, N, 1, kc, mr, a, a_ps, b, 1, b_cs, al, be, c, ldc);    \
        else if (b_cs == 1)                                                 \
            k512(MV, N, 0, kc, mr, a, a_ps, b, b_ps, 1, al, be, c, ldc);    \
        else                                                                \
            k512(MV, N, 0, kc, mr, a, a_ps, b, 1, b_cs, al, be, c, ldc);    \
    }
#define K_ROW(MV) K_DEF(MV, 1) K_DEF(MV, 2) K_DEF(MV, 3) K_DEF(MV, 4)       \
    K_DEF(MV, 5) K_DEF(MV, 6) K_DEF(MV, 7) K_DEF(MV, 8) K_DEF(MV, 9)        \
    K_DEF(MV, 10) K_DEF(MV, 11) K_DEF(MV, 12)
K_ROW(1)
K_ROW(2)

#define K_TAB(MV) {k512_##MV##_1, k512_##MV##_2, k512_##MV##_3,             \
    k512_##MV##_4, k512_##MV##_5, k512_##MV##_6, k512_##MV##_7,             \
    k512_##MV##_8, k512_##MV##_9, k512_##MV##_10, k512_##MV##_11,           \
    k512_##MV##_12}
static const tile_fn tiles[2][NR] = {K_TAB(1), K_TAB(2)};

/* the tiles over the block, B micro-panel outer so it stays in L1 */
static T512 void macro512(const gemm_block *g)
{
    int ntile = (g->nc + NR - 1) / NR;
    for (int t = 0; t < ntile; t++) {
        int jr, nr;
        tile_cols(g, t, ntile, NR, &jr, &nr);
        const double *b = g->b_pstr ? g->b + t * g->b_pstr : g->b + jr * g->b_cs;
        for (int ir = 0, s = 0; ir < g->mc; ir += MR, s++) {
            int mr = g->mc - ir < MR ? g->mc - ir : MR;
            tiles[mr > 8][nr - 1](g->kc, mr, g->a + s * g->a_pstr, g->a_ps,
                                  b, g->b_ps, g->b_cs, g->alpha, g->beta,
                                  g->c + ir + jr * g->ldc, g->ldc);
        }
    }
}

/* alpha s + beta *c, rounded as the vector kernels do: the product, then
 * one fused multiply-add. OPAQUE hides the product from the optimizer,
 * which would otherwise fuse it (-ffp-contract=fast) into a different
 * multiply-add in different tile functions. */
INLINE T512 double scale_add(double alpha, double s, double beta,
                             const double *c)
{
    __m128d t = _mm_mul_sd(_mm_set_sd(alpha), _mm_set_sd(s));
    OPAQUE(t);
    if (beta != 0.0)
        t = _mm_fmadd_sd(_mm_set_sd(beta), _mm_load_sd(c), t);
    return _mm_cvtsd_f64(t);
}

/* ---- dot-product tiles: MR_ x NR_ elements, 8 lanes each ---- */

INLINE T512 void d512(const int MR_, const int NR_, int kc, const double *a,
                      ptrdiff_t lda, const double *b, ptrdiff_t ldb,
                      double alpha, double beta, double *c, ptrdiff_t ldc)
{
    __m512d acc[8][NR], av[8];
#pragma GCC unroll 8
    for (int i = 0; i < MR_; i++)
#pragma GCC unroll 12
        for (int j = 0; j < NR_; j++)
            acc[i][j] = _mm512_setzero_pd();
    /* the last partial vector loads zeros past kc: same sums in every tile */
#define D512_STEP(LOAD)                                                     \
    do {                                                                    \
        _Pragma("GCC unroll 8")                                             \
        for (int i = 0; i < MR_; i++)                                       \
            av[i] = LOAD(a + i * lda + p);                                  \
        _Pragma("GCC unroll 12")                                            \
        for (int j = 0; j < NR_; j++) {                                     \
            __m512d bv = LOAD(b + j * ldb + p);                             \
            OPAQUE(bv); /* one load, not one per row of the tile */         \
            _Pragma("GCC unroll 8")                                         \
            for (int i = 0; i < MR_; i++)                                   \
                acc[i][j] = _mm512_fmadd_pd(av[i], bv, acc[i][j]);          \
        }                                                                   \
    } while (0)
#define LOAD_FULL(x) _mm512_loadu_pd(x)
#define LOAD_PART(x) _mm512_maskz_loadu_pd(m, x)
    int p = 0;
    for (; p + 8 <= kc; p += 8)
        D512_STEP(LOAD_FULL);
    if (p < kc) {
        __mmask8 m = (__mmask8) ((1u << (kc - p)) - 1u);
        D512_STEP(LOAD_PART);
    }
#pragma GCC unroll 12
    for (int j = 0; j < NR_; j++)
#pragma GCC unroll 8
        for (int i = 0; i < MR_; i++) {
            double *cij = c + i + j * ldc;
            *cij = scale_add(alpha, _mm512_reduce_add_pd(acc[i][j]), beta, cij);
        }
}

typedef void (*dot_fn)(int, const double *, ptrdiff_t, const double *,
                       ptrdiff_t, double, double, double *, ptrdiff_t);

#define D_DEF(M, N)                                                         \
    static T512 void d512_##M##_##N(int kc, const double *a, ptrdiff_t lda, \
        const double *b, ptrdiff_t ldb, double al, double be, double *c,    \
        ptrdiff_t ldc)                                                      \
    {                                                                       \
        d512(M, N, kc, a, lda, b, ldb, al, be, c, ldc);                     \
    }
/* tiles: 8 x n for n <= 2, 4 x n for n <= 4, else 2 x 12 (and 1 x 12 for
 * an odd last row); with 16 to 24 accumulators, twice the FMAs per load */
#define D_COL(N) D_DEF(1, N) D_DEF(2, N) D_DEF(3, N) D_DEF(4, N)
#define D_WIDE(N) D_DEF(1, N) D_DEF(2, N)
D_COL(1) D_COL(2) D_COL(3) D_COL(4)
D_DEF(5, 1) D_DEF(6, 1) D_DEF(7, 1) D_DEF(8, 1)
D_DEF(5, 2) D_DEF(6, 2) D_DEF(7, 2) D_DEF(8, 2)
D_WIDE(5) D_WIDE(6) D_WIDE(7) D_WIDE(8) D_WIDE(9) D_WIDE(10) D_WIDE(11)
D_WIDE(12)

static const dot_fn dots[8][NR] = {
    {d512_1_1, d512_1_2, d512_1_3, d512_1_4, d512_1_5, d512_1_6, d512_1_7,
     d512_1_8, d512_1_9, d512_1_10, d512_1_11, d512_1_12},
    {d512_2_1, d512_2_2, d512_2_3, d512_2_4, d512_2_5, d512_2_6, d512_2_7,
     d512_2_8, d512_2_9, d512_2_10, d512_2_11, d512_2_12},
    {d512_3_1, d512_3_2, d512_3_3, d512_3_4},
    {d512_4_1, d512_4_2, d512_4_3, d512_4_4},
    {d512_5_1, d512_5_2}, {d512_6_1, d512_6_2}, {d512_7_1, d512_7_2},
    {d512_8_1, d512_8_2}};

static T512 void dot512(const gemm_block *g)
{
    int tm = g->nc <= 2 ? 8 : g->nc <= 4 ? 4 : 2;
    int tn = g->nc <= 4 ? g->nc : NR;
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

/* ---- transposing pack, 8 x 8 blocks ---- */

/* rows r < nr of src (8 p each, np valid) become columns of dst; rows past
 * nr repeat row 0 and are not stored, p past np are not stored */
INLINE T512 void transpose8(const int FULL, double *dst, int w,
                            const double *src, ptrdiff_t lds, int nr, int np)
{
    __mmask8 pm = FULL ? 0xFF : (__mmask8) ((1u << np) - 1u);
    __mmask8 rm = FULL ? 0xFF : (__mmask8) ((1u << nr) - 1u);
    __m512d r[8], t[8], s[8], o[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++)
        r[i] = _mm512_maskz_loadu_pd(pm, src + (FULL || i < nr ? i : 0) * lds);
    /* t: rows (2i, 2i+1) at p = 0 2 4 6 (even t) or 1 3 5 7 (odd t) */
#pragma GCC unroll 4
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm512_unpacklo_pd(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_pd(r[i], r[i + 1]);
    }
    /* s: rows 0-3 (s0-s3) or 4-7 (s4-s7) at p = 04, 26, 15, 37 */
#pragma GCC unroll 2
    for (int i = 0; i < 8; i += 4) {
        s[i] = _mm512_shuffle_f64x2(t[i], t[i + 2], 0x88);
        s[i + 1] = _mm512_shuffle_f64x2(t[i], t[i + 2], 0xDD);
        s[i + 2] = _mm512_shuffle_f64x2(t[i + 1], t[i + 3], 0x88);
        s[i + 3] = _mm512_shuffle_f64x2(t[i + 1], t[i + 3], 0xDD);
    }
    o[0] = _mm512_shuffle_f64x2(s[0], s[4], 0x88);
    o[4] = _mm512_shuffle_f64x2(s[0], s[4], 0xDD);
    o[2] = _mm512_shuffle_f64x2(s[1], s[5], 0x88);
    o[6] = _mm512_shuffle_f64x2(s[1], s[5], 0xDD);
    o[1] = _mm512_shuffle_f64x2(s[2], s[6], 0x88);
    o[5] = _mm512_shuffle_f64x2(s[2], s[6], 0xDD);
    o[3] = _mm512_shuffle_f64x2(s[3], s[7], 0x88);
    o[7] = _mm512_shuffle_f64x2(s[3], s[7], 0xDD);
#pragma GCC unroll 8
    for (int q = 0; q < 8; q++)
        if (FULL || q < np)
            _mm512_mask_storeu_pd(dst + q * w, rm, o[q]);
}

static T512 void pack_t512(double *dst, int w, const double *src,
                           ptrdiff_t lds, int rows, int kc)
{
    for (int r = 0; r < rows; r += 8) {
        int nr = rows - r < 8 ? rows - r : 8;
        for (int p = 0; p < kc; p += 8) {
            int np = kc - p < 8 ? kc - p : 8;
            if (nr == 8 && np == 8)
                transpose8(1, dst + (ptrdiff_t) p * w + r, w, src + p + r * lds,
                           lds, 8, 8);
            else
                transpose8(0, dst + (ptrdiff_t) p * w + r, w, src + p + r * lds,
                           lds, nr, np);
        }
    }
}

static const gemm_isa isa512 = {MR, NR, 256, 192, 516, 6144, macro512,
                                dot512, pack_t512, "avx512f"};

const gemm_isa *gemm_isa_avx512(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")
        ? &isa512 : 0;
}

#else

const gemm_isa *gemm_isa_avx512(void) { return 0; }

#endif
