# backprop_trace(): the engine's forward and backward pass, layer by layer,
# against the textbook equations written out in plain R.

# One backward pass in plain R, Nielsen's notation: x (p x n) and y (k x n)
# with one sample per column; `f` and `df` the activation of each layer and
# its derivative, both as functions of z.
plain_backprop <- function(W, b, x, y, f, df, cost) {
  L <- length(W)
  a <- list(x)
  z <- delta <- nabla_w <- nabla_b <- vector("list", L)
  for (l in seq_len(L)) {
    z[[l]] <- W[[l]] %*% a[[l]] + b[[l]]
    a[[l + 1L]] <- f[[l]](z[[l]])
  }
  out <- a[[L + 1L]]
  delta[[L]] <- if (cost == "ce") out - y else (out - y) * df[[L]](z[[L]])
  for (l in rev(seq_len(L - 1L)))
    delta[[l]] <- (t(W[[l + 1L]]) %*% delta[[l + 1L]]) * df[[l]](z[[l]])
  for (l in seq_len(L)) {
    nabla_w[[l]] <- delta[[l]] %*% t(a[[l]])
    nabla_b[[l]] <- rowSums(delta[[l]])
  }
  list(z = z, a = a, delta = delta, nabla_w = nabla_w, nabla_b = nabla_b)
}

sigmoid <- function(z) 1 / (1 + exp(-z))
d_sigmoid <- function(z) sigmoid(z) * (1 - sigmoid(z))
relu <- function(z) pmax(z, 0)
d_relu <- function(z) (z > 0) + 0
softmax <- function(z) {
  e <- exp(sweep(z, 2, apply(z, 2, max)))
  sweep(e, 2, colSums(e), "/")
}

# expect_equal on every element the trace and the plain computation share
expect_trace_equal <- function(tr, ref) {
  for (el in c("z", "a", "delta", "nabla_w", "nabla_b"))
    for (l in seq_along(ref[[el]]))
      expect_equal(unname(tr[[el]][[l]]), unname(ref[[el]][[l]]),
                   tolerance = 1e-12, label = sprintf("%s[[%d]]", el, l))
}

test_that("a sigmoid network's trace is the textbook backward pass", {
  set.seed(1)
  d <- random_data(6, 3, 2, "unit")
  net <- neuralnetwork(c(3, 4, 2), d, 1, 6, 0.5, validation_data = NULL)
  tr <- backprop_trace(net, d$x, d$y)
  ref <- plain_backprop(net$weights, net$biases, t(d$x), t(d$y),
                        list(sigmoid, sigmoid), list(d_sigmoid, d_sigmoid), "ce")
  expect_trace_equal(tr, ref)
  expect_length(tr$a, 3L)
  expect_identical(dim(tr$nabla_w[[1]]), dim(net$weights[[1]]))
  out <- ref$a[[3]]
  y <- t(d$y)
  expect_equal(tr$loss, -sum(y * log(out) + (1 - y) * log(1 - out)) / 6,
               tolerance = 1e-12)
  # the quadratic cost brings sigma'(z) into the output error
  net_mse <- neuralnetwork(c(3, 4, 2), d, 1, 6, 0.5, C = "mse",
                           validation_data = NULL)
  tr <- backprop_trace(net_mse, d$x, d$y)
  ref <- plain_backprop(net_mse$weights, net_mse$biases, t(d$x), y,
                        list(sigmoid, sigmoid), list(d_sigmoid, d_sigmoid), "mse")
  expect_trace_equal(tr, ref)
  expect_equal(tr$loss, 0.5 * sum((ref$a[[3]] - y)^2) / 6, tolerance = 1e-12)
})

test_that("a ReLU network with a softmax output is traced exactly", {
  set.seed(2)
  d <- random_data(8, 3, 3, "onehot")
  net <- neuralnetwork(c(3, 5, 4, 3), d, 2, 4, 0.1, activation = "relu",
                       output = "softmax", init = "he", validation_data = NULL)
  tr <- backprop_trace(net, d$x, d$y)
  ref <- plain_backprop(net$weights, net$biases, t(d$x), t(d$y),
                        list(relu, relu, softmax), list(d_relu, d_relu, NULL), "ce")
  expect_trace_equal(tr, ref)
  expect_equal(colSums(tr$a[[4]]), rep(1, 8), tolerance = 1e-12)
  expect_equal(tr$loss, -sum(t(d$y) * log(ref$a[[4]])) / 8, tolerance = 1e-12)
  # some hidden units are off, and their errors are zero
  expect_true(any(tr$z[[1]] < 0))
  expect_true(all(tr$delta[[1]][tr$z[[1]] < 0] == 0))
})

test_that("the trace agrees with grad_check() and leaves the network alone", {
  set.seed(3)
  d <- random_data(5, 4, 3, "onehot")
  net <- neuralnetwork(c(4, 6, 5, 3), d, 1, 5, 0.1, activation = "tanh",
                       output = "softmax", validation_data = NULL)
  before <- net
  tr <- backprop_trace(net, d)
  g <- grad_check(net, d)
  sums <- unlist(lapply(1:3, function(l) c(tr$nabla_w[[l]], tr$nabla_b[[l]])))
  # grad_check() reports gradients of the mean loss: the sums over 5 samples / 5
  expect_equal(sums / 5, g$details$backprop, tolerance = 1e-12)
  expect_equal(sums / 5, g$details$numeric, tolerance = 1e-6)
  expect_equal(tr$loss, g$loss, tolerance = 1e-12)
  expect_identical(net, before)
})

test_that("every data format gives the same trace", {
  set.seed(4)
  pairs <- train_test_from_df(iris, 5, 0.1)[[1]]
  net <- neuralnetwork(c(4, 3, 3), pairs, 1, 5, 0.5)
  tr <- backprop_trace(net, pairs)
  x <- t(sapply(pairs, function(p) p[[1]]))
  y <- t(sapply(pairs, function(p) p[[2]]))
  expect_identical(backprop_trace(net, x, y), tr)
  expect_identical(backprop_trace(net, list(x = x, y = y)), tr)
  labels <- factor(attr(pairs, "levels")[max.col(y)], attr(pairs, "levels"))
  expect_identical(backprop_trace(net, x, labels), tr)
  expect_equal(tr$a[[1]], unname(t(x)))
  expect_identical(ncol(tr$a[[1]]), length(pairs))
})

test_that("dropout layers pass their input through in the trace", {
  set.seed(5)
  d <- random_data(4, 3, 2, "onehot")
  net <- neuralnetwork(c(3, 4, 2), d, 1, 4, 0.1, dropout = 0.5,
                       output = "softmax", validation_data = NULL)
  tr <- backprop_trace(net, d$x, d$y)
  expect_identical(tr$layers$type, c("dense", "dropout", "dense"))
  expect_identical(tr$a[[3]], tr$a[[2]])
  expect_null(tr$z[[2]])
  expect_null(tr$nabla_w[[2]])
  expect_output(print(tr), "2 +dropout +- +4 +- +- +-")
  ref <- plain_backprop(net$weights, net$biases, t(d$x), t(d$y),
                        list(sigmoid, softmax), list(d_sigmoid, NULL), "ce")
  expect_equal(tr$nabla_w[c(1, 3)], ref$nabla_w, tolerance = 1e-12)
  expect_equal(tr$delta[c(1, 3)], ref$delta, tolerance = 1e-12)
})

test_that("convolutional layers are traced in the engine's layout", {
  set.seed(6)
  imgs <- array(runif(3 * 5 * 5), c(3, 5, 5))
  y <- factor(c("a", "b", "a"))
  net <- cnn(list(layer_conv2d(2, 3), layer_maxpool2d(1), layer_flatten(),
                  layer_dense(2, "softmax")), list(x = imgs, y = y), 1, 3, 0.1)
  tr <- backprop_trace(net, imgs, y)
  expect_identical(tr$layers$type, c("conv2d", "maxpool2d", "flatten", "dense"))
  expect_identical(dim(tr$nabla_w[[1]]), dim(net$weights[[1]]))
  expect_identical(dim(tr$z[[1]]), c(3L * 3L * 2L, 3L))
  expect_equal(tr$a[[2]], relu(tr$z[[1]]), tolerance = 1e-12)
  # filter 1 at position (1, 1) of sample 2, by hand
  img <- imgs[2, , ]
  expect_equal(tr$z[[1]][1, 2], sum(img[1:3, 1:3] * net$weights[[1]][, , 1, 1]) +
                 net$biases[[1]][1], tolerance = 1e-12)
  # the dense read-out: z = W a + b on the flattened maps
  expect_equal(tr$z[[4]], net$weights[[2]] %*% tr$a[[4]] + net$biases[[2]],
               tolerance = 1e-12)
  expect_equal(tr$nabla_w[[4]], tr$delta[[4]] %*% t(tr$a[[4]]), tolerance = 1e-12)
  g <- grad_check(net, imgs, y)
  sums <- c(tr$nabla_w[[1]], tr$nabla_b[[1]], tr$nabla_w[[4]], tr$nabla_b[[4]])
  expect_equal(sums / 3, g$details$backprop, tolerance = 1e-12)
})

test_that("backprop_trace() prints a table and rejects bad arguments", {
  set.seed(7)
  d <- random_data(4, 3, 2, "onehot")
  net <- neuralnetwork(c(3, 4, 2), d, 1, 4, 0.1, validation_data = NULL)
  tr <- backprop_trace(net, d)
  expect_output(print(tr), "Backpropagation through one batch of 4 samples")
  expect_output(print(tr), "norm_nabla_w")
  expect_snapshot(error = TRUE, {
    backprop_trace(d, d$x, d$y)
    backprop_trace()
    backprop_trace(net)
    backprop_trace(net, d$x)
    backprop_trace(net, d$x[, 1:2], d$y)
    backprop_trace(net, d$x, d$y[1:3, ])
    backprop_trace(net, d$x, c("u", "v", "w", "u"))
    backprop_trace(net, list(x = d$x, y = d$y), extra = 1)
  })
})
