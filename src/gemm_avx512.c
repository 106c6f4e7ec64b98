/* gemm_avx512.c: AVX-512 kernels for gemm (conventions in gemm_kernels.h).
 *
 * Compiled without -march flags: every function carries a GCC target
 * attribute, and gemm.c calls them only when __builtin_cpu_supports()
 * says the CPU (and OS) runs AVX-512F and FMA. Other compilers and CPUs
 * get NULL from gemm_isa_avx512().
 *
 * Outer-product tile 16 x 12 doubles or 32 x 12 floats, column-major,
 * vectors along the rows of C: 2 zmm per column, 24 accumulators of the
 * 32 registers. Each tile shape is its own function with constant loop
 * bounds, so the accumulators stay in registers; partial rows use masked
 * loads and stores, so A and C used in place are never touched past their
 * edges.
 *
 * One source for both precisions (real.h): the kernels are written over
 * `real` and the vector operations below (V*, S*), which are the _pd
 * intrinsics here and the _ps ones in the single build
 * (single_gemm_avx512.c); only the transposing pack differs in code. */
#include "gemm_kernels.h"

/* 64-bit x86 with GCC or clang; not Windows, where GCC aligns vector
 * spills to 32 or 64 bytes on a stack it cannot realign (GCC bug 54412) */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(_WIN32)
#include <immintrin.h>

#define INLINE static inline __attribute__((always_inline))
/* an empty asm the value must pass through: no fusing across it */
#define OPAQUE(v) __asm__("" : "+v"(v))
#define T512 __attribute__((target("avx512f,fma")))

#ifdef NNFS_SINGLE
#define VL 16                       /* lanes of a vector */
typedef __m512 vreal;
typedef __mmask16 vmask;
typedef __m128 sreal;               /* a scalar in the low lane */
#define VZERO() _mm512_setzero_ps()
#define VLOAD(p) _mm512_loadu_ps(p)
#define VLOADZ(m, p) _mm512_maskz_loadu_ps(m, p)
#define VSTORE(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define VSET1(x) _mm512_set1_ps(x)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VMUL(a, b) _mm512_mul_ps(a, b)
#define VSUM(v) _mm512_reduce_add_ps(v)
#define SSET(x) _mm_set_ss(x)
#define SLOAD(p) _mm_load_ss(p)
#define SMUL(a, b) _mm_mul_ss(a, b)
#define SFMA(a, b, c) _mm_fmadd_ss(a, b, c)
#define SGET(v) _mm_cvtss_f32(v)
#else
#define VL 8
typedef __m512d vreal;
typedef __mmask8 vmask;
typedef __m128d sreal;
#define VZERO() _mm512_setzero_pd()
#define VLOAD(p) _mm512_loadu_pd(p)
#define VLOADZ(m, p) _mm512_maskz_loadu_pd(m, p)
#define VSTORE(p, m, v) _mm512_mask_storeu_pd(p, m, v)
#define VSET1(x) _mm512_set1_pd(x)
#define VFMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#define VMUL(a, b) _mm512_mul_pd(a, b)
#define VSUM(v) _mm512_reduce_add_pd(v)
#define SSET(x) _mm_set_sd(x)
#define SLOAD(p) _mm_load_sd(p)
#define SMUL(a, b) _mm_mul_sd(a, b)
#define SFMA(a, b, c) _mm_fmadd_sd(a, b, c)
#define SGET(v) _mm_cvtsd_f64(v)
#endif

#define MR (2 * VL)
#define NR 12

typedef void (*tile_fn)(int, int, const real *, ptrdiff_t, const real *,
                        ptrdiff_t, ptrdiff_t, real, real, real *,
                        ptrdiff_t);

/* the lanes whose index is below n */
INLINE T512 vmask lanes_below(int n)
{
    return n >= VL ? (vmask) ~0u : n > 0 ? (vmask) ((1u << n) - 1u) : 0;
}

/* ---- outer-product tiles: acc (VL MV x NR) = A B,
 *      C = alpha acc + beta C ---- */

INLINE T512 void k512(const int MV, const int NR_, const int FULL, int kc,
                      int mr, const real *a, ptrdiff_t a_ps,
                      const real *b, ptrdiff_t b_ps, ptrdiff_t b_cs,
                      real alpha, real beta, real *c, ptrdiff_t ldc)
{
    vmask m0 = lanes_below(mr), m1 = lanes_below(mr - VL);
    vreal c0[NR], c1[NR];
#pragma GCC unroll 12
    for (int j = 0; j < NR_; j++)
        c0[j] = c1[j] = VZERO();
    for (int p = 0; p < kc; p++, a += a_ps, b += b_ps) {
        /* full rows load without masks (a mask register refilled in the
         * loop would take an FMA port slot); 2-vector tiles have mr > VL */
        vreal a0 = FULL || MV == 2 ? VLOAD(a) : VLOADZ(m0, a);
        vreal a1 = MV == 1 ? a0 : FULL ? VLOAD(a + VL) : VLOADZ(m1, a + VL);
#pragma GCC unroll 12
        for (int j = 0; j < NR_; j++) {
            vreal bj = VSET1(b[j * b_cs]);
            c0[j] = VFMA(a0, bj, c0[j]);
            if (MV > 1)
                c1[j] = VFMA(a1, bj, c1[j]);
        }
    }
    /* C = alpha acc + beta C: the product rounded, then one fused
     * multiply-add (OPAQUE keeps the compiler from fusing the two) */
    vreal va = VSET1(alpha), vb = VSET1(beta);
    if (alpha != 1) {
#pragma GCC unroll 12
        for (int j = 0; j < NR_; j++) {
            c0[j] = VMUL(va, c0[j]);
            c1[j] = VMUL(va, c1[j]);
        }
    }
    if (beta == 0) {
#pragma GCC unroll 12
        for (int j = 0; j < NR_; j++) {
            VSTORE(c + j * ldc, m0, c0[j]);
            if (MV > 1)
                VSTORE(c + j * ldc + VL, m1, c1[j]);
        }
        return;
    }
    /* every column of C read before any is written: a partial column
     * ends inside the next one's first vector, and a load overlapping an
     * earlier masked store waits for it (half the speed at m = 30) */
#pragma GCC unroll 12
    for (int j = 0; j < NR_; j++) {
        OPAQUE(c0[j]);
        c0[j] = VFMA(vb, VLOADZ(m0, c + j * ldc), c0[j]);
        if (MV > 1) {
            OPAQUE(c1[j]);
            c1[j] = VFMA(vb, VLOADZ(m1, c + j * ldc + VL), c1[j]);
        }
    }
#pragma GCC unroll 12
    for (int j = 0; j < NR_; j++) {
        VSTORE(c + j * ldc, m0, c0[j]);
        if (MV > 1)
            VSTORE(c + j * ldc + VL, m1, c1[j]);
    }
}

/* One function per tile shape (rows in MV vectors, N columns), with a loop
 * per B layout (b_cs == 1: packed or t(B); b_ps == 1: B in place) and per
 * full or partial rows. */
#define K_DEF(MV, N)                                                        \
    static T512 void k512_##MV##_##N(int kc, int mr, const real *a,         \
        ptrdiff_t a_ps, const real *b, ptrdiff_t b_ps, ptrdiff_t b_cs,      \
        real al, real be, real *c, ptrdiff_t ldc)                           \
    {                                                                       \
        if (mr == VL * MV && b_cs == 1)                                     \
            k512(MV, N, 1, kc, mr, a, a_ps, b, b_ps, 1, al, be, c, ldc);    \
        else if (mr == VL * MV)                                             \
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
INLINE T512 real scale_add(real alpha, real s, real beta, const real *c)
{
    sreal t = SMUL(SSET(alpha), SSET(s));
    OPAQUE(t);
    if (beta != 0)
        t = SFMA(SSET(beta), SLOAD(c), t);
    return SGET(t);
}

/* ---- dot-product tiles: MR_ x NR_ elements, VL lanes each ---- */

INLINE T512 void d512(const int MR_, const int NR_, int kc, const real *a,
                      ptrdiff_t lda, const real *b, ptrdiff_t ldb,
                      real alpha, real beta, real *c, ptrdiff_t ldc)
{
    vreal acc[8][NR], av[8];
#pragma GCC unroll 8
    for (int i = 0; i < MR_; i++)
#pragma GCC unroll 12
        for (int j = 0; j < NR_; j++)
            acc[i][j] = VZERO();
    /* the last partial vector loads zeros past kc: same sums in every tile */
#define D512_STEP(LOAD)                                                     \
    do {                                                                    \
        _Pragma("GCC unroll 8")                                             \
        for (int i = 0; i < MR_; i++)                                       \
            av[i] = LOAD(a + i * lda + p);                                  \
        _Pragma("GCC unroll 12")                                            \
        for (int j = 0; j < NR_; j++) {                                     \
            vreal bv = LOAD(b + j * ldb + p);                               \
            OPAQUE(bv); /* one load, not one per row of the tile */         \
            _Pragma("GCC unroll 8")                                         \
            for (int i = 0; i < MR_; i++)                                   \
                acc[i][j] = VFMA(av[i], bv, acc[i][j]);                     \
        }                                                                   \
    } while (0)
#define LOAD_FULL(x) VLOAD(x)
#define LOAD_PART(x) VLOADZ(m, x)
    int p = 0;
    for (; p + VL <= kc; p += VL)
        D512_STEP(LOAD_FULL);
    if (p < kc) {
        vmask m = lanes_below(kc - p);
        D512_STEP(LOAD_PART);
    }
#pragma GCC unroll 12
    for (int j = 0; j < NR_; j++)
#pragma GCC unroll 8
        for (int i = 0; i < MR_; i++) {
            real *cij = c + i + j * ldc;
            *cij = scale_add(alpha, VSUM(acc[i][j]), beta, cij);
        }
}

typedef void (*dot_fn)(int, const real *, ptrdiff_t, const real *,
                       ptrdiff_t, real, real, real *, ptrdiff_t);

#define D_DEF(M, N)                                                         \
    static T512 void d512_##M##_##N(int kc, const real *a, ptrdiff_t lda,   \
        const real *b, ptrdiff_t ldb, real al, real be, real *c,            \
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

/* ---- transposing pack, VL x VL blocks ---- */

/* Each transposes one block: rows r < nr of src (VL p each, np valid)
 * become columns of dst; rows past nr repeat row 0 and are not stored,
 * p past np are not stored. */
#ifdef NNFS_SINGLE

/* 16 x 16 floats: pairs of rows interleaved within 128-bit lanes, then
 * quadruples (as doubles), then the 4 x 4 lanes of 128 bits transposed */
INLINE T512 void transpose_vl(const int FULL, float *dst, int w,
                              const float *src, ptrdiff_t lds, int nr, int np)
{
    __mmask16 pm = FULL ? 0xFFFF : lanes_below(np);
    __mmask16 rm = FULL ? 0xFFFF : lanes_below(nr);
    __m512 r[16], t[16], u[16], o[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++)
        r[i] = _mm512_maskz_loadu_ps(pm, src + (FULL || i < nr ? i : 0) * lds);
    /* t[2i] in lane L: rows 2i, 2i+1 at p = 4L, 4L+1; t[2i+1] at 4L+2, 4L+3 */
#pragma GCC unroll 8
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    /* u[4g + s] in lane L: rows 4g .. 4g+3 at p = 4L + s */
#define PD(x) _mm512_castps_pd(x)
#define PS(x) _mm512_castpd_ps(x)
#pragma GCC unroll 4
    for (int g = 0; g < 16; g += 4) {
        u[g] = PS(_mm512_unpacklo_pd(PD(t[g]), PD(t[g + 2])));
        u[g + 1] = PS(_mm512_unpackhi_pd(PD(t[g]), PD(t[g + 2])));
        u[g + 2] = PS(_mm512_unpacklo_pd(PD(t[g + 1]), PD(t[g + 3])));
        u[g + 3] = PS(_mm512_unpackhi_pd(PD(t[g + 1]), PD(t[g + 3])));
    }
#undef PD
#undef PS
    /* o[4L + s] in lane g: lane L of u[4g + s] */
#pragma GCC unroll 4
    for (int s = 0; s < 4; s++) {
        __m512 v0 = _mm512_shuffle_f32x4(u[s], u[4 + s], 0x44);
        __m512 v1 = _mm512_shuffle_f32x4(u[s], u[4 + s], 0xEE);
        __m512 w0 = _mm512_shuffle_f32x4(u[8 + s], u[12 + s], 0x44);
        __m512 w1 = _mm512_shuffle_f32x4(u[8 + s], u[12 + s], 0xEE);
        o[s] = _mm512_shuffle_f32x4(v0, w0, 0x88);
        o[4 + s] = _mm512_shuffle_f32x4(v0, w0, 0xDD);
        o[8 + s] = _mm512_shuffle_f32x4(v1, w1, 0x88);
        o[12 + s] = _mm512_shuffle_f32x4(v1, w1, 0xDD);
    }
#pragma GCC unroll 16
    for (int q = 0; q < 16; q++)
        if (FULL || q < np)
            _mm512_mask_storeu_ps(dst + q * w, rm, o[q]);
}

#else

/* 8 x 8 doubles */
INLINE T512 void transpose_vl(const int FULL, double *dst, int w,
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

#endif

static T512 void pack_t512(real *dst, int w, const real *src,
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

/* blocks of the same bytes in both precisions (kc 256, so that k blocks
 * and the stack panels of gemm.c keep their size): the A block 192 x 256
 * doubles or 384 x 256 floats, B 256 x 516 or 256 x 1032, the dot
 * kernel's k block 6144 doubles or 12288 floats over the columns */
#define PER_DOUBLE ((int) (sizeof(double) / sizeof(real)))
static const gemm_isa isa512 = {MR, NR, 256, 192 * PER_DOUBLE,
                                516 * PER_DOUBLE, 6144 * PER_DOUBLE,
                                macro512, dot512, pack_t512, "avx512f"};

const gemm_isa *gemm_isa_avx512(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")
        ? &isa512 : 0;
}

#else

const gemm_isa *gemm_isa_avx512(void) { return 0; }

#endif
