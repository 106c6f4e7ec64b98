# Single precision: the same engine compiled for float (src/real.h). It
# must train every kind of network, agree with double precision within
# float rounding, and keep the guarantees of double: reproducible with a
# seed, identical for any thread count, warm starts that continue exactly.

iris_data <- function() list(x = as.matrix(iris[, 1:4]) / 8, y = iris$Species)

# Largest relative difference between two lists of parameters
max_rel <- function(a, b) {
  a <- unlist(a); b <- unlist(b)
  max(abs(a - b)) / max(abs(b))
}

test_that("single precision trains dense networks close to double, every optimizer", {
  d <- iris_data()
  for (opt in c("sgd", "momentum", "nesterov", "rmsprop", "adam")) {
    fit <- function(precision) {
      set.seed(3)
      neuralnetwork(c(4, 10, 3), d, 5, 10, 0.05, optimizer = opt, l2 = 1e-3,
                    activation = "tanh", output = "softmax", precision = precision)
    }
    dbl <- fit("double")
    sgl <- fit("single")
    expect_identical(sgl$settings$precision, "single")
    expect_identical(dbl$settings$precision, "double")
    # 75 steps from the same start: float rounding (about 6e-8 relative a
    # step) accumulates, but stays far below any change training makes
    expect_lt(max_rel(sgl$weights, dbl$weights), 1e-4, label = opt)
    expect_false(identical(sgl$weights, dbl$weights))
    expect_equal(sgl$history$loss, dbl$history$loss, tolerance = 1e-4)
  }
})

test_that("single precision trains CNNs with dropout close to double", {
  set.seed(1)
  imgs <- array(runif(120 * 10 * 10), c(120, 10, 10))
  lab <- factor(sample(1:3, 120, TRUE))
  layers <- list(layer_conv2d(4, 3), layer_maxpool2d(2), layer_flatten(),
                 layer_dropout(0.1), layer_dense(3, "softmax"))
  fit <- function(precision) {
    set.seed(4)
    cnn(layers, list(x = imgs, y = lab), 3, 16, 0.05, precision = precision)
  }
  dbl <- fit("double")
  sgl <- fit("single")
  expect_lt(max_rel(sgl$weights, dbl$weights), 1e-4)
  expect_equal(predict(sgl, imgs, "prob"), predict(dbl, imgs, "prob"),
               tolerance = 1e-4)
})

test_that("a single-precision network predicts in single precision", {
  d <- iris_data()
  set.seed(2)
  sgl <- neuralnetwork(c(4, 10, 3), d, 20, 10, 0.5, output = "softmax",
                       precision = "single")
  dbl <- sgl
  dbl$settings$precision <- "double"
  p_sgl <- predict(sgl, d$x, "prob")
  p_dbl <- predict(dbl, d$x, "prob")
  # the same parameters evaluated in float differ from double, within float
  expect_false(identical(p_sgl, p_dbl))
  expect_equal(p_sgl, p_dbl, tolerance = 1e-5)
  expect_identical(unname(p_sgl), nnfs:::engine_predict(sgl$layers, nnfs:::network_params(sgl),
                                                d$x, "single"))
  # probabilities of float outputs still sum to one (within float)
  expect_equal(rowSums(p_sgl), rep(1, 150), tolerance = 1e-6)
})

test_that("the option nnfs.precision sets the default", {
  d <- iris_data()
  old <- options(nnfs.precision = "single")
  on.exit(options(old))
  set.seed(2)
  a <- neuralnetwork(c(4, 5, 3), d, 2, 10, 0.5)
  set.seed(2)
  b <- neuralnetwork(c(4, 5, 3), d, 2, 10, 0.5, precision = "single")
  expect_identical(a$settings$precision, "single")
  expect_identical(a$weights, b$weights)
  options(nnfs.precision = "quad")
  expect_error(neuralnetwork(c(4, 5, 3), d, 2, 10, 0.5), class = "nnfs_error_argument")
  expect_error(neuralnetwork(c(4, 5, 3), d, 2, 10, 0.5, precision = "half"),
               "`precision` must be one of")
})

test_that("single precision: warm starts continue exactly, threads do not matter", {
  set.seed(1)
  x <- matrix(runif(400 * 300), 400)
  y <- factor(sample(letters[1:4], 400, TRUE))
  d <- list(x = x, y = y)
  fit <- function(epochs, warm = NULL) {
    neuralnetwork(c(300, 256, 128, 4), d, epochs, 64, 0.01, activation = "relu",
                  output = "softmax", optimizer = "adam", precision = "single",
                  warm_start = warm)
  }
  set.seed(5)
  ten <- fit(4)
  set.seed(5)
  two <- fit(2)
  expect_identical(fit(2, two)$weights, ten$weights)
  old <- options(nnfs.threads = 1)
  on.exit(options(old))
  set.seed(5)
  one_thread <- fit(4)
  options(nnfs.threads = 2)
  set.seed(5)
  two_threads <- fit(4)
  expect_identical(one_thread$weights, two_threads$weights)
  expect_identical(one_thread$weights, ten$weights)
})

test_that("single precision reads large data from R's rows into its own float copy", {
  set.seed(1)
  d <- list(x = matrix(runif(300 * 20), 300), y = factor(sample(1:2, 300, TRUE)))
  fit <- function(limit) {
    old <- options(nnfs.copy_limit = limit)
    on.exit(options(old))
    set.seed(6)
    neuralnetwork(c(20, 8, 2), d, 3, 16, 0.1, precision = "single")
  }
  expect_identical(fit(0)$weights, fit(2^30)$weights)
})

test_that("grad_check runs in double whatever the network's precision", {
  d <- iris_data()
  set.seed(2)
  sgl <- neuralnetwork(c(4, 6, 3), d, 2, 10, 0.5, precision = "single",
                       output = "softmax")
  gc <- grad_check(sgl, d$x[1:20, ], d$y[1:20])
  expect_lt(gc$max_rel_error, 1e-6)
})

test_that("the regressions train in single precision too", {
  x <- as.matrix(mtcars[, c("wt", "hp")])
  x <- scale(x)
  y <- mtcars$am
  dbl <- logistic_reg(x, y, 500, 0.1, verbose = FALSE)
  sgl <- logistic_reg(x, y, 500, 0.1, verbose = FALSE, precision = "single")
  expect_identical(sgl$precision, "single")
  expect_false(identical(unclass(sgl)[, 1], unclass(dbl)[, 1]))
  expect_equal(coef(sgl), coef(dbl), tolerance = 1e-5)
  sm <- softmax_reg(as.matrix(iris[, 1:4]), iris$Species, 200, 0.1,
                    verbose = FALSE, precision = "single")
  sm_d <- softmax_reg(as.matrix(iris[, 1:4]), iris$Species, 200, 0.1,
                      verbose = FALSE)
  expect_equal(coef(sm), coef(sm_d), tolerance = 1e-4)
  expect_error(linear_reg(x, mtcars$mpg, precision = "single"),
               "`precision` is a setting of gradient descent")
})

test_that("least squares ignores the option nnfs.precision but refuses the argument", {
  old <- options(nnfs.precision = "single")
  on.exit(options(old))
  x <- as.matrix(mtcars[, c("wt", "hp")])
  expect_equal(coef(linear_reg(x, mtcars$mpg)),
               coef(stats::lm(mtcars$mpg ~ x)), tolerance = 1e-8, ignore_attr = TRUE)
  expect_error(linear_reg(x, mtcars$mpg, precision = "single"),
               class = "nnfs_error_argument")
  # gradient descent follows the option
  expect_identical(linear_reg(x / 100, mtcars$mpg, "gd", epochs = 5)$precision, "single")
})

test_that("single precision refuses numbers it cannot hold instead of giving NaN", {
  # found by the fuzzer: a finite double beyond float's range (an edited
  # weight of 1e308) became Inf in the single build, and predict() and
  # feature_maps() returned NaN and Inf without an error
  d <- iris_data()
  set.seed(3)
  sgl <- neuralnetwork(c(4, 5, 3), d, 1, 10, 0.5, precision = "single")
  big <- sgl
  big$weights[[1]][2] <- 1e308
  expect_error(predict(big, d$x), "within the range of single precision",
               class = "nnfs_error_model")
  big$settings$precision <- "double"
  expect_true(all(is.finite(predict(big, d$x, type = "prob"))))
  # a double network with such a weight cannot warm-start single training
  expect_error(neuralnetwork(c(4, 5, 3), d, 1, 10, 0.5, precision = "single",
                             warm_start = big),
               "for training in single precision", class = "nnfs_error_model")
  near <- sgl
  near$weights[[1]][2] <- 3e38
  expect_true(all(is.finite(predict(near, d$x, type = "prob"))))
  # a precision that is neither of the two
  odd <- sgl
  odd$settings$precision <- "float"
  expect_error(predict(odd, d$x), "neither \"double\" nor \"single\"",
               class = "nnfs_error_model")

  # batch normalisation: with an epsilon below FLT_MIN, 1 / sqrt(var +
  # epsilon) overflows float for a channel of zero variance, and training
  # diverged with NaN (advising a smaller learning rate)
  imgs <- array(seq(0, 1, length.out = 64), c(4, 4, 4))
  y <- factor(c("a", "b", "a", "b"))
  layers <- function(eps) list(layer_conv2d(2, 2), layer_batchnorm(epsilon = eps),
                               layer_flatten(), layer_dense(2, "softmax"))
  expect_error(cnn(layers(1e-300), list(x = imgs, y = y), 1, 2, 0.1,
                   precision = "single"),
               "`layers` cannot be trained in single precision: layer 2 \\(batchnorm\\)",
               class = "nnfs_error_argument")
  set.seed(4)
  dbl <- cnn(layers(1e-300), list(x = imgs, y = y), 2, 2, 0.1)
  expect_true(all(is.finite(unlist(dbl$tensors))))
  set.seed(4)
  ok <- cnn(layers(1e-30), list(x = imgs, y = y), 2, 2, 0.1, precision = "single")
  expect_true(all(is.finite(unlist(ok$tensors))))
  edited <- dbl
  edited$settings$precision <- "single"
  expect_error(predict(edited, imgs), "below 1.18e-38", class = "nnfs_error_model")
})
