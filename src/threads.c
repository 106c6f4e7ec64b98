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
static double deadline = 0.0;  /* the policy's, 0: none (see below) */
static int deadline_hit = 0;

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
    deadline = 0.0;            /* nothing carries over from an earlier call */
    deadline_hit = 0;
}

int threads_get(void) { return threads_n; }

static void check_deadline(void);

int split_threads(int units)
{
#ifdef _OPENMP
    if (threads_n < 2 || units < 2 || omp_in_parallel())
        return 1;
    check_deadline();
    return threads_n < units ? threads_n : units;
#else
    (void) units;
    return 1;
#endif
}

/* ---- thresholds ----
 * A region is worth opening when its serial work is at least WORTH times
 * what opening and closing it costs: then the overhead is at most 5% of
 * what the second thread saves. bench/threads.R (bench/barrier.c)
 * measured a region of two threads at 10-30 us and a barrier at 7-17 us
 * on this 2-core machine while another developer's builds ran on it, and
 * 85-105 us with a busy loop as well; REGION_US is the cost on a quiet
 * machine, and the busier cases are left to the training policy below,
 * which no fixed threshold could serve. MACS_PER_US (7600-10700 measured
 * for 128 x 256 by 256 x 16 through .Call) and ELEMS_PER_US (400-800 for
 * a ReLU loop) are one core's rates. */
#define REGION_US     5.0
#define WORTH         20.0
#define MACS_PER_US   10000.0
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
 * Wall time per sample decides between `max` threads and one; the count in
 * use is `best`. It starts at one thread; after `wait` seconds on `best`,
 * the other count is timed over a batch or a few (a probe) and taken if it
 * is faster by more than MARGIN. A probe that loses doubles the wait and
 * makes it at least OVERHEAD_INV times the time the probe lost, so probes
 * cost at most about 1 / OVERHEAD_INV of the training; the wait stops
 * doubling at WAIT_MAX while probes are cheap, so that a change in the
 * machine's load is seen within about a second.
 * A batch on several threads has a deadline: the time one thread needed
 * for it. Past it (another program took a core, and the threads stall at
 * every barrier) the rest of the batch runs on one thread, and one thread
 * becomes `best`. So a busy machine costs at most about one batch's time
 * per probe. The first batch is not timed (caches, page faults). */
#define MARGIN        0.05
#define OVERHEAD_INV  20.0
#define WAIT_MIN      0.01
#define WAIT_MAX      1.0
#define PROBE_MIN_S   0.002   /* a probe lasts at least this long ... */
#define PROBE_MIN_B   1       /* ... and this many batches ... */
#define PROBE_MAX_B   8       /* ... but no more than this many */

static double now(void)
{
#ifdef _OPENMP
    return omp_get_wtime();
#else
    return 0.0;
#endif
}

/* called by split_threads() outside parallel regions */
static void check_deadline(void)
{
    if (deadline > 0.0 && threads_n > 1 && now() > deadline) {
        threads_n = 1;
        deadline_hit = 1;
    }
}

void policy_init(thread_policy *p, int max, int adaptive)
{
    p->max = max > 1 ? max : 1;
    p->adaptive = adaptive;
    p->best = p->cur = adaptive ? 1 : p->max;
    p->warm = 1;
    p->probing = 0;
    p->probe_b = 0;
    p->probe_time = 0.0;
    p->probe_n = 0;
    p->t0 = 0.0;
    p->rate1 = p->rate_n = 0.0;
    p->run_time = 0.0;
    p->run_n = 0;
    p->wait = 0.0;
    deadline = 0.0;
    deadline_hit = 0;
#ifdef _OPENMP
    /* start the pool now, not inside a timed batch */
    if (p->max > 1 && adaptive && !omp_in_parallel()) {
#pragma omp parallel num_threads(p->max)
        { (void) 0; }
    }
#endif
}

void policy_begin(thread_policy *p, int B)
{
    if (!p->adaptive) {
        threads_n = p->max;
        return;
    }
    if (p->max > 1 && !p->probing && p->warm == 0 && p->run_n >= 2 &&
        p->run_time >= p->wait) {
        p->probing = 1;
        p->probe_b = 0;
        p->probe_time = 0.0;
        p->probe_n = 0;
    }
    int other = p->best == 1 ? p->max : 1;
    p->cur = p->probing ? other : p->best;
    threads_n = p->cur;
    p->t0 = now();
    deadline = p->cur > 1 && p->rate1 > 0.0 ? p->t0 + p->rate1 * B : 0.0;
    deadline_hit = 0;
}

/* the EWMA of seconds per sample for count n */
static void policy_rate(thread_policy *p, int n, double r, int fresh)
{
    double *x = n > 1 ? &p->rate_n : &p->rate1;
    *x = fresh || *x == 0.0 ? r : 0.75 * *x + 0.25 * r;
}

/* end of a probe: take the other count if it won */
static void policy_decide(thread_policy *p, int won)
{
    if (won) {
        p->best = p->best == 1 ? p->max : 1;
        p->wait = WAIT_MIN;
    } else {
        double best_rate = p->best > 1 ? p->rate_n : p->rate1;
        double lost = p->probe_time - best_rate * (double) p->probe_n;
        double w = 2.0 * p->wait;
        if (w < WAIT_MIN) w = WAIT_MIN;
        if (w > WAIT_MAX) w = WAIT_MAX;
        if (w < OVERHEAD_INV * lost) w = OVERHEAD_INV * lost;
        p->wait = w;
    }
    p->probing = 0;
    p->run_time = 0.0;
    p->run_n = 0;
}

void policy_end(thread_policy *p, int B)
{
    double dt = now() - p->t0;
    int hit = deadline_hit;
    deadline = 0.0;
    deadline_hit = 0;
    if (p->max <= 1 || !p->adaptive || B < 1) return;
    if (p->warm > 0) { p->warm--; return; }
    double best_rate = p->best > 1 ? p->rate_n : p->rate1;
    if (p->probing) {
        p->probe_time += dt;
        p->probe_n += B;
        p->probe_b++;
        double r = p->probe_time / (double) p->probe_n;
        if (hit) {                      /* several threads fell behind one */
            policy_decide(p, 0);
            return;
        }
        if ((p->probe_b >= PROBE_MIN_B && p->probe_time >= PROBE_MIN_S) ||
            p->probe_b >= PROBE_MAX_B || r > 1.5 * best_rate) {
            policy_rate(p, p->cur, r, 1);
            policy_decide(p, r < (1.0 - MARGIN) * best_rate);
        }
        return;
    }
    p->run_n++;
    p->run_time += dt;
    if (hit) {                          /* the machine got busy */
        p->best = 1;
        p->wait = WAIT_MIN;
        p->run_time = 0.0;
        p->run_n = 0;
        return;
    }
    policy_rate(p, p->cur, dt / B, 0);
}
