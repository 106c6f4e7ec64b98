/* threads.h: the thread policy of nnfs, in one module.
 *
 *  - the count: each .Call entry point sets it from its argument with
 *    threads_set(); a forked child of a process that has used OpenMP is
 *    held to one thread (the GNU OpenMP pool does not survive fork());
 *  - the thresholds: a kernel asks threads_for_macs() or threads_for_elems()
 *    how many threads its work is worth; below the thresholds (set from
 *    the measured cost of a parallel region, bench/threads-results.md) a
 *    region stays serial;
 *  - the training policy: thread_policy times the batches and drops to one
 *    thread while one is faster (a busy machine), probing again now and
 *    then at a bounded cost.
 * The count only changes speed: every kernel's result is the same for any
 * count. Pure C: no R headers. */
#ifndef NNFS_THREADS_H
#define NNFS_THREADS_H

/* Register the fork handler; called once from R_init_nnfs. */
void threads_init(void);

/* 1 in a child created by fork() after the package was loaded. */
int threads_forked(void);

/* Processors OpenMP may use here (affinity and OMP_THREAD_LIMIT applied);
 * 1 without OpenMP. */
int threads_available(void);

/* Thread count for the following kernel calls: n, at most
 * threads_available(), 1 in a forked child. */
void threads_set(int n);
int threads_get(void);

/* Threads for a loop over `units` independent pieces (samples of a batch,
 * columns) that the caller shares out itself: at most threads_get() and
 * `units`, 1 inside a parallel region. */
int split_threads(int units);

/* The same, and 1 unless the loop does at least the threshold of work:
 * `macs` multiply-adds (products) or `elems` simple element operations
 * (copies, comparisons, activations). */
int threads_for_macs(double macs, int units);
int threads_for_elems(double elems, int units);

/* ---- the training policy ----
 * Per batch: policy_begin(&p, B) sets the count, policy_end(&p, B) records
 * the batch's wall time. A batch on several threads that runs past the
 * time one thread took per sample finishes on one thread (the kernels
 * check the deadline when they ask for threads). */
typedef struct {
    int max;             /* threads asked for */
    int adaptive;        /* 0: always max */
    int best;            /* count in use between probes: max or 1 */
    int cur;             /* count of the current batch */
    int warm;            /* batches left before timing starts */
    int probing;         /* the current batch times the other count */
    int probe_b;         /* batches, seconds and samples of the probe */
    double probe_time;
    long probe_n;
    double t0;           /* start of the current batch */
    double rate1;        /* seconds per sample on one thread, 0 if unknown */
    double rate_n;       /* and on max threads */
    double run_time;     /* seconds and batches on `best` since the last probe */
    int run_n;
    double wait;         /* seconds on `best` before the next probe */
} thread_policy;

/* adaptive 0: max threads for every batch, no timing */
void policy_init(thread_policy *p, int max, int adaptive);
void policy_begin(thread_policy *p, int B);
void policy_end(thread_policy *p, int B);

#endif
