# The R side of the thread policy (the C side is src/threads.c): how many
# threads a training or prediction asks for. Results do not depend on it.
#
# Option `nnfs.threads` when set; otherwise at most 2, and no more than
#   - the processors OpenMP may use (affinity, OMP_THREAD_LIMIT at startup),
#   - OMP_THREAD_LIMIT and OMP_NUM_THREADS (first level) as set now,
#   - the processors divided among `mc.cores` workers, when that option
#     (or the MC_CORES environment variable read by parallel) is set: the
#     convention of parallel::mclapply() and of resampling packages.
# In a forked child (mclapply(), future's multicore) it is 1, and the C side
# holds it to 1 whatever is asked for: OpenMP's pool does not survive fork().
nnfs_threads <- function() {
  n <- getOption("nnfs.threads")
  if (!is.null(n)) {
    if (!is.numeric(n) || length(n) != 1L || !is.finite(n) || n < 1 ||
        n != round(n))
      arg_error("option `nnfs.threads` must be a positive whole number, not ",
                describe(n), ".")
  }
  info <- .Call(C_threads_info)
  if (info[[2L]] == 1L) return(1L)       # a forked child: one thread
  if (!is.null(n)) return(as.integer(n))
  avail <- info[[1L]]
  n <- min(2L, avail, env_threads("OMP_THREAD_LIMIT"),
           env_threads("OMP_NUM_THREADS"))
  workers <- mc_cores()
  if (workers > 1L) n <- min(n, max(1L, avail %/% workers))
  as.integer(n)
}

# Option `nnfs.adaptive_threads`: TRUE (default) lets training drop to one
# thread while one is faster (src/threads.c); FALSE keeps the count.
nnfs_adaptive_threads <- function() {
  a <- getOption("nnfs.adaptive_threads", TRUE)
  if (!is.logical(a) || length(a) != 1L || is.na(a))
    arg_error("option `nnfs.adaptive_threads` must be TRUE or FALSE, not ",
              describe(a), ".")
  as.integer(a)
}

# A positive whole number from an environment variable, Inf when unset.
# OMP_NUM_THREADS may list one count per nesting level ("4,2"): the first
# is the one that counts here.
env_threads <- function(var) {
  v <- trimws(Sys.getenv(var, ""))
  if (!nzchar(v)) return(Inf)
  first <- trimws(strsplit(v, ",", fixed = TRUE)[[1L]][1L])
  n <- suppressWarnings(as.numeric(first))
  if (!grepl("^[0-9]+$", first) || is.na(n) || n < 1)
    arg_error("environment variable `", var, "` must be a positive whole ",
              "number of threads, not \"", v, "\".")
  n
}

# Workers the user runs side by side: option `mc.cores` (which the
# parallel package sets from MC_CORES when it is loaded), else MC_CORES,
# else 1.
mc_cores <- function() {
  n <- getOption("mc.cores")
  if (is.null(n)) {
    v <- trimws(Sys.getenv("MC_CORES", ""))
    if (!nzchar(v)) return(1L)
    n <- suppressWarnings(as.numeric(v))
    if (is.na(n) || n < 1 || n != round(n))
      arg_error("environment variable `MC_CORES` must be a positive whole ",
                "number of workers, not \"", v, "\".")
    return(as.integer(n))
  }
  if (!is.numeric(n) || length(n) != 1L || !is.finite(n) || n < 1 ||
      n != round(n))
    arg_error("option `mc.cores` must be a positive whole number of ",
              "workers, not ", describe(n), ".")
  as.integer(n)
}

# The engine's view of threads here: processors OpenMP may use, and
# whether this process is a forked child (then one thread). For tests.
threads_info <- function() {
  info <- .Call(C_threads_info)
  list(available = info[[1L]], forked = info[[2L]] == 1L)
}
