# Layer constructors for cnn() and the shape inference that turns a list of
# them into the engine's layer specs (R/train.R), layer by layer.

new_layer <- function(type, ...) {
  structure(list(type = type, ...), class = "nnfs_layer")
}

#' Layers for convolutional networks
#'
#' Building blocks for [cnn()]. A network is a list of layers applied in
#' order to images of height x width x channels; [layer_flatten()] turns the
#' image into a vector before the first [layer_dense()].
#'
#' @param filters Number of filters (output channels), a positive whole
#'   number.
#' @param kernel_size Filter size: one whole number for a square filter or
#'   `c(height, width)`.
#' @param activation Activation applied to the layer's output: one of
#'   `"linear"`, `"sigmoid"`, `"tanh"`, `"relu"`, `"leaky_relu"`, and for the
#'   last dense layer also `"softmax"`.
#' @param stride Step between filter positions, a positive whole number.
#' @param padding `"valid"` (only positions where the filter fits inside the
#'   image) or `"same"` (zero padding so that the output has
#'   `ceiling(input / stride)` rows and columns).
#' @return An object of class `nnfs_layer`, to be put in the list given to
#'   [cnn()].
#' @examples
#' layers <- list(
#'   layer_conv2d(8, 3),
#'   layer_batchnorm(),
#'   layer_maxpool2d(2),
#'   layer_flatten(),
#'   layer_dropout(0.2),
#'   layer_dense(10, "softmax")
#' )
#' layers[[1]]
#' @export
layer_conv2d <- function(filters, kernel_size, activation = "relu",
                         stride = 1, padding = c("valid", "same")) {
  new_layer("conv2d",
            filters = check_count(filters, "filters"),
            kernel_size = check_size2(kernel_size, "kernel_size"),
            activation = check_choice(activation, hidden_activations, "activation"),
            stride = check_count(stride, "stride"),
            padding = check_choice(padding, c("valid", "same"), "padding"))
}

#' @rdname layer_conv2d
#' @param pool_size Size of the pooling window: one whole number or
#'   `c(height, width)`. The window moves by its own size, so the input's
#'   height and width must be multiples of it.
#' @export
layer_maxpool2d <- function(pool_size = 2) {
  new_layer("maxpool2d", pool_size = check_size2(pool_size, "pool_size"))
}

#' @rdname layer_conv2d
#' @details `layer_avgpool2d()` replaces each window (square, moving by its
#'   own size like [layer_maxpool2d()]'s) by the mean of its values; in
#'   backpropagation every input of a window receives the same share,
#'   `1 / pool_size^2`, of the window's gradient.
#' @export
layer_avgpool2d <- function(pool_size = 2) {
  new_layer("avgpool2d", pool_size = check_size2(pool_size, "pool_size"))
}

#' @rdname layer_conv2d
#' @export
layer_flatten <- function() new_layer("flatten")

#' @rdname layer_conv2d
#' @param units Number of output units of a dense layer.
#' @export
layer_dense <- function(units, activation = "linear") {
  new_layer("dense", units = check_count(units, "units"),
            activation = check_choice(activation, c(hidden_activations, "softmax"),
                                      "activation"))
}

#' @rdname layer_conv2d
#' @param rate Fraction of the inputs set to zero during training, in
#'   `[0, 1)`. Dropout is inverted (kept values are scaled by
#'   `1 / (1 - rate)`) and switched off for prediction.
#' @export
layer_dropout <- function(rate) {
  new_layer("dropout", rate = check_number(rate, "rate", min = 0, max = 1 - 1e-12,
                                           what = "a number in [0, 1)"))
}

#' @rdname layer_conv2d
#' @details `layer_batchnorm()` normalises each unit (after a dense layer or
#'   [layer_flatten()]) or each channel (after a convolution or pooling
#'   layer: over the batch and all positions of the image) to mean 0 and
#'   variance 1, then scales and shifts it by the trained `gamma` (starting
#'   at 1) and `beta` (starting at 0), which the L1 and L2 penalties leave
#'   alone. In training it uses the statistics of the mini-batch (the
#'   biased variance) and updates the running statistics kept in the
#'   network, `running = momentum * running + (1 - momentum) * batch`, with
#'   the unbiased variance of the batch for `running_var`, as PyTorch does
#'   (the running mean starts at 0, the running variance at 1); prediction
#'   and validation use the running statistics. [grad_check()] and
#'   [backprop_trace()] use the statistics of the batch they are given and
#'   leave the running ones as they are. The four tensors are in
#'   `coef(net)` and `net$tensors`; `warm_start` continues from them.
#' @param momentum Weight of the old running statistics in each update, a
#'   number in `[0, 1]` (Keras's convention: PyTorch's `momentum = 0.1` is
#'   `0.9` here).
#' @param epsilon Added to the variance before its square root, a positive
#'   number; in single precision at least float's smallest normal number,
#'   about 1.2e-38 (below it `1 / sqrt(epsilon)` overflows float).
#' @export
layer_batchnorm <- function(momentum = 0.9, epsilon = 1e-5) {
  new_layer("batchnorm",
            momentum = check_number(momentum, "momentum", min = 0, max = 1),
            epsilon = check_number(epsilon, "epsilon", positive = TRUE))
}

hidden_activations <- c("linear", "sigmoid", "tanh", "relu", "leaky_relu")

check_size2 <- function(x, arg) {
  ok <- is.numeric(x) && length(x) %in% 1:2 && !anyNA(x) && all(is.finite(x)) &&
    all(x == round(x)) && all(x >= 1)
  if (!ok)
    arg_error("`", arg, "` must be one positive whole number or two, not ",
              describe(x), ".")
  as.integer(rep_len(x, 2L))
}

#' @export
print.nnfs_layer <- function(x, ...) {
  cat("<nnfs layer> ", layer_label(x), "\n", sep = "")
  invisible(x)
}

layer_label <- function(x) {
  switch(x$type,
    conv2d = sprintf("conv2d: %d filters %dx%d, stride %d, %s padding, %s",
                     x$filters, x$kernel_size[1], x$kernel_size[2], x$stride,
                     x$padding, x$activation),
    maxpool2d = ,
    avgpool2d = sprintf("%s: %dx%d", x$type, x$pool_size[1], x$pool_size[2]),
    flatten = "flatten",
    dense = sprintf("dense: %d units, %s", x$units, x$activation),
    dropout = sprintf("dropout: rate %g", x$rate),
    batchnorm = sprintf("batchnorm: momentum %g, epsilon %g", x$momentum,
                        x$epsilon))
}

shape_label <- function(s) {
  if (length(s) == 1L) as.character(s) else paste(s, collapse = " x ")
}

# Turn constructor layers into engine specs for an input of shape
# c(height, width, channels). Any layer that cannot follow the previous one
# stops with a table of the shapes so far.
cnn_specs <- function(layers, in_shape) {
  shape <- as.integer(in_shape)
  specs <- vector("list", length(layers))
  trail <- sprintf("  input: %s", shape_label(shape))
  fail <- function(i, why) {
    arg_error("`layers` cannot work on this input: layer ", i, " (",
              layer_label(layers[[i]]), ") ", why, "\nShapes so far:\n",
              paste(trail, collapse = "\n"))
  }
  for (i in seq_along(layers)) {
    l <- layers[[i]]
    n_in <- prod(shape)
    if (l$type %in% c("conv2d", "maxpool2d", "avgpool2d") && length(shape) != 3L)
      fail(i, sprintf("needs an image but gets a flat vector of length %d.", shape))
    if (l$type == "conv2d") {
      k <- l$kernel_size
      if (l$padding == "valid" && any(k > shape[1:2]))
        fail(i, sprintf("has a %dx%d kernel larger than its %dx%d input.",
                        k[1], k[2], shape[1], shape[2]))
      ey <- conv_extent(shape[1], k[1], l$stride, l$padding)
      ex <- conv_extent(shape[2], k[2], l$stride, l$padding)
      out <- c(ey[1], ex[1], l$filters)
      geom <- conv_geom(shape[1], shape[2], shape[3], out[1], out[2], out[3],
                        k[1], k[2], l$stride, ey[2], ex[2])
      specs[[i]] <- layer_spec("conv2d", n_in, prod(out), l$activation, geom = geom)
    } else if (l$type %in% c("maxpool2d", "avgpool2d")) {
      p <- l$pool_size
      if (p[1] != p[2])
        fail(i, "needs a square window (the stride equals the window size).")
      if (any(shape[1:2] %% p != 0L))
        fail(i, sprintf("has a %dx%d window that does not divide its %dx%d input.",
                        p[1], p[2], shape[1], shape[2]))
      out <- c(shape[1] %/% p[1], shape[2] %/% p[2], shape[3])
      geom <- conv_geom(shape[1], shape[2], shape[3], out[1], out[2], out[3],
                        p[1], p[2], p[1], 0L, 0L)
      specs[[i]] <- layer_spec(l$type, n_in, prod(out), geom = geom)
    } else if (l$type == "flatten") {
      out <- n_in
      specs[[i]] <- layer_spec("flatten", n_in, n_in)
    } else if (l$type == "dense") {
      if (length(shape) != 1L)
        fail(i, sprintf("gets an image of %s; put layer_flatten() before it.",
                        shape_label(shape)))
      out <- l$units
      specs[[i]] <- layer_spec("dense", n_in, out, l$activation)
    } else if (l$type == "batchnorm") {
      # statistics per channel of an image, per unit of a vector
      out <- shape
      geom <- if (length(shape) == 3L)
        conv_geom(shape[1], shape[2], shape[3], shape[1], shape[2], shape[3], 1L, 1L)
      specs[[i]] <- layer_spec("batchnorm", n_in, n_in, geom = geom,
                               eps = l$epsilon, momentum = l$momentum)
    } else if (l$type == "dropout") {
      out <- shape
      specs[[i]] <- layer_spec("dropout", n_in, n_in, rate = l$rate)
    } else {
      arg_error("`layers` holds a layer of unknown type ", describe(l$type),
                " (layer ", i, "): make layers with layer_conv2d() and friends.")
    }
    shape <- as.integer(out)
    trail <- c(trail, sprintf("  %d %s: %s", i, l$type, shape_label(shape)))
  }
  last <- layers[[length(layers)]]
  if (last$type != "dense")
    arg_error("`layers` must end with layer_dense(), not ", layer_label(last), ".")
  for (i in seq_along(layers)[-length(layers)])
    if (identical(layers[[i]]$activation, "softmax"))
      fail(i, "uses softmax, which only the last layer may use.")
  structure(specs, shapes = trail)
}
