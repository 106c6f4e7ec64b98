# The one R-side path into the C engine, shared by every network front door
# (neuralnetwork(), cnn()). Front doors validate user arguments, then
# describe the network as a list of layer specs plus a parallel list of
# parameters, and call engine_fit() / engine_predict() / engine_backprop().
#
# Layer spec (what src/glue_train.c reads):
#   list(kind, act, slope, rate, n_in, n_out, geom)
#   kind: 1 dense, 2 conv2d, 3 maxpool2d, 4 dropout, 5 flatten
#   act:  see activation_codes; n_in, n_out: elements per sample
#   geom: NULL, or integer (in_h, in_w, in_c, out_h, out_w, out_c, kh, kw,
#         stride, pad_t, pad_l) for conv2d and maxpool2d
# Parameters: list(W = <double matrix/array>, b = <double vector>) for dense
# (W is n_out x n_in) and conv2d (W is the array kh x kw x in_c x filters),
# NULL for the others.

activation_codes <- c(linear = 0L, sigmoid = 1L, tanh = 2L, relu = 3L,
                      leaky_relu = 4L, softmax = 5L)
layer_codes <- c(dense = 1L, conv2d = 2L, maxpool2d = 3L, dropout = 4L,
                 flatten = 5L)
optimizer_codes <- c(sgd = 0L, momentum = 1L, nesterov = 2L, rmsprop = 3L,
                     adam = 4L)
cost_codes <- c(ce = 1L, mse = 2L)

layer_spec <- function(kind, n_in, n_out, activation = "linear", slope = 0.1,
                       rate = 0, geom = NULL) {
  list(kind = layer_codes[[kind]], act = activation_codes[[activation]],
       slope = as.double(slope), rate = as.double(rate),
       n_in = as.integer(n_in), n_out = as.integer(n_out),
       geom = if (is.null(geom)) NULL else as.integer(geom))
}

# Settings for C_train; the caller has validated each value.
engine_options <- function(epochs, batch, lr, cost = "ce", optimizer = "sgd",
                           momentum = 0.9, beta1 = 0.9, beta2 = 0.999,
                           rho = 0.9, eps = 1e-8, l1 = 0, l2 = 0,
                           patience = 0L, verbose = FALSE, shuffle = TRUE) {
  list(epochs = as.integer(epochs), batch = as.integer(batch),
       lr = as.double(lr), cost = cost_codes[[cost]],
       optimizer = optimizer_codes[[optimizer]],
       momentum = as.double(momentum), beta1 = as.double(beta1),
       beta2 = as.double(beta2), rho = as.double(rho), eps = as.double(eps),
       l1 = as.double(l1), l2 = as.double(l2), patience = as.integer(patience),
       verbose = as.integer(verbose), shuffle = as.integer(shuffle),
       threads = nnfs_threads())
}

# Samples in rows (n x p matrix, or n x h x w x c array) -> one sample per
# column, the engine's layout. Each sample's values keep R's array order.
samples_to_columns <- function(x) {
  n <- dim(x)[1L]
  if (length(dim(x)) != 2L) x <- matrix(x, nrow = n)
  x <- t(x)
  if (!is.double(x)) storage.mode(x) <- "double"
  x
}

# Train; returns list(params, history, epochs_run, best_epoch).
engine_fit <- function(layers, params, x, y, xval = NULL, yval = NULL, opts) {
  xt <- samples_to_columns(x)
  yt <- samples_to_columns(y)
  # validating on the training data (the articles' default) shares its copy
  same <- !is.null(xval) && identical(xval, x) && identical(yval, y)
  xvt <- if (is.null(xval)) NULL else if (same) xt else samples_to_columns(xval)
  yvt <- if (is.null(yval)) NULL else if (same) yt else samples_to_columns(yval)
  res <- .Call(C_train, layers, params, xt, yt, xvt, yvt, opts)
  if (res$diverged_epoch > 0L)
    stop(sprintf(paste0("training diverged in epoch %d: the loss became NaN ",
                        "or infinite. Try a smaller learning rate (`lr`)."),
                 res$diverged_epoch), call. = FALSE)
  n_run <- res$epochs_run
  h <- res$history[seq_len(n_run), , drop = FALSE]
  res$history <- data.frame(epoch = seq_len(n_run),
                            loss = h[, 1L], accuracy = h[, 2L],
                            val_loss = h[, 3L], val_accuracy = h[, 4L])
  res
}

# The tail every front door shares: train `net` (holding its starting
# parameters and layer specs) on coerced data `train` and `val` (NULL for
# none) with the validated settings `s`, and record the result in it.
train_network <- function(net, train, val, s, warm_start) {
  opts <- engine_options(s$epochs, s$mini_batch_size, s$lr, s$C, s$optimizer,
                         s$momentum, s$beta1, s$beta2, s$rho, s$epsilon,
                         s$l1, s$l2, if (is.null(s$patience)) 0L else s$patience,
                         s$verbose)
  fit <- engine_fit(net$layers, network_params(net), train$x, train$y,
                    val$x, val$y, opts)
  net <- set_network_params(net, fit$params)
  net$history <- continue_history(warm_start, fit$history)
  net$epochs_run <- fit$epochs_run
  if (!is.null(s$patience)) net$best_epoch <- fit$best_epoch
  net
}

# Outputs of the last layer, one row per sample (n x k).
engine_predict <- function(layers, params, x) {
  t(.Call(C_predict, layers, params, samples_to_columns(x), nnfs_threads()))
}

# Mean loss over (x, y) and its gradient for every parameter, by
# backpropagation, without dropout or penalties.
engine_backprop <- function(layers, params, x, y, cost = "ce") {
  .Call(C_backprop, layers, params, samples_to_columns(x),
        samples_to_columns(y),
        list(cost = cost_codes[[cost]], threads = nnfs_threads()))
}
