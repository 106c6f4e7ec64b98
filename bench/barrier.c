/* barrier.c: what a parallel region and a barrier cost here, for the
 * thresholds in src/threads.c. Built and run by bench/threads.R with R's
 * C compiler and OpenMP flags. Prints microseconds per region (fork and
 * join of a team of `nt` threads) and per barrier, the median of 7 runs,
 * and one core's rate of a simple element loop (elements per microsecond). */
#include <stdio.h>
#include <stdlib.h>
#include <omp.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int nt = argc > 1 ? atoi(argv[1]) : 2, reps = 20000;
    double region[7], barrier[7], elems[7];
    static double v[1 << 16];
    volatile double sink = 0.0;
    for (int r = 0; r < 7; r++) {
        double t0 = omp_get_wtime();
        for (int i = 0; i < reps; i++) {
#pragma omp parallel num_threads(nt)
            { sink += 0.0; }
        }
        double t1 = omp_get_wtime();
#pragma omp parallel num_threads(nt)
        for (int i = 0; i < reps; i++) {
#pragma omp barrier
        }
        double t2 = omp_get_wtime();
        /* ReLU in place over 64k doubles, 100 times: a typical element loop */
        for (int k = 0; k < 100; k++)
            for (int i = 0; i < (1 << 16); i++)
                v[i] = v[i] > 0.0 ? v[i] : 0.01 * v[i] + k;
        double t3 = omp_get_wtime();
        region[r] = (t1 - t0) / reps * 1e6;
        barrier[r] = (t2 - t1) / reps * 1e6;
        elems[r] = 100.0 * (1 << 16) / ((t3 - t2) * 1e6);
    }
    qsort(region, 7, sizeof(double), cmp);
    qsort(barrier, 7, sizeof(double), cmp);
    qsort(elems, 7, sizeof(double), cmp);
    printf("%.3f %.3f %.1f %g\n", region[3], barrier[3], elems[3], sink + v[7]);
    return 0;
}
