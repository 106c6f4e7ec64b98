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
#'   \item{`nnfs.threads`}{Number of threads used by the C kernels
#'     (default 2, or fewer if the machine has fewer cores). Results do not
#'     depend on it.}
#'   \item{`nnfs.copy_limit`}{Training and prediction data up to this many
#'     bytes (default `2^27`, 128 MiB) are copied once to the layout the
#'     engine reads fastest; larger data are read where they are, so that
#'     training needs no second copy of them, at some cost in speed.
#'     Results do not depend on it.}
#'   \item{`nnfs.max_memory`}{Bytes that [neuralnetwork()] and [cnn()] may
#'     use for a network's parameters, gradients, optimizer state, batch
#'     buffers and working copy of the training data (see
#'     `nnfs.copy_limit`). A network that needs more is refused with an error before
#'     anything is allocated. Default: the memory the system reports as
#'     available (on Linux), else no limit.}
#' }
#'
#' @keywords internal
#' @useDynLib nnfs, .registration = TRUE
"_PACKAGE"
