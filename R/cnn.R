# cnn(): the convolutional front door. Same engine, data formats, settings
# and methods as neuralnetwork(); the network is a list of layer_*()
# objects (R/cnn_layers.R) instead of a vector of sizes.

#' Train a convolutional neural network
#'
#' A network of [layer_conv2d()], [layer_maxpool2d()], [layer_avgpool2d()],
#' [layer_batchnorm()], [layer_flatten()], [layer_dropout()] and
#' [layer_dense()] layers, trained by the same C
#' engine, optimizers and rules as [neuralnetwork()]: convolution runs as
#' matrix products (read from the image in place for stride 1 without
#' padding, through im2col otherwise), max pooling routes each gradient to
#' the input that won, and everything random comes from R's generator.
#'
#' @section Images:
#' Samples are images of height x width x channels. Give them as
#' `list(x = , y = )` with `x` an array of `n x height x width` (one
#' channel) or `n x height x width x channels`, or as a list of `list(x, y)`
#' pairs whose `x` are `height x width` matrices (or 3-D arrays). Element
#' `x[i, r, c]` is row `r` (from the top) and column `c` (from the left) of
#' image `i`, as [image()]-free plotting with [show_image()] shows it.
#' [as_images()] turns a matrix of flattened images, one per row (as
#' [read_mnist()] returns them), into such an array.
#'
#' @inheritParams neuralnetwork
#' @section Divergence:
#' If the loss of a mini-batch becomes NaN or infinite, or a parameter does
#' (a step can overflow the weights while the loss stays finite), training
#' stops with a warning of class `nnfs_warning_diverged` naming the epoch
#' and batch. The network returned holds the parameters of the end of the
#' last completed epoch: the starting ones (or those of `warm_start`) if
#' the first epoch diverged, and with `patience` those of the epoch with
#' the lowest validation loss. Its `history` and `epochs_run` count only
#' the completed epochs, and `predict()` accepts it. A smaller `lr`, or
#' inputs standardised to mean 0 and standard deviation 1, usually cures
#' it; catch it in code with `tryCatch(..., nnfs_warning_diverged =
#' function(w) ...)`.
#'
#' @param layers A list of layers made by [layer_conv2d()] and friends,
#'   ending with a [layer_dense()] whose units are the number of classes (or
#'   targets). Impossible sequences (a kernel larger than its input, a dense
#'   layer on an image without [layer_flatten()], a pooling window that does
#'   not divide its input) are refused before training with the shapes of
#'   every layer so far.
#' @param training_data Training images and targets (see the Images
#'   section); targets as for [neuralnetwork()].
#' @param validation_data Data evaluated after each epoch, in the same
#'   format, or `NULL` (the default) for none.
#' @param C Cost: `"ce"` (cross-entropy; the last layer's activation must be
#'   `"softmax"` or `"sigmoid"`) or `"mse"`.
#' @param init Initial parameters: `"he"` (the default: weights with
#'   standard deviation `sqrt(2 / fan_in)`, biases 0), `"xavier"` (standard
#'   deviation `sqrt(2 / (fan_in + fan_out))`, biases 0) or `"article"`
#'   (biases `rnorm()`, weights `rnorm() / sqrt(fan_in)`). The fan-in of a
#'   convolution is `kernel height * kernel width * input channels`.
#' @param warm_start `NULL`, or a network returned by `cnn()` with the same
#'   layers, to continue training from, with its optimizer state as for
#'   [neuralnetwork()].
#' @param precision `"double"` or `"single"`, as for [neuralnetwork()].
#' @return An object of class `c("nnfs_cnn", "nnfs_network")`: as for
#'   [neuralnetwork()], with convolution weights stored as arrays of
#'   `kernel height x kernel width x input channels x filters`, the
#'   tensors of batch normalisation layers in `tensors` (see
#'   [network-fields]), plus
#'   `cnn_layers` (the layer objects) and `shapes` (the shape after every
#'   layer). [predict()], [evaluate()], [plot()], [summary()], [coef()] and
#'   [grad_check()] work as for dense networks; [plot_filters()] and
#'   [feature_maps()] look inside.
#' @seealso [neuralnetwork()] for dense networks.
#' @export
#' @examples
#' set.seed(1)
#' imgs <- as_images(as.matrix(digits[, 1:64]) / 16, 8)
#' train <- list(x = imgs[1:1000, , ], y = digits$digit[1:1000])
#' test <- list(x = imgs[1001:1797, , ], y = digits$digit[1001:1797])
#' net <- cnn(list(layer_conv2d(8, 3), layer_maxpool2d(2), layer_flatten(),
#'                 layer_dense(10, "softmax")),
#'            train, epochs = 5, mini_batch_size = 16, lr = 0.05,
#'            optimizer = "momentum")
#' evaluate(net, test)$accuracy
cnn <- function(layers, training_data, epochs, mini_batch_size, lr,
                C = "ce", verbose = FALSE, validation_data = NULL, ...,
                init = c("he", "xavier", "article"), precision = NULL,
                optimizer = c("sgd", "momentum", "nesterov", "rmsprop", "adam"),
                momentum = 0.9, beta1 = 0.9, beta2 = 0.999, rho = 0.9,
                epsilon = 1e-8, l1 = 0, l2 = 0, patience = NULL,
                validation_split = 0,
                warm_start = NULL) {
  check_arg_names(sys.call(), "cnn", names(formals(cnn)), list(...))
  for (a in c("layers", "training_data", "epochs", "mini_batch_size", "lr"))
    if (eval(call("missing", as.name(a))))
      arg_error("`", a, "` is missing: cnn() needs `layers`, `training_data`, ",
                "`epochs`, `mini_batch_size` and `lr`.")
  check_layer_list(layers)
  s <- check_training_settings(mget(cnn_setting_names), c("he", "xavier", "article"))
  out_layer <- layers[[length(layers)]]
  k <- out_layer$units
  train <- as_network_data(training_data, "training_data", k = k)
  in_shape <- image_shape(train$x, "training_data")
  specs <- cnn_specs(layers, in_shape)
  if (s$precision == "single") {
    problem <- single_spec_problem(specs)
    if (!is.null(problem))
      arg_error("`layers` cannot be trained in single precision: ", problem,
                ". Give layer_batchnorm() a larger `epsilon` (the default ",
                "is 1e-5), or use `precision = \"double\"`.")
  }
  check_output(out_layer$activation, s$C, c(prod(in_shape), k))
  if (ncol(train$y) != k)
    arg_error("The last layer of `layers` must have one unit per output of ",
              "`training_data` (", ncol(train$y), "), not ", k, ".")
  check_ce_targets(train, s$C, "training_data")
  val <- NULL
  if (!is.null(validation_data)) {
    val <- as_network_data(validation_data, "validation_data",
                           levels = train$levels, task = train$task, k = k)
    if (!identical(image_shape(val$x, "validation_data"), in_shape))
      arg_error("`validation_data` must hold images of ", shape_label(in_shape),
                " like `training_data`, not ", shape_label(image_shape(val$x, "")), ".")
  }
  parts <- held_out(train, val, s)
  train <- parts$train
  val <- parts$val

  check_engine_memory(specs, s$mini_batch_size, dim(train$x)[1L], s$optimizer,
                      "layers", s$precision)
  if (is.null(warm_start)) {
    par <- init_cnn_params(specs, s$init)
  } else {
    check_cnn_warm_start(warm_start, specs, train, s$precision)
    par <- list(biases = warm_start$biases,
                weights = warm_start$weights, tensors = warm_start$tensors)
  }
  shapes <- attr(specs, "shapes")
  attr(specs, "shapes") <- NULL
  net <- new_network(par, list(history = NULL, layers = specs, cnn_layers = layers,
                               shapes = shapes, settings = s,
                               levels = train$levels, features = NULL,
                               input_dim = in_shape, task = train$task,
                               epochs_run = 0L, best_epoch = NA_integer_),
                     c("nnfs_cnn", "nnfs_network"))
  train_network(net, train, val, s, warm_start)
}

cnn_setting_names <- c("epochs", "mini_batch_size", "lr", "C", "verbose", "precision",
                       "init", "optimizer", "momentum", "beta1", "beta2",
                       "rho", "epsilon", "l1", "l2", "patience",
                       "validation_split")


check_layer_list <- function(layers) {
  ok <- is.list(layers) && !inherits(layers, "nnfs_layer") && length(layers) >= 1L &&
    all(vapply(layers, inherits, NA, "nnfs_layer"))
  if (!ok)
    arg_error("`layers` must be a non-empty list of layers made by ",
              "layer_conv2d(), layer_dense() and the other layer_*() ",
              "constructors, not ", describe(layers), ".")
}

# c(height, width, channels) of the samples in x (n x h x w (x c)).
image_shape <- function(x, arg) {
  d <- dim(x)
  if (length(d) == 3L) return(as.integer(c(d[2:3], 1L)))
  if (length(d) == 4L) return(as.integer(d[2:4]))
  arg_error("`", arg, "` must hold images: `x` as an array of n x height x ",
            "width (x channels), not ", describe(x), ". as_images() turns a ",
            "matrix of flattened images into such an array.")
}

# Initial parameters for the specs, drawn layer by layer (weights, then
# biases) with R's RNG; the other layers' tensors start at the value the
# engine gives for each (batch normalisation: scale 1, shift 0, running
# mean 0 and variance 1), in `tensors` (NULL when there are none).
init_cnn_params <- function(specs, init) {
  tensors <- lapply(specs, function(s) {
    if (has_params(s)) return(NULL)
    t <- spec_tensors(s)
    if (!length(t$name)) return(NULL)
    stats::setNames(Map(rep, t$init, t$n), t$name)
  })
  if (all(vapply(tensors, is.null, NA))) tensors <- NULL
  par <- lapply(specs[vapply(specs, has_params, NA)], function(s) {
    if (s$kind == "conv2d") {
      g <- s$geom
      dims <- c(g[7], g[8], g[3], g[6])
      fan_in <- g[7] * g[8] * g[3]
      fan_out <- g[7] * g[8] * g[6]
    } else {
      dims <- c(s$n_out, s$n_in)
      fan_in <- s$n_in
      fan_out <- s$n_out
    }
    sd <- switch(init, he = sqrt(2 / fan_in), xavier = sqrt(2 / (fan_in + fan_out)),
                 article = 1 / sqrt(fan_in))
    n_b <- dims[if (length(dims) == 2L) 1L else 4L]
    W <- array(stats::rnorm(prod(dims), sd = sd), dims)
    b <- if (init == "article") stats::rnorm(n_b) else numeric(n_b)
    list(W = W, b = b)
  })
  list(biases = lapply(par, `[[`, "b"), weights = lapply(par, `[[`, "W"),
       tensors = tensors)
}

check_cnn_warm_start <- function(old, specs, data, precision) {
  if (!inherits(old, "nnfs_cnn"))
    arg_error("`warm_start` must be a network returned by cnn(), not ",
              describe(old), ".")
  check_network(old, "warm_start", precision)
  strip <- function(s) lapply(s, function(l) l[c("kind", "act", "n_in", "n_out", "geom")])
  if (!identical(strip(old$layers), strip(specs)))
    model_error("`warm_start` must have the layers given in `layers` for images ",
              "of this size.")
  if (!identical(old$levels, data$levels) || !identical(old$task, data$task))
    model_error("`warm_start` was trained on other targets (",
              describe_target(old), ") than `training_data` (",
              describe_target(data), ").")
}

#' Turn flattened images into an image array
#'
#' Image files such as MNIST's store each image row by row; [read_mnist()]
#' and [read_idx()] return one flattened image per row. `as_images()` makes
#' the `n x height x width` (or `n x height x width x channels`) array that
#' [cnn()] takes, with `x[i, r, c]` the pixel in row `r` and column `c`.
#'
#' @param x A numeric matrix with one image per row, `height * width *
#'   channels` columns, pixels in row-major order (for several channels,
#'   the channel varies fastest, as in interleaved RGB).
#' @param height,width Image size in pixels; `width` defaults to `height`.
#' @param channels Number of channels.
#' @return A numeric array of `n x height x width` (one channel) or
#'   `n x height x width x channels`.
#' @export
#' @examples
#' imgs <- as_images(as.matrix(digits[1:2, 1:64]), 8)
#' dim(imgs)
#' imgs[1, , ]   # the first digit, upright
as_images <- function(x, height, width = height, channels = 1) {
  x <- as_numeric_matrix(x, "x")
  height <- check_count(height, "height")
  width <- check_count(width, "width")
  channels <- check_count(channels, "channels")
  # in double: the product of three counts can overflow an integer
  need <- as.double(height) * width * channels
  if (ncol(x) != need)
    arg_error("`x` must have height * width * channels = ",
              format(need, scientific = FALSE), " columns, not ", ncol(x), ".")
  n <- nrow(x)
  a <- array(x, c(n, channels, width, height))
  a <- aperm(a, c(1L, 4L, 3L, 2L))
  if (channels == 1L) dim(a) <- c(n, height, width)
  a
}

# ---- looking inside ---------------------------------------------------------

# Index of the n-th conv2d layer among the specs.
conv_spec_index <- function(net, layer) {
  convs <- which(vapply(net$layers, function(s) s$kind == "conv2d", NA))
  if (!length(convs))
    arg_error("`net` has no convolution layer.")
  layer <- check_count(layer, "layer")
  if (layer > length(convs))
    arg_error("`layer` must be at most ", length(convs), ", the number of ",
              "convolution layers of `net`, not ", layer, ".")
  convs[layer]
}

check_cnn <- function(net) {
  if (!inherits(net, "nnfs_cnn"))
    arg_error("`net` must be a network returned by cnn(), not ", describe(net), ".")
  check_network(net, "net")
}

#' Look inside a convolutional network
#'
#' `plot_filters()` draws the learned filters of a convolution layer, one
#' tile per filter (the first input channel, or the one chosen).
#' `feature_maps()` runs one image through the network up to a convolution
#' layer and returns (and by default draws) that layer's output maps.
#'
#' @param net A network returned by [cnn()].
#' @param layer Which convolution layer: 1 for the first one.
#' @param channel Input channel of the filters to draw.
#' @param ... Passed to [plot_feature_maps()] (for example `main`).
#' @return `plot_filters()`: the list of filter matrices, invisibly.
#'   `feature_maps()`: a list of matrices, one per filter (returned
#'   invisibly when drawn).
#' @export
#' @examples
#' set.seed(1)
#' imgs <- as_images(as.matrix(digits[, 1:64]) / 16, 8)
#' net <- cnn(list(layer_conv2d(4, 3), layer_flatten(), layer_dense(10, "softmax")),
#'            list(x = imgs, y = digits$digit), 2, 32, 0.05)
#' plot_filters(net)
#' maps <- feature_maps(net, imgs[1, , ], plot = FALSE)
#' length(maps)
plot_filters <- function(net, layer = 1, channel = 1, ...) {
  check_cnn(net)
  i <- conv_spec_index(net, layer)
  W <- network_params(net)[[i]]$W
  channel <- check_count(channel, "channel")
  if (channel > dim(W)[3L])
    arg_error("`channel` must be at most ", dim(W)[3L], ", not ", channel, ".")
  filt <- lapply(seq_len(dim(W)[4L]), function(f) W[, , channel, f])
  plot_feature_maps(filt, ...)
  invisible(filt)
}

#' @rdname plot_filters
#' @param image One image: a `height x width` matrix (one channel) or a
#'   `height x width x channels` array, as in the training data.
#' @param plot If `TRUE`, draw the maps with [plot_feature_maps()].
#' @export
feature_maps <- function(net, image, layer = 1, plot = TRUE, ...) {
  check_cnn(net)
  i <- conv_spec_index(net, layer)
  plot <- check_flag(plot, "plot")
  d <- net$input_dim
  ok <- is.numeric(image) && length(image) == prod(d) &&
    (is.matrix(image) || length(dim(image)) == 3L) && all(is.finite(image))
  if (!ok)
    arg_error("`image` must be one finite numeric image of ", shape_label(d),
              ", not ", describe(image), ".")
  a <- engine_predict(net$layers[seq_len(i)], network_params(net)[seq_len(i)],
                      matrix(as.double(image), nrow = 1L), network_precision(net))
  g <- net$layers[[i]]$geom
  maps <- lapply(seq_len(g[6]), function(f)
    matrix(a[1L, (f - 1L) * g[4] * g[5] + seq_len(g[4] * g[5])], g[4], g[5]))
  if (!plot) return(maps)
  plot_feature_maps(maps, ...)
  invisible(maps)
}
