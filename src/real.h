/* real.h: the precision seam. Every engine source is written once for the
 * scalar type `real` and compiled twice:
 *  - as itself, with real = double (the default: it reproduces the
 *    articles' numbers), its symbols named as written;
 *  - through a two-line wrapper in single_*.c that defines NNFS_SINGLE and
 *    includes it, with real = float; single_names.h then renames each
 *    external symbol X of the engine to X_f, so that both builds link into
 *    one library.
 * Code that must know the precision tests NNFS_SINGLE; sums that feed a
 * reported loss stay in double. Pure C, no R headers. */
#ifndef NNFS_REAL_H
#define NNFS_REAL_H

#ifdef NNFS_SINGLE
typedef float real;
#define REAL_NAME "single"
#define rexp expf
#define rlog logf
#define rtanh tanhf
#define rsqrt sqrtf
#define rpow powf
#include "single_names.h"
#else
typedef double real;
#define REAL_NAME "double"
#define rexp exp
#define rlog log
#define rtanh tanh
#define rsqrt sqrt
#define rpow pow
#endif

#endif
