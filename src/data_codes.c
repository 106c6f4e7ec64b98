/* data_codes.c: training data with few distinct values (images: 256 grey
 * levels) kept as one byte per value.
 *
 * A shuffled sample of an n x p matrix in R's column order is p values
 * n apart, so reading batches from it costs a cache miss per value. Data
 * that take at most 256 distinct values are copied once, transposed, as
 * byte codes (one sample per column, p bytes each: an eighth of R's
 * doubles) with a table of the values; a batch is then p contiguous bytes
 * per sample looked up in a table that stays in the L1 cache. The table
 * holds the exact values, so the batches are the same numbers as those
 * read from R's matrix.
 *
 * Compiled once: it handles R's doubles only, whatever the precision. */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <R_ext/Memory.h>
#ifdef __linux__
#include <sys/mman.h>
#endif
#include "data_codes.h"

void *big_alloc(size_t count, size_t size)
{
    size_t bytes = count * size + 1;
    char *v = R_alloc(bytes, 1);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* Huge pages where the system gives them on request: a fresh buffer
     * of tens of MB is otherwise mapped 4 KB at a time, a page fault
     * each, and faults taken in the transposed order of a copy cost more
     * than the copy (on the 2-core benchmark machine, mapping 47 MB took
     * 145 ms in 4 KB pages written in order, 16 ms in 2 MB pages, and
     * several times 145 ms written in a transposed order). Advice only:
     * refused, the buffer is the same. */
    uintptr_t huge = (uintptr_t) 1 << 21;
    uintptr_t a = ((uintptr_t) v + huge - 1) & ~(huge - 1);
    uintptr_t e = ((uintptr_t) v + bytes) & ~(huge - 1);
    if (e > a) madvise((void *) a, e - a, MADV_HUGEPAGE);
#endif
    memset(v, 0, bytes);   /* map it in order, before any strided write */
    return v;
}

/* a flag the threads of a pass share: set by the one that gives up, read
 * by the others between tiles */
static int flag_get(int *f)
{
    int v;
#pragma omp atomic read
    v = *f;
    return v;
}

static void flag_set(int *f)
{
#pragma omp atomic write
    *f = 1;
}

#define SLOTS 4096               /* open addressing, at most 256 keys */
#define TILE 64

typedef struct {
    uint64_t key[SLOTS];         /* the value's bits; unset where code is -1 */
    int16_t code[SLOTS];         /* -1: empty */
    uint64_t value[256];         /* by code */
    int count;
} dict;

static void dict_init(dict *d)
{
    memset(d->code, 0xff, sizeof d->code);
    d->count = 0;
}

/* the code of bits, added if new; -1 when a 257th value would be needed */
static inline int dict_code(dict *d, uint64_t bits)
{
    unsigned h = (unsigned) ((bits * 0x9E3779B97F4A7C15ULL) >> 52);
    for (;;) {
        int c = d->code[h];
        if (c < 0) {
            if (d->count == 256) return -1;
            d->key[h] = bits;
            d->code[h] = (int16_t) d->count;
            d->value[d->count] = bits;
            return d->count++;
        }
        if (d->key[h] == bits) return c;
        h = (h + 1) & (SLOTS - 1);
    }
}

/* samples [i0, i1) of x (n x p, column-major) -> out (p bytes per sample);
 * 0, or -1 when they hold more than 256 values */
static int code_range(const double *x, long n, int p, long i0, long i1,
                      unsigned char *out, dict *d, int *failed)
{
    unsigned char tile[TILE * TILE];
    for (long a = i0; a < i1; a += TILE) {
        long b = i1 - a < TILE ? i1 : a + TILE;
        if (flag_get(failed)) return -1;
        for (int j0 = 0; j0 < p; j0 += TILE) {
            int j1 = p - j0 < TILE ? p : j0 + TILE;
            for (int j = j0; j < j1; j++) {
                const double *col = x + (long) j * n;
                for (long i = a; i < b; i++) {
                    uint64_t bits;
                    memcpy(&bits, col + i, sizeof bits);
                    unsigned h = (unsigned) ((bits * 0x9E3779B97F4A7C15ULL) >> 52);
                    int c;
                    /* the slot's code first: keys of empty slots were
                     * never written (dict_init() sets only the codes) */
                    if (d->code[h] >= 0 && d->key[h] == bits) c = d->code[h];
                    else {
                        c = dict_code(d, bits);
                        if (c < 0) { flag_set(failed); return -1; }
                    }
                    tile[(i - a) * TILE + (j - j0)] = (unsigned char) c;
                }
            }
            for (long i = a; i < b; i++)
                memcpy(out + i * p + j0, tile + (i - a) * TILE, (size_t) (j1 - j0));
        }
    }
    return 0;
}

int byte_codes_likely(const double *x, int n, int p)
{
    dict *d = (dict *) R_alloc(1, sizeof(dict));
    dict_init(d);
    long m = n < TILE ? n : TILE;
    for (int j = 0; j < p; j++)
        for (long i = 0; i < m; i++) {
            uint64_t bits;
            memcpy(&bits, x + (long) j * n + i, sizeof bits);
            if (dict_code(d, bits) < 0) return 0;
        }
    return 1;
}

/* ---- grey levels: the values k / den, k = 0..255 ----
 * R's x / 255 (den 255) or whole numbers 0..255 (den 1): the code is k
 * itself, found by arithmetic and checked bit for bit against the value
 * k / den, with no dictionary to search. */

/* One column's run of m values (one per sample) -> their codes at
 * out[0], out[TILE], ...; the bits of a value that is not its level k /
 * den come out nonzero. */
static uint64_t grid_col(const double *v, long m, unsigned char *out,
                         const uint64_t *level, double den)
{
    uint64_t bad = 0;
    for (long i = 0; i < m; i++) {
        uint64_t bits;
        memcpy(&bits, v + i, sizeof bits);
        double r = v[i] * den + 0.5;
        int k = r >= 0 && r < 256 ? (int) r : 0;   /* NaN: 0 */
        bad |= bits ^ level[k];
        out[i * TILE] = (unsigned char) k;
    }
    return bad;
}

#if defined(__GNUC__) && defined(__x86_64__) && !defined(_WIN32)
#include <immintrin.h>
#define GRID_AVX2 1
/* The same, four values at a time: k from the rounded, clamped v * den,
 * then the value must equal k / den (the level, computed as grid_levels()
 * does: one division, exact for den 1) and have no sign bit (-0 == 0).
 * NaN fails the comparison; values beyond the levels clamp to a level
 * they differ from. */
__attribute__((target("avx2")))
static uint64_t grid_col_avx2(const double *v, long m, unsigned char *out,
                              const uint64_t *level, double den)
{
    const __m256d vden = _mm256_set1_pd(den), half = _mm256_set1_pd(0.5),
                  lo = _mm256_setzero_pd(), hi = _mm256_set1_pd(255);
    __m256d ne = _mm256_setzero_pd(), sign = _mm256_setzero_pd();
    long i = 0;
    for (; i + 4 <= m; i += 4) {
        __m256d x = _mm256_loadu_pd(v + i);
        __m256d r = _mm256_add_pd(_mm256_mul_pd(x, vden), half);
        r = _mm256_min_pd(_mm256_max_pd(r, lo), hi);   /* NaN: 0 */
        __m128i k = _mm256_cvttpd_epi32(r);
        __m256d back = _mm256_div_pd(_mm256_cvtepi32_pd(k), vden);
        ne = _mm256_or_pd(ne, _mm256_cmp_pd(back, x, _CMP_NEQ_UQ));
        sign = _mm256_or_pd(sign, x);
        uint32_t b = (uint32_t) _mm_cvtsi128_si32(
            _mm_packus_epi16(_mm_packs_epi32(k, k), _mm_setzero_si128()));
        out[i * TILE] = (unsigned char) b;
        out[(i + 1) * TILE] = (unsigned char) (b >> 8);
        out[(i + 2) * TILE] = (unsigned char) (b >> 16);
        out[(i + 3) * TILE] = (unsigned char) (b >> 24);
    }
    uint64_t bad = (uint64_t) _mm256_movemask_pd(ne) |
        (uint64_t) _mm256_movemask_pd(sign);
    return bad | grid_col(v + i, m - i, out + i * TILE, level, den);
}
#endif

static int grid_range(const double *x, long n, int p, long i0, long i1,
                      unsigned char *out, const uint64_t *level, double den,
                      int *failed)
{
    unsigned char tile[TILE * TILE];
#ifdef GRID_AVX2
    int avx2 = __builtin_cpu_supports("avx2");
#endif
    for (long a = i0; a < i1; a += TILE) {
        long b = i1 - a < TILE ? i1 : a + TILE;
        if (flag_get(failed)) return -1;
        for (int j0 = 0; j0 < p; j0 += TILE) {
            int j1 = p - j0 < TILE ? p : j0 + TILE;
            uint64_t bad = 0;
            for (int j = j0; j < j1; j++) {
                const double *col = x + (long) j * n + a;
#ifdef __GNUC__
                /* the runs are n values apart, too many streams for the
                 * hardware prefetcher: ask for the run four columns on */
                if (j + 4 < p)
                    for (long i = 0; i < b - a; i += 8)
                        __builtin_prefetch(col + 4 * n + i);
#endif
#ifdef GRID_AVX2
                if (avx2)
                    bad |= grid_col_avx2(col, b - a, tile + (j - j0), level, den);
                else
#endif
                    bad |= grid_col(col, b - a, tile + (j - j0), level, den);
            }
            if (bad) { flag_set(failed); return -1; }
            for (long i = a; i < b; i++)
                memcpy(out + i * p + j0, tile + (i - a) * TILE, (size_t) (j1 - j0));
        }
    }
    return 0;
}

/* the levels of den, as bits */
static void grid_levels(uint64_t *level, double den)
{
    for (int k = 0; k < 256; k++) {
        double v = k / den;
        memcpy(level + k, &v, sizeof v);
    }
}

/* 255 or 1 when the first samples of x are all levels k / den, else 0 */
static double grid_den(const double *x, int n, int p)
{
    static const double dens[2] = {255, 1};
    uint64_t level[256];
    long m = n < TILE ? n : TILE;
    for (int t = 0; t < 2; t++) {
        uint64_t bad = 0;
        grid_levels(level, dens[t]);
        for (int j = 0; j < p && !bad; j++)
            for (long i = 0; i < m; i++) {
                double v = x[(long) j * n + i], r = v * dens[t] + 0.5;
                int k = r >= 0 && r < 256 ? (int) r : 0;
                uint64_t bits;
                memcpy(&bits, &v, sizeof bits);
                bad |= bits ^ level[k];
            }
        if (!bad) return dens[t];
    }
    return 0;
}

/* samples are shared among threads in static blocks of whole tiles */
static int code_threads(int n, int threads)
{
    int nt = threads < 1 ? 1 : threads > 8 ? 8 : threads;
    return (long) n < 4L * TILE * nt ? 1 : nt;
}

static long code_block(int n, int nt)
{
    long per = ((long) n + nt - 1) / nt;
    return (per + TILE - 1) / TILE * TILE;
}

/* the grey-level codes of x, or 0 when a value is not a level */
static int grid_codes(const double *x, int n, int p, unsigned char *out,
                      double *values, int threads, double den)
{
    uint64_t level[256];
    grid_levels(level, den);
    int nt = code_threads(n, threads);
    long per = code_block(n, nt);
    int failed = 0;
#pragma omp parallel for num_threads(nt) schedule(static, 1) if (nt > 1)
    for (int t = 0; t < nt; t++) {
        long i0 = (long) t * per, i1 = i0 + per < n ? i0 + per : n;
        if (i0 < i1) grid_range(x, n, p, i0, i1, out, level, den, &failed);
    }
    if (failed) return 0;
    memcpy(values, level, sizeof level);
    return 256;
}

int byte_codes(const double *x, int n, int p, unsigned char *out,
               double *values, int threads)
{
    double den = grid_den(x, n, p);
    if (den > 0) {
        int count = grid_codes(x, n, p, out, values, threads, den);
        if (count) return count;
    }
    /* one dictionary per thread, merged at the end */
    int nt = code_threads(n, threads);
    dict *ds = (dict *) R_alloc(nt, sizeof(dict));
    int failed = 0;
    long per = code_block(n, nt);
#pragma omp parallel for num_threads(nt) schedule(static, 1) if (nt > 1)
    for (int t = 0; t < nt; t++) {
        long i0 = (long) t * per, i1 = i0 + per < n ? i0 + per : n;
        dict_init(&ds[t]);
        if (i0 < i1) code_range(x, n, p, i0, i1, out, &ds[t], &failed);
    }
    if (failed) return 0;
    /* one table: the first thread's codes stay; the others' are mapped */
    dict *all = &ds[0];
    for (int t = 1; t < nt; t++) {
        unsigned char map[256];
        int same = 1;
        for (int c = 0; c < ds[t].count; c++) {
            int g = dict_code(all, ds[t].value[c]);
            if (g < 0) return 0;
            map[c] = (unsigned char) g;
            same = same && g == c;
        }
        if (same) continue;
        long i0 = (long) t * per, i1 = i0 + per < n ? i0 + per : n;
        for (long q = i0 * p; q < i1 * p; q++) out[q] = map[out[q]];
    }
    for (int c = 0; c < all->count; c++)
        memcpy(values + c, &all->value[c], sizeof(double));
    return all->count;
}
