#' nnfs: neural networks from scratch with a fast C core
#'
#' The package follows the well-known "from scratch" tutorials step by step:
#' [linear_reg()], [logistic_reg()] and [softmax_reg()] fit regressions by
#' gradient descent, [neuralnetwork()] trains a dense network by mini-batch
#' stochastic gradient descent and backpropagation, and [convolution()]
#' slides a filter over an image. The R functions check their arguments and
#' hand plain numeric matrices to one C engine; results come back as plain R
#' objects that [saveRDS()] can store.
#'
#' @section Options:
#' \describe{
#'   \item{`nnfs.threads`}{Number of threads the C kernels may use.
#'     Results do not depend on it. Default: 2, or fewer when the machine
#'     has fewer processors, when `OMP_THREAD_LIMIT` or `OMP_NUM_THREADS`
#'     ask for fewer, or when option `mc.cores` (or the `MC_CORES`
#'     environment variable) says that several workers share the
#'     processors (each then gets its share, at least one). See "Threads
#'     and parallel R" below.}
#'   \item{`nnfs.adaptive_threads`}{`TRUE` (default): training times its
#'     batches and goes on with one thread while one is faster than
#'     `nnfs.threads` (another program holds a core). `FALSE`: every batch
#'     uses `nnfs.threads` threads (for benchmarks and tests).}
#'   \item{`nnfs.copy_limit`}{The most bytes (default `2^27`, 128 MiB) of
#'     the engine's working copy of the data. Data whose copy fits are
#'     copied once to the layout the engine reads fastest. Larger training
#'     data whose values are at most 256 distinct numbers (images) are
#'     copied as one byte per value with a table of the values, when those
#'     bytes fit; other large data are read where they are, a chunk of at
#'     most a quarter of the rows (and at most this many bytes) at a time,
#'     at some cost in speed. Results do not depend on it.}
#'   \item{`nnfs.max_memory`}{Bytes that [neuralnetwork()] and [cnn()] may
#'     use for a network's parameters, gradients, optimizer state, batch
#'     buffers and working copy of the training data (see
#'     `nnfs.copy_limit`). A network that needs more is refused with an error before
#'     anything is allocated. Default: the memory the system reports as
#'     available (on Linux), else no limit.}
#' }
#'
#' @section Threads and parallel R:
#' The C kernels run on OpenMP threads, and only where a product or loop is
#' large enough to repay starting them (a parallel region costs a few
#' microseconds on an idle machine). During training, nnfs times the
#' batches: when one thread is faster than several (another program holds
#' a core), it goes on with one thread and tries the others again now and
#' then, at a bounded cost. The thread count never changes the results.
#'
#' Forked workers ([parallel::mclapply()], `future`'s multicore plan, and
#' the resampling of `caret` or `tidymodels` run with them) always train on
#' one thread: OpenMP's thread pool does not survive `fork()`, and a worker
#' that used it would wait for ever. They give the same results as the
#' parent for the same seed.
#'
#' When you train several models at once (resampling, a PSOCK cluster,
#' `future`'s multisession plan, several R sessions), the workers already
#' keep the processors busy: set `options(nnfs.threads = 1)` in each
#' worker, or `options(mc.cores = <workers>)` (or `MC_CORES`) before
#' loading them, so that each asks for its share of the processors.
#'
#' @keywords internal
#' @useDynLib nnfs, .registration = TRUE
"_PACKAGE"
