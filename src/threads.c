/* threads.c: thread count, serial thresholds, fork safety and the training
 * policy (see threads.h for the contract). */
#ifdef _OPENMP
#include <omp.h>
#if !defined(_WIN32)
#include <pthread.h>
#define HAVE_FORK 1
#endif
#endif
#include "threads.h"

/* ---- the count and fork() ---- */

static int threads_n = 1;
static volatile int forked = 0;

#ifdef HAVE_FORK
/* Runs in the child of every fork(): the child has only the thread that
 * called fork(), while GNU OpenMP still believes its pool exists, so a
 * parallel region of more than one thread would wait for ever. */
static void in_child(void) { forked = 1; threads_n = 1; }
#endif

void threads_init(void)
{
#ifdef HAVE_FORK
    pthread_atfork(NULL, NULL, in_child);
#endif
}

int threads_forked(void) { return forked; }

int threads_available(void)
{
#ifdef _OPENMP
    int n = omp_get_num_procs(), lim = omp_get_thread_limit();
    if (lim < n) n = lim;
    return n > 1 ? n : 1;
#else
    return 1;
#endif
}

void threads_set(int n)
{
    int avail = threads_available();
    if (n > avail) n = avail;
    threads_n = forked || n < 1 ? 1 : n;
}

int threads_get(void) { return threads_n; }

int split_threads(int units)
{
#ifdef _OPENMP
    int nt = threads_n < units ? threads_n : units;
    return nt > 1 && !omp_in_parallel() ? nt : 1;
#else
    (void) units;
    return 1;
#endif
}

/* ---- thresholds ----
 * Opening and closing a parallel region of two threads costs about
 * REGION_US microseconds on an idle machine (bench/threads.R measures it),
 * and a region is worth it when the serial work is at least 20 times
 * that: then the overhead is at most 5% of what the second thread saves.
 * MACS_PER_US and ELEMS_PER_US are one core's rates for small products
 * and for simple element loops (conservative, measured with bench/threads.R). */
#define REGION_US     2.0
#define WORTH         20.0
#define MACS_PER_US   4000.0
#define ELEMS_PER_US  500.0

int threads_for_macs(double macs, int units)
{
    return macs >= WORTH * REGION_US * MACS_PER_US ? split_threads(units) : 1;
}

int threads_for_elems(double elems, int units)
{
    return elems >= WORTH * REGION_US * ELEMS_PER_US ? split_threads(units) : 1;
}

/* ---- the training policy ----
 * Wall time per sample decides between `max` threads and one. The count
 * in use (`best`) runs; after `wait` seconds on it, the other count is
 * timed over a few batches (a probe) and taken if it is faster by more
 * than MARGIN. A probe that loses doubles the wait and makes it at least
 * OVERHEAD_INV times the time the probe lost, so probing costs at most
 * 1 / OVERHEAD_INV of the training; the wait stops doubling at WAIT_MAX
 * (while probes are cheap), so a change in the machine's load is seen
 * within about a second. The first batch is not timed (it starts the
 * OpenMP pool). */
#define MARGIN        0.05
#define OVERHEAD_INV  20.0
#define WAIT_MIN      0.01
#define WAIT_MAX      1.0
#define PROBE_MIN_S   0.002   /* a probe lasts at least this long ... */
#define PROBE_MIN_B   2       /* ... and this many batches ... */
#define PROBE_MAX_B   16      /* ... but no more than this many */

static double now(void)
{
#ifdef _OPENMP
    return omp_get_wtime();
#else
    return 0.0;
#endif
}

void policy_init(thread_policy *p, int max)
{
    p->max = max > 1 ? max : 1;
    p->best = p->cur = p->max;
    p->warm = 1;
    p->probe_left = 0;
    p->t0 = 0.0;
    p->rate[0] = p->rate[1] = 0.0;
    p->probe_time = 0.0;
    p->probe_n = 0;
    p->run_time = 0.0;
    p->run_n = 0;
    p->wait = 0.0;
}

int policy_begin(thread_policy *p)
{
    if (p->max > 1 && p->probe_left == 0 && p->warm == 0 && p->run_n >= 2 &&
        p->run_time >= p->wait) {
        p->probe_left = PROBE_MAX_B;
        p->probe_time = 0.0;
        p->probe_n = 0;
    }
    int other = p->best == 1 ? p->max : 1;
    p->cur = p->probe_left > 0 ? other : p->best;
    threads_set(p->cur);
    p->t0 = now();
    return p->cur;
}

/* end of a probe whose rate (seconds per sample) is r */
static void policy_decide(thread_policy *p, double r)
{
    if (r < (1.0 - MARGIN) * p->rate[0]) {
        p->best = p->best == 1 ? p->max : 1;
        p->wait = WAIT_MIN;
    } else {
        double lost = p->probe_time - p->rate[0] * p->probe_n;
        double w = 2.0 * p->wait;
        if (w < WAIT_MIN) w = WAIT_MIN;
        if (w > WAIT_MAX) w = WAIT_MAX;
        if (w < OVERHEAD_INV * lost) w = OVERHEAD_INV * lost;
        p->wait = w;
    }
    p->rate[1] = r;
    p->run_time = 0.0;
    p->run_n = 0;
}

void policy_end(thread_policy *p, int samples)
{
    if (p->max <= 1 || samples < 1) return;
    double dt = now() - p->t0;
    if (p->warm > 0) { p->warm--; return; }
    if (p->probe_left > 0) {
        p->probe_time += dt;
        p->probe_n += samples;
        p->probe_left--;
        int done = PROBE_MAX_B - p->probe_left;
        double r = p->probe_time / p->probe_n;
        /* enough batches and time, or clearly the slower count */
        if ((done >= PROBE_MIN_B && p->probe_time >= PROBE_MIN_S) ||
            r > 1.5 * p->rate[0])
            p->probe_left = 0;
        if (p->probe_left == 0) policy_decide(p, r);
        return;
    }
    double r = dt / samples;
    p->rate[0] = p->run_n == 0 ? r : 0.75 * p->rate[0] + 0.25 * r;
    p->run_n++;
    p->run_time += dt;
}
