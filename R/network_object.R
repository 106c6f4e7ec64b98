# The model object of neuralnetwork() and cnn(). The articles' network
# returns list(biases, weights) and their readers index it as such
# (`net[[1]]`, `net[[-1]]`), so the object is exactly that list of two;
# everything else the package keeps (layer descriptions, settings, history,
# classes, input names...) lives in its attributes. `$` reads and writes
# both, so `net$history` works as it did when these were list elements, and
# so do networks saved by nnfs 0.1.0, which were lists of twelve fields.

# A network from its parameters (list(biases, weights), and `tensors` when
# it has layers with other tensors: see has_params()), its fields (a named
# list stored as attributes) and its class.
new_network <- function(par, fields, class) {
  if (!is.null(par$tensors)) fields$tensors <- par$tensors
  net <- list(biases = par$biases, weights = par$weights)
  attributes(net) <- c(list(names = c("biases", "weights")), fields,
                       list(class = class))
  net
}

# Attribute names R gives a meaning of its own: never fields of a network.
reserved_attributes <- c("names", "class", "dim", "dimnames", "row.names",
                         "comment", "tsp")

#' Fields of a network
#'
#' A network returned by [neuralnetwork()] or [cnn()] is the articles'
#' `list(biases, weights)`: `net[[1]]` holds the biases, `net[[2]]` (or
#' `net[[-1]]`) the weights. Everything else the package records (the
#' training `history`, the layer `sizes`, the engine's `layers`, the
#' `settings`, the classes in `levels`, the input names in `features`,
#' `input_dim`, `task`, `epochs_run`, `best_epoch`) is kept in the object's
#' attributes, and `$` reaches both: `net$history`, `net$weights`.
#' `weights` and `biases` hold the parameters of the dense and convolution
#' layers; a network with other layers that own tensors
#' ([layer_batchnorm()]) keeps them in `tensors`, a list with one element
#' per layer of `layers`: `NULL`, or that layer's named tensors.
#'
#' @param x A network.
#' @param name The name of a field.
#' @param value Its new value.
#' @return `$` returns the field (`NULL` when there is none); `$<-` returns
#'   the network with the field set.
#' @name network-fields
#' @examples
#' set.seed(1)
#' net <- neuralnetwork(c(4, 5, 3), list(x = iris[, 1:4] / 8, y = iris$Species),
#'                      3, 10, 0.5)
#' length(net)            # biases and weights
#' net$history            # one row per epoch
#' names(attributes(net))
NULL

#' @rdname network-fields
#' @export
`$.nnfs_network` <- function(x, name) {
  v <- if (name %in% names(x)) .subset2(x, name) else
    if (name %in% reserved_attributes) NULL else attr(x, name, exact = TRUE)
  # models saved by 0.1.0 name layer kinds and activations by number
  if (identical(name, "layers")) legacy_specs(v) else v
}

#' @rdname network-fields
#' @export
`$<-.nnfs_network` <- function(x, name, value) {
  if (name %in% reserved_attributes)
    arg_error("`", name, "` is not a field of a network.")
  if (name %in% names(x)) {
    cl <- oldClass(x)
    x <- unclass(x)
    x[[name]] <- value
    class(x) <- cl
  } else {
    attr(x, name) <- value
  }
  x
}

# The precision a network was trained in, and predicts in ("double" for
# networks saved before there was a choice).
network_precision <- function(net) net$settings$precision %||% "double"

# Name each dense layer's activation on the biases list, so that the
# tutorials' helpers (feedforward(a, biases, weights) and those built on
# it) apply the activations the network was trained with when they are
# given only `net[[1]]` and `net[[2]]`.
label_activations <- function(net) {
  if (inherits(net, "nnfs_cnn")) return(net)
  dense <- Filter(function(s) s$kind == "dense", net$layers)
  b <- net$biases
  acts <- vapply(dense, `[[`, "", "act")
  attr(b, "activation") <- acts
  if ("leaky_relu" %in% acts) attr(b, "slope") <- dense[[1L]]$slope
  net$biases <- b
  net
}
