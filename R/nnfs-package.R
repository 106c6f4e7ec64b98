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
#' }
#'
#' @keywords internal
#' @useDynLib nnfs, .registration = TRUE
"_PACKAGE"
