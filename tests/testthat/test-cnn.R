# cnn(): layer constructors, shape checks, gradients through convolution
# and pooling, reproducibility, and accuracy on real images.

digit_images <- function() as_images(as.matrix(digits[, 1:64]) / 16, 8)

tiny_layers <- function(act = "relu") {
  list(layer_conv2d(3, 3, activation = act, padding = "same"),
       layer_maxpool2d(2),
       layer_conv2d(2, 2, activation = act),
       layer_flatten(),
       layer_dense(4, "tanh"),
       layer_dense(3, "softmax"))
}

tiny_data <- function(n = 5) {
  list(x = array(runif(n * 6 * 6 * 2), c(n, 6, 6, 2)),
       y = factor(sample(c("a", "b", "c"), n, replace = TRUE), levels = c("a", "b", "c")))
}

test_that("as_images() puts row-major pixels upright", {
  x <- rbind(1:6, 7:12)
  a <- as_images(x, 2, 3)
  expect_equal(dim(a), c(2L, 2L, 3L))
  expect_equal(a[1, , ], matrix(1:6, 2, 3, byrow = TRUE))
  rgb <- as_images(matrix(1:12, 1), 2, 2, channels = 3)
  expect_equal(dim(rgb), c(1L, 2L, 2L, 3L))
  expect_equal(rgb[1, 1, 2, ], 4:6)
  expect_equal(digit_images()[1, 1, ], unlist(digits[1, 1:8], use.names = FALSE) / 16)
})

test_that("as_images() checks huge sizes without integer overflow", {
  x <- matrix(0, 2, 16)
  expect_snapshot(error = TRUE, {
    as_images(x, 65536)
    as_images(x, 4, channels = .Machine$integer.max)
  })
})

test_that("layer shapes are inferred layer by layer", {
  specs <- nnfs:::cnn_specs(list(layer_conv2d(8, 5), layer_maxpool2d(2),
                                 layer_flatten(), layer_dense(10, "softmax")),
                            c(28L, 28L, 1L))
  expect_equal(vapply(specs, `[[`, 0L, "n_out"), c(24L * 24L * 8L, 12L * 12L * 8L,
                                                     1152L, 10L))
  same <- nnfs:::cnn_specs(list(layer_conv2d(4, 3, stride = 2, padding = "same"),
                                layer_flatten(), layer_dense(2, "softmax")),
                           c(7L, 9L, 3L))
  expect_equal(same[[1]]$geom[4:6], c(4L, 5L, 4L))
})

test_that("backpropagation through conv, pool and dense layers is exact", {
  for (act in c("relu", "tanh", "sigmoid")) {
    set.seed(2)
    d <- tiny_data()
    net <- cnn(tiny_layers(act), d, 1, 5, 0.01)
    g <- grad_check(net, d)
    expect_lt(g$max_rel_error, 1e-6)
    expect_identical(g$n_checked, 54L + 3L + 24L + 2L + 32L + 4L + 12L + 3L)
  }
})

test_that("feature maps are the convolution of the image plus bias, through ReLU", {
  set.seed(3)
  imgs <- digit_images()
  net <- cnn(list(layer_conv2d(3, 3), layer_flatten(), layer_dense(10, "softmax")),
             list(x = imgs[1:200, , ], y = digits$digit[1:200]), 2, 20, 0.05)
  maps <- feature_maps(net, imgs[7, , ], plot = FALSE)
  W <- net$weights[[1]]
  for (f in 1:3) {
    ref <- pmax(convolution(imgs[7, , ], W[, , 1, f], show = FALSE, out = TRUE) +
                  net$biases[[1]][f], 0)
    expect_equal(maps[[f]], ref, tolerance = 1e-12)
  }
  pdf(NULL)
  on.exit(dev.off())
  filt <- plot_filters(net)
  expect_length(filt, 3L)
  expect_equal(filt[[2]], W[, , 1, 2])
})

test_that("the same seed gives the same network, and saveRDS round-trips", {
  d <- tiny_data(12)
  fit <- function() {
    set.seed(4)
    cnn(c(tiny_layers()[1:4], list(layer_dropout(0.3), layer_dense(3, "softmax"))),
        d, 3, 4, 0.05, optimizer = "adam")
  }
  a <- fit()
  b <- fit()
  expect_identical(a$weights, b$weights)
  expect_identical(a$biases, b$biases)
  path <- tempfile(fileext = ".rds")
  saveRDS(a, path)
  back <- readRDS(path)
  expect_identical(predict(back, d$x, type = "prob"), predict(a, d$x, type = "prob"))
  expect_s3_class(back, c("nnfs_cnn", "nnfs_network"))
})

test_that("warm starts continue training", {
  set.seed(5)
  imgs <- digit_images()
  d <- list(x = imgs[1:300, , ], y = digits$digit[1:300])
  layers <- list(layer_conv2d(4, 3), layer_flatten(), layer_dense(10, "softmax"))
  net <- cnn(layers, d, 2, 10, 0.05)
  more <- cnn(layers, d, 3, 10, 0.05, warm_start = net)
  expect_equal(nrow(more$history), 5L)
  expect_lt(more$history$loss[5], net$history$loss[2])
  expect_error(cnn(list(layer_conv2d(5, 3), layer_flatten(), layer_dense(10, "softmax")),
                   d, 1, 10, 0.05, warm_start = net), "warm_start")
})

test_that("pairs of image matrices are accepted", {
  set.seed(6)
  imgs <- digit_images()
  pairs <- lapply(1:50, function(i) list(x = imgs[i, , ], y = digits$digit[i]))
  net <- cnn(list(layer_conv2d(2, 3), layer_flatten(), layer_dense(10, "softmax")),
             pairs, 1, 10, 0.05)
  expect_equal(net$input_dim, c(8L, 8L, 1L))
  expect_length(predict(net, pairs), 50L)
})

test_that("a CNN learns the digits to at least 0.97 test accuracy", {
  set.seed(1)
  imgs <- digit_images()
  idx <- sample(nrow(digits))
  tr <- idx[1:1400]
  te <- idx[1401:1797]
  net <- cnn(list(layer_conv2d(16, 3, padding = "same"), layer_maxpool2d(2),
                  layer_flatten(), layer_dense(10, "softmax")),
             list(x = imgs[tr, , ], y = digits$digit[tr]), 20, 16, 0.05,
             optimizer = "momentum")
  expect_gte(evaluate(net, list(x = imgs[te, , ], y = digits$digit[te]))$accuracy, 0.97)
})

test_that("Fashion-MNIST: conv 5x5x8, pool, dense reaches 0.85 in one epoch and 0.89 in five", {
  skip_if_not(dir.exists("/usr/share/datasets/fashion-mnist"))
  fm <- read_mnist("/usr/share/datasets/fashion-mnist")
  # inputs standardised with the training set's mean and standard deviation
  m <- mean(fm$train$x)
  s <- sd(as.vector(fm$train$x))
  train <- list(x = as_images((fm$train$x - m) / s, 28), y = fm$train$y)
  test <- list(x = as_images((fm$test$x - m) / s, 28), y = fm$test$y)
  rm(fm)
  layers <- list(layer_conv2d(8, 5), layer_maxpool2d(2), layer_flatten(),
                 layer_dense(10, "softmax"))
  set.seed(1)
  net <- cnn(layers, train, 5, 32, 0.001, optimizer = "adam", validation_data = test)
  expect_gte(net$history$val_accuracy[1], 0.85)
  expect_gte(net$history$val_accuracy[5], 0.89)
  expect_equal(evaluate(net, test)$accuracy, net$history$val_accuracy[5])
})

test_that("a stride near 2^31 works: one output position per axis", {
  d <- tiny_data(4)
  fit <- function(stride) {
    set.seed(9)
    cnn(list(layer_conv2d(2, 3, stride = stride, padding = "same"), layer_flatten(),
             layer_dense(3, "softmax")), d, 1, 2, 0.1)
  }
  huge <- expect_no_warning(fit(.Machine$integer.max))
  expect_identical(huge$layers[[1]]$geom[4:5], c(1L, 1L))
  # stride 6 on 6 x 6 images also gives one position, without padding
  expect_identical(huge$weights, fit(6)$weights)
})

test_that("impossible layer sequences are refused with the shapes so far", {
  d <- list(x = array(0, c(4, 8, 8)), y = factor(c("a", "b", "a", "b")))
  expect_snapshot(error = TRUE, {
    cnn(list(layer_conv2d(2, 9), layer_flatten(), layer_dense(2, "softmax")), d, 1, 2, 0.1)
    cnn(list(layer_conv2d(2, 3), layer_dense(2, "softmax")), d, 1, 2, 0.1)
    cnn(list(layer_flatten(), layer_conv2d(2, 3), layer_flatten(), layer_dense(2, "softmax")),
        d, 1, 2, 0.1)
    cnn(list(layer_conv2d(2, 3), layer_maxpool2d(4), layer_flatten(),
             layer_dense(2, "softmax")), d, 1, 2, 0.1)
    cnn(list(layer_conv2d(2, 3), layer_flatten()), d, 1, 2, 0.1)
    cnn(list(layer_conv2d(2, 3), layer_flatten(), layer_dense(3, "softmax"),
             layer_dense(2, "softmax")), d, 1, 2, 0.1)
    cnn(list(layer_conv2d(2, 3), layer_flatten(), layer_dense(3, "softmax")), d, 1, 2, 0.1)
  })
})

test_that("bad arguments get clear errors", {
  d <- list(x = array(0, c(4, 8, 8)), y = factor(c("a", "b", "a", "b")))
  ok <- list(layer_conv2d(2, 3), layer_flatten(), layer_dense(2, "softmax"))
  expect_snapshot(error = TRUE, {
    layer_conv2d(0, 3)
    layer_conv2d(2, c(3, 3, 3))
    layer_conv2d(2, 3, activation = "softmax")
    layer_conv2d(2, 3, padding = "full")
    layer_maxpool2d(1.5)
    layer_dense(-1)
    layer_dropout(1)
    cnn(ok[[1]], d, 1, 2, 0.1)
    cnn(list(ok[[1]], "dense"), d, 1, 2, 0.1)
    cnn(ok, list(x = matrix(0, 4, 64), y = d$y), 1, 2, 0.1)
    cnn(ok, d, -1, 2, 0.1)
    cnn(ok, d, 1, 2, -1)
    cnn(ok, d, 1, 2, 0.1, epoch = 3)
    cnn(ok, d, 1, 2, 0.1, patience = 2)
    cnn(ok, d, 1, 2, 0.1, C = "mse", init = "zeros")
    cnn(list(layer_conv2d(2, 3), layer_flatten(), layer_dense(2, "linear")), d, 1, 2, 0.1)
    cnn(ok, d, 1, 2, 0.1, validation_data = list(x = array(0, c(2, 7, 7)), y = c("a", "b")))
    as_images(matrix(0, 2, 10), 3)
    feature_maps(neuralnetwork(c(2, 2), list(x = diag(2), y = c("a", "b")), 1, 1, 0.1), 1)
  })
})
