# The calls the R tutorial's own code makes, in its shapes (positional
# arguments as its notebooks pass them), checked against plain R written
# here: train_test_from_df(..., 1), net[[1]] / net[[-1]], evaluate(),
# get_predictions(), feedforward(), the regressions' beta_hat, the
# initialisations by name and epochs = 0.

# Plain R forward pass of a dense network, one sample per column.
r_forward <- function(a, biases, weights, acts) {
  f <- list(sigmoid = function(z) 1 / (1 + exp(-z)), relu = function(z) pmax(z, 0),
            linear = identity, tanh = tanh,
            softmax = function(z) { e <- exp(sweep(z, 2, apply(z, 2, max))); sweep(e, 2, colSums(e), "/") })
  out <- list(a)
  for (l in seq_along(weights)) {
    a <- f[[acts[l]]](weights[[l]] %*% a + as.vector(biases[[l]]))
    out[[l + 1L]] <- a
  }
  out
}

iris_split <- function(seed = 1, ratio = 0.7) {
  set.seed(seed)
  train_test_from_df(iris, 5, ratio)
}

test_that("train_ratio = 1 puts every row in the first list", {
  set.seed(3)
  d <- train_test_from_df(iris, 5, train_ratio = 1)
  expect_length(d[[1]], 150L)
  expect_length(d[[2]], 0L)
  expect_s3_class(d[[2]], "nnfs_pairs")
  # every flower once: the inputs of the pairs are the scaled rows
  xs <- t(vapply(d[[1]], function(p) as.vector(p[[1]]), numeric(4)))
  expect_equal(sort(xs[, 1]), sort(iris$Sepal.Length / max(iris$Sepal.Length)))
  # the tutorials' first line: train on all of it
  net <- neuralnetwork(c(4, 5, 3), d[[1]], 2, 10, 0.5)
  expect_length(net, 2L)
  expect_snapshot(error = TRUE, {
    train_test_from_df(iris, 5, 0)
    train_test_from_df(iris, 5, 1.5)
    train_test_from_df(iris[1:3, ], 5, 0.1)
  })
})

test_that("neuralnetwork() returns the tutorial's list(biases, weights)", {
  d <- iris_split()
  trained_net <- neuralnetwork(c(4, 40, 3), training_data = d[[1]], epochs = 5,
                               mini_batch_size = 10, lr = 0.5, C = "ce",
                               verbose = FALSE, validation_data = d[[2]])
  expect_length(trained_net, 2L)
  biases <- trained_net[[1]]
  weights <- trained_net[[-1]]
  expect_identical(weights, trained_net$weights)
  expect_identical(biases, trained_net$biases)
  expect_equal(lengths(biases), c(40L, 3L))
  expect_equal(lapply(weights, dim), list(c(40L, 4L), c(3L, 40L)))
  # the rest is reachable with $ as before, and kept in attributes
  expect_equal(nrow(trained_net$history), 5L)
  expect_identical(trained_net$levels, levels(iris$Species))
  expect_identical(trained_net$sizes, c(4L, 40L, 3L))
  expect_true(all(c("history", "layers", "settings") %in% names(attributes(trained_net))))
  expect_null(trained_net$no_such_field)
  # $<- writes fields and parameters alike
  edited <- trained_net
  edited$note <- "x"
  expect_identical(attr(edited, "note"), "x")
  edited$weights[[2]][1, 1] <- 0
  expect_length(edited, 2L)
  expect_equal(edited[[2]][[2]][1, 1], 0)
  expect_error(edited$class <- "x", "not a field")
  # methods keep working, and saveRDS keeps the attributes
  f <- tempfile(fileext = ".rds")
  saveRDS(trained_net, f)
  back <- readRDS(f)
  expect_identical(back, trained_net)
  expect_equal(predict(back, d[[2]], type = "prob"), predict(trained_net, d[[2]], type = "prob"))
  expect_output(print(trained_net), "4-40-3")
  more <- neuralnetwork(c(4, 40, 3), d[[1]], 2, 10, 0.5, warm_start = trained_net)
  expect_length(more, 2L)
  expect_equal(nrow(more$history), 7L)
})

test_that("feedforward() and get_predictions() compute the tutorial's numbers", {
  d <- iris_split()
  net <- neuralnetwork(c(4, 8, 3), d[[1]], 5, 10, 0.5)
  biases <- net[[1]]
  weights <- net[[-1]]
  x <- d[[2]][[1]][[1]]
  ref <- r_forward(x, biases, weights, c("sigmoid", "sigmoid"))
  expect_equal(feedforward(x, biases, weights), ref[[3]], tolerance = 1e-12,
               ignore_attr = TRUE)
  expect_equal(dim(feedforward(as.vector(x), biases, weights)), c(3L, 1L))
  all <- feedforward(x, biases, weights, all = TRUE)
  expect_length(all, 3L)
  for (l in 1:3) expect_equal(all[[l]], ref[[l]], tolerance = 1e-12, ignore_attr = TRUE)
  # the network itself, and a matrix of samples (one per column)
  X <- vapply(d[[2]], function(p) as.vector(p[[1]]), numeric(4))
  refX <- r_forward(X, biases, weights, c("sigmoid", "sigmoid"))[[3]]
  expect_equal(feedforward(X, net), refX, tolerance = 1e-12, ignore_attr = TRUE)
  expect_equal(t(feedforward(X, net)), predict(net, t(X), type = "raw"), tolerance = 1e-15)
  test_X <- lapply(d[[2]], function(p) p[[1]])
  pred <- get_predictions(test_X, biases, weights)
  expect_type(pred, "list")
  expect_identical(unlist(pred), unname(apply(refX, 2, which.max)))
})

test_that("feedforward() applies the activations the network was trained with", {
  d <- iris_split()
  set.seed(2)
  net <- neuralnetwork(c(4, 6, 5, 3), d[[1]], 3, 10, 0.1, activation = c("relu", "tanh"),
                       output = "softmax")
  expect_identical(attr(net[[1]], "activation"), c("relu", "tanh", "softmax"))
  X <- vapply(d[[2]], function(p) as.vector(p[[1]]), numeric(4))
  ref <- r_forward(X, net[[1]], net[[2]], c("relu", "tanh", "softmax"))[[4]]
  expect_equal(feedforward(X, net[[1]], net[[-1]]), ref, tolerance = 1e-12, ignore_attr = TRUE)
  # hand-made parameters without labels: the tutorial's sigmoid, or as asked
  b <- lapply(net[[1]], as.vector)
  sig <- r_forward(X, b, net[[2]], rep("sigmoid", 3))[[4]]
  expect_equal(feedforward(X, b, net[[2]]), sig, tolerance = 1e-12, ignore_attr = TRUE)
  expect_equal(feedforward(X, b, net[[2]], activation = c("relu", "tanh", "softmax")),
               ref, tolerance = 1e-12, ignore_attr = TRUE)
})

test_that("evaluate(testing_data, biases, weights) prints the accuracy and returns the table", {
  d <- iris_split()
  net <- neuralnetwork(c(4, 10, 3), d[[1]], 10, 10, 0.5)
  X <- vapply(d[[2]], function(p) as.vector(p[[1]]), numeric(4))
  Y <- vapply(d[[2]], function(p) as.vector(p[[2]]), numeric(3))
  pred <- apply(r_forward(X, net[[1]], net[[2]], c("sigmoid", "sigmoid"))[[3]], 2, which.max)
  truth <- apply(Y, 2, which.max)
  out <- capture.output(tab <- evaluate(d[[2]], net[[1]], net[[-1]]))
  expect_identical(out, capture.output(print(mean(pred == truth))))
  expect_equal(unclass(tab), unclass(table(pred, truth)), ignore_attr = "dimnames")
  expect_identical(dimnames(tab)[[1]], as.character(sort(unique(pred))))
  # the package's own call on the same network agrees
  expect_equal(evaluate(net, d[[2]])$accuracy, mean(pred == truth))
  expect_snapshot(error = TRUE, {
    evaluate(list(1, 2), net[[1]], net[[2]])
    evaluate(d[[2]], net[[1]])
    evaluate(d[[2]], net[[1]], net[[2]][1])
    feedforward(1:3, net[[1]], net[[2]])
    feedforward(X[, 1], net[[1]], net[[2]], activation = "cubic")
    get_predictions(list("a"), net[[1]], net[[2]])
  })
})

test_that("every initialisation of the tutorials is drawn as they draw it", {
  d <- iris_split()
  sizes <- c(4, 7, 3)
  draw <- function(init) {
    set.seed(11)
    neuralnetwork(sizes, d[[1]], 0, 10, 0.5, init = init)
  }
  ref <- function(bias_fun, weight_fun) {
    set.seed(11)
    b <- lapply(sizes[-1], bias_fun)
    w <- Map(weight_fun, sizes[-1], sizes[-3])
    list(b, w)
  }
  check <- function(net, r) {
    expect_equal(lapply(net[[1]], as.vector), r[[1]], tolerance = 0)
    expect_equal(net[[2]], r[[2]], tolerance = 0)
  }
  check(draw("normal"), ref(function(n) rnorm(n),
                            function(o, i) matrix(rnorm(o * i), o, i)))
  check(draw("article"), ref(function(n) rnorm(n),
                             function(o, i) matrix(rnorm(o * i), o, i) / sqrt(i)))
  check(draw("relu_uniform"),
        ref(function(n) runif(n, -1 / sqrt(n), 1 / sqrt(n)),
            function(o, i) matrix(runif(o * i, -sqrt(3) * sqrt(2) / sqrt(i),
                                        sqrt(3) * sqrt(2) / sqrt(i)), o, i)))
  check(draw("he"), ref(function(n) numeric(n),
                        function(o, i) matrix(rnorm(o * i, sd = sqrt(2 / i)), o, i)))
})

test_that("epochs = 0 returns the initialised network, untrained", {
  d <- iris_split()
  set.seed(5)
  n0 <- neuralnetwork(c(4, 5, 3), d[[1]], 0, 10, 0.5)
  set.seed(5)
  n1 <- neuralnetwork(c(4, 5, 3), d[[1]], 1, 10, 0.5)
  expect_equal(nrow(n0$history), 0L)
  expect_false(isTRUE(all.equal(n0[[2]], n1[[2]])))
  # training the untrained network for one epoch continues it exactly
  set.seed(99)
  a <- neuralnetwork(c(4, 5, 3), d[[1]], 1, 10, 0.5, warm_start = n0)
  expect_equal(nrow(a$history), 1L)
  expect_output(print(n0), "4-5-3")
  expect_s3_class(summary(n0), "summary.nnfs_network")
  expect_equal(dim(predict(n0, d[[2]], type = "prob")), c(45L, 3L))
  set.seed(5)
  c0 <- cnn(list(layer_conv2d(2, 3), layer_flatten(), layer_dense(2, "softmax")),
            list(x = array(runif(4 * 6 * 6), c(4, 6, 6)), y = factor(c("a", "b", "a", "b"))),
            0, 2, 0.1)
  expect_equal(nrow(c0$history), 0L)
  expect_length(c0, 2L)
})

test_that("logistic_reg() returns the tutorial's beta_hat and prints the log-likelihood", {
  vv <- iris[51:150, ]
  X <- as.matrix(vv[, c("Sepal.Length", "Petal.Length")])
  X <- X / max(X)
  y <- as.numeric(vv$Species == "virginica")
  expect_output(beta_hat <- logistic_reg(X, y, 300000, 5),
                "Log-likelihood after 300000 epochs: -11.9252")
  expect_true(is.matrix(beta_hat))
  expect_equal(dim(beta_hat), c(3L, 1L))
  expect_identical(rownames(beta_hat), c("(Intercept)", "Sepal.Length", "Petal.Length"))
  expect_equal(round(c(beta_hat[1], beta_hat[2], beta_hat[3]), 2), c(-39.84, -31.73, 105.17))
  # the decision boundary of the notebook
  expect_equal(beta_hat[1] / -(beta_hat[3]), -39.83848 / -105.16983, tolerance = 1e-5)
  X_mat <- cbind(1, X)
  expect_equal(unname(drop(X_mat %*% beta_hat)), unname(beta_hat$linear.predictors), tolerance = 1e-12)
  expect_equal(unname(coef(beta_hat)), as.vector(beta_hat))
  expect_equal(round(c(logLik(beta_hat)), 3), -11.925)
  expect_silent(logistic_reg(X, y, 10, 5, verbose = FALSE))
})

test_that("gradient-descent linear_reg() returns a coefficient column", {
  set.seed(1234567)
  x <- runif(100, -5, 5)
  y <- x + rnorm(100) + 3
  X_mat <- cbind(1, x)
  beta_hat <- linear_reg(x, y, method = "gd", epochs = 200, lr = 0.1)
  expect_equal(dim(beta_hat), c(2L, 1L))
  expect_equal(round(beta_hat[[1]], 6), 2.945535)
  expect_equal(round(beta_hat[[2]], 6), 0.951942)
  expect_equal(drop(X_mat %*% beta_hat), beta_hat$fitted.values, tolerance = 1e-12)
  # the plain loop of the tutorial gives the same column
  b <- matrix(0.1, 2, 1)
  for (i in 1:200) b <- b - 0.1 * t(X_mat) %*% (X_mat %*% b - y) / 100
  expect_equal(as.vector(beta_hat), as.vector(b), tolerance = 1e-12)
  ols <- linear_reg(x, y)
  expect_equal(as.vector(ols), unname(coef(lm(y ~ x))), tolerance = 1e-8)
  sm <- softmax_reg(iris[, 1:2], iris$Species, 50, 0.5, verbose = FALSE)
  expect_equal(dim(sm), c(3L, 3L))
  expect_identical(colnames(sm), levels(iris$Species))
  expect_equal(drop(cbind(1, as.matrix(iris[, 1:2])) %*% sm), unname(sm$linear.predictors),
               tolerance = 1e-12, ignore_attr = TRUE)
})

test_that("models saved by nnfs 0.1.0 still load and predict identically", {
  f <- readRDS(test_path("fixtures", "models-0.1.0.rds"))
  expect_identical(f$version, "0.1.0")
  expect_identical(predict(f$net, f$net_x, type = "prob"), f$net_prob)
  expect_identical(predict(f$cnn, f$cnn_x, type = "prob"), f$cnn_prob)
  # the regressions predict with R's own matrix product, whose last bits
  # depend on the BLAS R uses (the fixture was made on the reference BLAS);
  # the networks' predictions come from the package's kernels, bit for bit
  expect_equal(predict(f$logistic, f$logistic_x), f$logistic_p, tolerance = 1e-13)
  expect_equal(predict(f$softmax, f$softmax_x, type = "prob"), f$softmax_p,
               tolerance = 1e-13)
  expect_equal(predict(f$linear, f$linear_x), f$linear_p, tolerance = 1e-13)
  expect_output(print(f$net), "4-6-3")
  expect_output(print(f$logistic), "Logistic regression")
  # an old network continues training in the new form
  d <- iris_split()
  more <- neuralnetwork(c(4, 6, 3), d[[1]], 1, 10, 0.5, optimizer = "momentum",
                        dropout = 0.1, warm_start = f$net)
  expect_length(more, 2L)
  expect_equal(nrow(more$history), nrow(f$net$history) + 1L)
})
