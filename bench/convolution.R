# Benchmark: convolution() against the article's pure R sliding window.
#
# A 250 x 250 image and a 3 x 3 filter, valid positions only. The pure R
# version is written the way the article writes it (outer() over every
# output position with a vectorised closure); it is timed over a few runs,
# the C version over many, and the ratio of the median times is reported.
#
# Run from the package root after installing nnfs:
#   Rscript bench/convolution.R
# Results are recorded by hand in bench/convolution-results.md.

library(nnfs)

conv_article <- function(img, filter) {
  n <- nrow(img); m <- ncol(img); k <- nrow(filter)
  outer(1:(n - k + 1), 1:(m - k + 1), Vectorize(function(i, j)
    sum(img[i:(i + k - 1), j:(j + k - 1)] * filter)))
}

# median seconds (elapsed, and CPU = user + system of this process) of
# `reps` evaluations of expr, after one warm-up
time_median <- function(expr, reps) {
  expr_q <- substitute(expr)
  env <- parent.frame()
  eval(expr_q, env)
  times <- vapply(seq_len(reps), function(i) {
    t <- system.time(eval(expr_q, env))
    c(t[["elapsed"]], t[["user.self"]] + t[["sys.self"]])
  }, numeric(2))
  c(elapsed = stats::median(times[1, ]), cpu = stats::median(times[2, ]))
}

set.seed(2024)
img <- matrix(runif(250 * 250), 250, 250)
filter <- filter_bank("emboss")

r_res <- conv_article(img, filter)
c_res <- convolution(img, filter, show = FALSE, out = TRUE)
stopifnot(identical(dim(r_res), c(248L, 248L)),
          max(abs(r_res - c_res)) < 1e-12)

r_time <- time_median(conv_article(img, filter), reps = 3)
# one C call takes well under a millisecond: time batches of 1000 calls
batch <- 1000L
c_time <- time_median(for (i in seq_len(batch))
  convolution(img, filter, show = FALSE, out = TRUE), reps = 5) / batch

# for reading the result: what allocating (and zeroing) a vector the size
# of the output costs on this machine, with no computation at all
a_time <- time_median(for (i in seq_len(batch)) numeric(248 * 248),
                      reps = 5) / batch

us <- function(t) sprintf("%.1f us elapsed, %.1f us CPU", t[["elapsed"]] * 1e6,
                          t[["cpu"]] * 1e6)
cat(sprintf("image 250 x 250, filter 3 x 3, output %d x %d\n",
            nrow(c_res), ncol(c_res)))
cat(sprintf("pure R (article style): %.3f s elapsed, %.3f s CPU per call",
            r_time[["elapsed"]], r_time[["cpu"]]), "(median of 3)\n")
cat("convolution() in C:    ", us(c_time), "per call (median of 5 x 1000)\n")
cat("numeric(248 * 248):    ", us(a_time), "per call (median of 5 x 1000)\n")
cat(sprintf("ratio: %.0f x faster (elapsed), %.0f x (CPU)\n",
            r_time[["elapsed"]] / c_time[["elapsed"]],
            r_time[["cpu"]] / c_time[["cpu"]]))
cat(sprintf("threads option: %d; %s\n", getOption("nnfs.threads", 2L),
            R.version.string))
