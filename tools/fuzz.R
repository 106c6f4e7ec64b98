# Long fuzz run of the exported functions (the short one is a test).
#
#   Rscript tools/fuzz.R [n = 20000] [seed = 1] [known = 0] [threads = 1]
#
# Run from the package root with nnfs installed. `known = 1` also generates
# the mutations listed in `fuzz_known_bugs` (cases that fail today). The
# harness lives in tests/testthat/test-fuzz.R, which R CMD build keeps (it
# drops tools/): this script evaluates only that file's definitions of
# `fuzz_*` and `run_fuzz`, not its test_that() block. Each call's number is
# written to fuzz-log.txt in the temporary directory before it runs, so a
# crash names the call to replay with the same seed.
#
# Besides the exported functions, the harness trains image-like data held
# in R's rows (nn_images, cnn_images) twice, with nnfs.copy_limit values
# that send them through different data paths (byte codes, chunks of the
# rows, the column or float copy), and counts any difference between the
# two networks, or a wrong 2x2 max pooling, as garbage; read_idx() and
# read_mnist() of generated files and the internal all_finite() are checked
# against the values they must return. With threads = 2 the byte codes of
# data of 512 samples or more are made by two threads.

suppressPackageStartupMessages(library(nnfs))

args <- commandArgs(TRUE)
n <- if (length(args) >= 1L) as.integer(args[1L]) else 20000L
seed <- if (length(args) >= 2L) as.integer(args[2L]) else 1L
known <- length(args) >= 3L && args[3L] == "1"
threads <- if (length(args) >= 4L) as.integer(args[4L]) else 1L

harness <- file.path("tests", "testthat", "test-fuzz.R")
if (!file.exists(harness))
  stop("run tools/fuzz.R from the package root (", harness, " not found)")
for (e in parse(harness, keep.source = FALSE)) {
  is_def <- is.call(e) && identical(e[[1L]], as.name("<-")) &&
    is.name(e[[2L]]) && grepl("^(fuzz_|run_fuzz$)", as.character(e[[2L]]))
  if (is_def) eval(e, globalenv())
}

log <- file.path(tempdir(), "fuzz-log.txt")
time <- system.time(res <- run_fuzz(n, seed = seed, include_known = known,
                                    log = log, threads = threads))[["elapsed"]]

failed <- res$outcome %in% c("internal", "garbage")
cat(sprintf("%d calls in %.1f s (seed %d%s, %d threads): %d results, %d R errors, %d failures\n",
            n, time, seed, if (known) ", known bugs included" else "", threads,
            sum(res$outcome == "ok"), sum(res$outcome == "error"), sum(failed)))
tab <- table(factor(res$fun), factor(res$outcome,
                                     c("ok", "error", "internal", "garbage")))
print(tab)
if (any(failed)) {
  cat("\nFailures (first 20):\n")
  shown <- utils::head(which(failed), 20L)
  cat(sprintf("  call %d, %s: %s", shown, res$fun[shown], res$message[shown]),
      sep = "\n")
}
quit(status = if (any(failed)) 1L else 0L)
