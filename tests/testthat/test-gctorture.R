# Every .Call entry point (src/init.c) under gctorture(): a garbage
# collection at every allocation makes a missing PROTECT show up as a crash
# or a wrong result. Inputs are tiny and built before gctorture is switched
# on; each result must equal that of the same call without it.

# Run `f` under gctorture, always switching it off again.
with_gctorture <- function(f) {
  gctorture(TRUE)
  on.exit(gctorture(FALSE), add = TRUE)
  f()
}

# One thunk per entry point, each calling it through its R wrapper. Thunks
# that use the RNG set the seed themselves.
gctorture_calls <- function() {
  ns <- asNamespace("nnfs")
  x <- matrix(c(0.1, 0.9, 0.2, 0.8, 0.7, 0.3, 0.6, 0.4), 2, 4) # 2 inputs x 4 samples
  y <- matrix(c(1, 0, 0, 1, 1, 0, 0, 1), 2, 4)
  layers <- list(ns$layer_spec("dense", 2, 3, "tanh"),
                 ns$layer_spec("dense", 3, 2, "sigmoid"))
  params <- list(list(W = matrix(seq(-0.3, 0.2, length.out = 6), 3, 2), b = c(0.1, 0, -0.1)),
                 list(W = matrix(seq(0.3, -0.2, length.out = 6), 2, 3), b = c(0, 0.1)))
  opts <- ns$engine_options(epochs = 1, batch = 2, lr = 0.1, optimizer = "adam")
  g <- ns$conv_geom(3, 3, 1, 2, 2, 2, 2, 2)           # 3x3 image, two 2x2 filters
  pg <- ns$conv_geom(4, 4, 1, 2, 2, 1, 2, 2, 2)       # 2x2 pooling of a 4x4 image
  img <- matrix(seq(0, 1, length.out = 18), 9, 2)     # two 3x3 samples
  W <- array(c(1, 0, -1, 2, 0.5, -0.5, 1, 1), c(2, 2, 1, 2))
  dz <- matrix(seq(-1, 1, length.out = 16), 8, 2)
  pool_in <- matrix(as.double(c(4:1, 5:8, 9:12, 16:13)), 16, 1)
  argmax <- ns$maxpool2d_op(pool_in, pg)[[2L]]
  X <- cbind(1, t(x))                                 # 4 x 3 design
  opts_f <- opts
  opts_f$precision <- "single"
  bn <- gctorture_bn_cnn(ns)
  idx_path <- tempfile(fileext = ".idx")          # three 2 x 2 images of bytes
  writeBin(c(as.raw(c(0, 0, 8, 3)), writeBin(c(3L, 2L, 2L), raw(), endian = "big"),
             as.raw(0:11 * 20)), idx_path)
  list(
    C_gemm = function() list(
      ns$nnfs_gemm(x, t(x), C = diag(2), alpha = 2, beta = 0.5),
      ns$nnfs_gemm(x, t(x), C = diag(2), alpha = 2, beta = 0.5,
                   precision = "single")),
    C_conv2d = function() ns$conv2d_op(img, W, c(0.1, -0.1), g),
    C_conv2d_backward = function() ns$conv2d_grad(dz, img, W, g),
    C_maxpool2d_forward = function() ns$maxpool2d_op(pool_in, pg),
    C_maxpool2d_backward = function() ns$maxpool2d_grad(matrix(1:4 + 0, 4, 1), argmax, pg),
    C_all_finite = function() ns$all_finite(c(1, NA)),
    C_byte_codes = function() list(
      .Call(ns$C_byte_codes, matrix(c(0, 1, 2, 255, 3, 0) / 255, 3), 1L),
      .Call(ns$C_byte_codes, matrix(c(0.5, -0, 0.5, 2), 2), 1L)),
    # fills its (fresh) x in place: the IDX reader's rows, and the reader
    # itself a row at a time (a collection between rows)
    C_idx_rows = function() {
      x <- matrix(0, 3, 4)
      .Call(ns$C_idx_rows, x, as.raw(0:7 * 30), 1, 0:255 / 255)
      v <- integer(4)
      .Call(ns$C_idx_rows, v, as.raw(c(1, 128, 255)), 0, c(0:127, -128:-1))
      idx <- ns$idx_open(idx_path)
      on.exit(close(idx$con))
      list(x, v, ns$idx_rows(idx, 0:255, chunk = 1), ns$read_idx(idx_path))
    },
    C_linear_ols = function() .Call(ns$C_linear_ols, X, c(1, 2, 2.5, 4), 1e-7),
    C_train = function() {
      set.seed(1)
      fresh <- ns$engine_fit(layers, params, t(x), t(y), t(x), t(y), opts)
      # a warm start: the optimizer state and sample order go in and out
      warm <- opts
      warm$state <- fresh$state
      warm$state$order <- c(2L, 0L, 3L, 1L)
      list(fresh, ns$engine_fit(layers, params, t(x), t(y), NULL, NULL, warm))
    },
    C_predict = function() ns$engine_predict(layers, params, t(x)),
    C_backprop = function() ns$engine_backprop(layers, params, t(x), t(y)),
    C_trace = function()
      .Call(ns$C_trace, layers, params, x, y, list(cost = "ce", threads = 1L)),
    C_threads_info = function() ns$threads_info(),
    C_tables = function() .Call(ns$C_tables),
    C_layer_info = function() list(
      ns$engine_layer_info(layers[[1L]]),
      ns$engine_layer_info(bn$specs[[2L]]),
      ns$engine_layer_info(bn$specs[[3L]]),
      # a description the kind's check refuses: the problem comes back
      ns$engine_layer_info(replace(layers[[1L]], "n_out", list(0L)))),
    # a CNN with the two newer kinds (batchnorm of an image, avgpool2d),
    # trained with Adam, so that their tensors (running statistics
    # included) go through the glue in both directions
    C_train_cnn = function() {
      set.seed(3)
      ns$engine_fit(bn$specs, bn$params, bn$x, bn$y, bn$x, bn$y, opts)
    },
    C_predict_cnn = function() ns$engine_predict(bn$specs, bn$params, bn$x),
    C_train_f = function() {
      set.seed(1)
      fresh <- ns$engine_fit(layers, params, t(x), t(y), t(x), t(y), opts_f)
      warm <- opts_f
      warm$state <- fresh$state
      set.seed(3)
      list(fresh, ns$engine_fit(layers, params, t(x), t(y), NULL, NULL, warm),
           ns$engine_fit(bn$specs, bn$params, bn$x, bn$y, NULL, NULL, opts_f))
    },
    C_predict_f = function() list(
      ns$engine_predict(layers, params, t(x), "single"),
      ns$engine_predict(bn$specs, bn$params, bn$x, "single")),
    C_backprop_f = function() list(
      ns$engine_backprop(layers, params, t(x), t(y), precision = "single"),
      ns$engine_backprop(bn$specs, bn$params, bn$x, bn$y, precision = "single")),
    C_trace_f = function()
      .Call(ns$C_trace_f, layers, params, x, y, list(cost = "ce", threads = 1L))
  )
}

# A small CNN for the entry points: 4x4 images of 1 channel, conv2d (2
# filters of 2x2, "same") -> batchnorm -> avgpool2d(2) -> flatten ->
# batchnorm -> dense(2, softmax), as engine specs and starting parameters
# (the running statistics moved off their starting values), 4 samples.
gctorture_bn_cnn <- function(ns) {
  layers <- list(layer_conv2d(2, 2, padding = "same"), layer_batchnorm(),
                 layer_avgpool2d(2), layer_flatten(), layer_batchnorm(0.8),
                 layer_dense(2, "softmax"))
  specs <- ns$cnn_specs(layers, c(4L, 4L, 1L))
  attr(specs, "shapes") <- NULL
  set.seed(4)
  par <- ns$init_cnn_params(specs, "he")
  par$tensors[[2L]]$running_mean <- c(0.1, -0.2)
  par$tensors[[5L]]$running_var <- c(1.5, 0.5, 2, 1, 0.8, 1.2, 0.9, 1.1)
  net <- list(layers = specs, weights = par$weights, biases = par$biases,
              tensors = par$tensors)
  list(specs = specs, params = ns$network_params(net),
       x = array(seq(0, 1, length.out = 64), c(4, 4, 4, 1)),
       y = diag(2)[c(1, 2, 1, 2), ])
}

test_that("every .Call entry point gives the same result under gctorture", {
  skip_on_cran()
  old <- options(nnfs.threads = 1L)
  on.exit(options(old), add = TRUE)
  calls <- gctorture_calls()
  expect_setequal(names(calls), c("C_gemm", "C_conv2d", "C_conv2d_backward",
                                  "C_maxpool2d_forward", "C_maxpool2d_backward",
                                  "C_all_finite", "C_byte_codes", "C_idx_rows",
                                  "C_linear_ols",
                                  "C_train", "C_predict", "C_backprop", "C_trace",
                                  "C_threads_info", "C_tables", "C_layer_info",
                                  "C_train_cnn", "C_predict_cnn",
                                  "C_train_f", "C_predict_f", "C_backprop_f",
                                  "C_trace_f"))
  # every entry point src/init.c registers has a thunk
  init <- test_path("..", "..", "src", "init.c")
  if (file.exists(init)) {
    registered <- sub("^\\s*CALLDEF\\((C_[A-Za-z0-9_]+),.*$", "\\1",
                      grep("^\\s*CALLDEF\\(C_", readLines(init), value = TRUE))
    expect_true(length(registered) >= 18L)
    expect_setequal(setdiff(registered, names(calls)), character(0))
  }
  for (name in names(calls)) {
    expected <- calls[[name]]()
    got <- with_gctorture(calls[[name]])
    expect_identical(got, expected, label = paste(name, "under gctorture"))
  }
})

test_that("exported front doors give the same result under gctorture", {
  skip_on_cran()
  old <- options(nnfs.threads = 1L)
  on.exit(options(old), add = TRUE)
  x <- matrix(c(0.1, 0.9, 0.2, 0.8, 0.7, 0.3, 0.6, 0.4), 4, 2)
  y <- factor(c("a", "b", "a", "b"))
  fit <- function() {
    set.seed(2)
    net <- neuralnetwork(c(2, 2, 2), list(x = x, y = y), 1, 4, 0.1,
                         validation_data = NULL)
    list(net$weights, predict(net, x, type = "prob"), backprop_trace(net, x, y))
  }
  expected <- fit()
  expect_identical(with_gctorture(fit), expected)
})
