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
    C_threads_info = function() ns$threads_info()
  )
}

test_that("every .Call entry point gives the same result under gctorture", {
  skip_on_cran()
  old <- options(nnfs.threads = 1L)
  on.exit(options(old), add = TRUE)
  calls <- gctorture_calls()
  expect_setequal(names(calls), c("C_gemm", "C_conv2d", "C_conv2d_backward",
                                  "C_maxpool2d_forward", "C_maxpool2d_backward",
                                  "C_all_finite", "C_linear_ols",
                                  "C_train", "C_predict", "C_backprop", "C_trace",
                                  "C_threads_info"))
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
