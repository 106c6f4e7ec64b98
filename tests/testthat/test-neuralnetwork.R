# neuralnetwork(): the article's network, its data formats, the options
# beyond the article, the accuracy it reaches, and its error messages.

# ---- the article's network ----------------------------------------------------

test_that("the article's iris call reaches 90% test accuracy", {
  d <- iris_pairs(1)
  set.seed(1)
  net <- neuralnetwork(c(4, 40, 3), d[[1]], 30, 10, 0.5, validation_data = d[[2]])
  e <- evaluate(net, d[[2]])
  expect_gte(e$accuracy, 0.9)
  expect_equal(net$history$val_accuracy[30], e$accuracy)
  # Over seeds the article's 30 epochs are short of converging: test
  # accuracy runs from about 0.7 to 0.96 (the article reports one run
  # of about 0.96), the same spread as the article's own R loop.
  acc <- vapply(2:6, function(s) {
    d <- iris_pairs(s)
    evaluate(neuralnetwork(c(4, 40, 3), d[[1]], 30, 10, 0.5,
                           validation_data = NULL), d[[2]])$accuracy
  }, 0)
  expect_gte(mean(acc), 0.75)
})

test_that("the result is the article's list(biases, weights) plus history", {
  d <- iris_pairs(1)
  net <- neuralnetwork(c(4, 40, 3), d[[1]], 3, 10, 0.5)
  expect_s3_class(net, "nnfs_network")
  expect_identical(names(net)[1:2], c("biases", "weights"))
  expect_identical(lapply(net[[2]], dim), list(c(40L, 4L), c(3L, 40L)))
  expect_identical(lengths(net[[1]]), c(40L, 3L))
  expect_true(is.double(net[[1]][[1]]) && is.null(dim(net[[1]][[1]])))
  expect_named(net$history, c("epoch", "loss", "accuracy", "val_loss", "val_accuracy"))
  expect_identical(nrow(net$history), 3L)
  expect_identical(net$levels, c("setosa", "versicolor", "virginica"))
  expect_identical(net$features, names(iris)[1:4])
  expect_identical(net$task, "classification")
  # no validation data unless given (the article validated on the training
  # data by default; that is no validation, so it must now be asked for)
  expect_true(all(is.na(net$history$val_accuracy)))
  again <- neuralnetwork(c(4, 40, 3), d[[1]], 3, 10, 0.5, validation_data = d[[1]])
  expect_equal(again$history$val_accuracy[3], evaluate(again, d[[1]])$accuracy)
})

test_that("a seeded run is the article's R loop, step for step", {
  xy <- iris_xy()
  y <- diag(3)[as.integer(xy$y), ]
  for (cost in c("ce", "mse")) {
    set.seed(11)
    net <- neuralnetwork(c(4, 6, 5, 3), xy, 3, 7, 0.5, C = cost)
    set.seed(11)
    ref <- reference_sgd(c(4, 6, 5, 3), xy$x, y, 3, 7, 0.5, cost)
    expect_equal(net$weights, ref$weights, tolerance = 1e-10)
    expect_equal(net$biases, ref$biases, tolerance = 1e-10, ignore_attr = "activation")
  }
})

test_that("initial parameters are drawn in the documented order", {
  # with a vanishing learning rate the trained parameters are the initial ones
  set.seed(5)
  net <- neuralnetwork(c(4, 3, 2), list(x = diag(4), y = c(1, 2, 1, 2)), 1, 2, 1e-300)
  set.seed(5)
  b <- list(rnorm(3), rnorm(2))
  w <- list(matrix(rnorm(12), 3, 4) / sqrt(4), matrix(rnorm(6), 2, 3) / sqrt(3))
  expect_identical(unclass(net$biases)[1:2], b)
  expect_identical(net$weights, w)

  for (init in c("xavier", "he")) {
    set.seed(5)
    net <- neuralnetwork(c(400, 300, 2), list(x = diag(400), y = rep(1:2, 200)),
                         1, 400, 1e-300, init = init, validation_data = NULL)
    # biases start at 0 (the vanishing step leaves them within 1e-290 of it)
    expect_lt(max(abs(unlist(net$biases))), 1e-290)
    sd_expected <- if (init == "he") sqrt(2 / 400) else sqrt(2 / 700)
    expect_equal(sd(net$weights[[1]]), sd_expected, tolerance = 0.02)
  }
})

test_that("the same seed gives identical networks, another seed does not", {
  d <- iris_pairs(1)
  set.seed(42)
  a <- neuralnetwork(c(4, 10, 3), d[[1]], 5, 10, 0.5, dropout = 0.2)
  set.seed(42)
  b <- neuralnetwork(c(4, 10, 3), d[[1]], 5, 10, 0.5, dropout = 0.2)
  set.seed(43)
  c <- neuralnetwork(c(4, 10, 3), d[[1]], 5, 10, 0.5, dropout = 0.2)
  expect_identical(a, b)
  expect_false(identical(a$weights, c$weights))
})

# ---- data formats -------------------------------------------------------------

test_that("pairs and list(x, y) of the same data train the same network", {
  d <- iris_pairs(1)[[1]]
  x <- t(vapply(d, function(p) as.vector(p$x), numeric(4)))
  lab <- attr(d, "levels")[vapply(d, function(p) which.max(p$y), 1L)]
  set.seed(3)
  a <- neuralnetwork(c(4, 5, 3), d, 2, 10, 0.5)
  set.seed(3)
  b <- neuralnetwork(c(4, 5, 3), list(x = x, y = factor(lab)), 2, 10, 0.5)
  set.seed(3)
  pairs_vec <- lapply(seq_along(lab), function(i) list(x[i, ], d[[i]]$y[, 1]))
  c <- neuralnetwork(c(4, 5, 3), pairs_vec, 2, 10, 0.5)
  expect_equal(a$weights, b$weights)
  expect_equal(a$weights, c$weights)
  expect_identical(b$levels, attr(d, "levels"))
  expect_identical(c$levels, c("1", "2", "3"))
})

test_that("targets: factor, labels, one-hot matrix, binary and regression", {
  set.seed(1)
  x <- matrix(rnorm(40), 20, 2)
  f <- neuralnetwork(c(2, 3, 3), list(x = x, y = factor(rep(c("b", "a", "c", "a"), 5),
                                                         levels = c("c", "b", "a"))), 1, 5, 0.1)
  expect_identical(f$levels, c("c", "b", "a"))
  lab <- neuralnetwork(c(2, 3, 3), list(x = x, y = rep(c(7, 2, 5, 2), 5)), 1, 5, 0.1)
  expect_identical(lab$levels, c("2", "5", "7"))
  oh <- diag(3)[rep(1:3, length.out = 20), ]
  colnames(oh) <- c("u", "v", "w")
  m <- neuralnetwork(c(2, 3, 3), list(x = x, y = oh), 1, 5, 0.1)
  expect_identical(m$levels, c("u", "v", "w"))
  bin <- neuralnetwork(c(2, 3, 1), list(x = x, y = factor(rep(c("no", "yes"), 10))), 1, 5, 0.1)
  expect_identical(bin$levels, c("no", "yes"))
  expect_identical(bin$task, "classification")
  reg <- neuralnetwork(c(2, 3, 1), list(x = x, y = x[, 1] * 0.3), 1, 5, 0.1,
                       C = "mse", output = "linear")
  expect_identical(reg$task, "regression")
  expect_null(reg$levels)
  counts <- neuralnetwork(c(2, 3, 1), list(x = x, y = rep(0:4, 4)), 1, 5, 0.1,
                          C = "mse", output = "linear")
  expect_identical(counts$task, "regression")
  multi <- neuralnetwork(c(2, 3, 2), list(x = x, y = x * 0.5), 1, 5, 0.1,
                         C = "mse", output = "linear")
  expect_identical(multi$task, "regression")
})

test_that("validation data are encoded with the training classes", {
  xy <- iris_xy()
  val <- list(x = xy$x[1:10, ], y = as.character(xy$y[1:10]))
  net <- neuralnetwork(c(4, 5, 3), xy, 2, 10, 0.5, validation_data = val)
  expect_false(anyNA(net$history$val_loss))
  none <- neuralnetwork(c(4, 5, 3), xy, 2, 10, 0.5, validation_data = NULL)
  expect_true(all(is.na(none$history$val_loss)))
  expect_snapshot(error = TRUE, {
    neuralnetwork(c(4, 5, 3), xy, 2, 10, 0.5,
                  validation_data = list(x = xy$x[1:3, ], y = c("setosa", "rose", "tulip")))
    neuralnetwork(c(4, 5, 3), xy, 2, 10, 0.5, validation_data = list(x = xy$x[, 1:3], y = xy$y))
  })
})

test_that("verbose reports each epoch with the validation accuracy", {
  d <- iris_pairs(1)
  msgs <- capture_messages(neuralnetwork(c(4, 5, 3), d[[1]], 2, 10, 0.5, verbose = TRUE,
                                         validation_data = d[[2]]))
  expect_match(msgs[2], "Epoch 2/2: .*validation loss [0-9.]+, accuracy [0-9.]+")
  expect_silent(neuralnetwork(c(4, 5, 3), d[[1]], 2, 10, 0.5))
})

# ---- options beyond the article -------------------------------------------------

test_that("every optimizer trains iris", {
  d <- iris_pairs(1)
  lr <- c(sgd = 0.5, momentum = 0.1, nesterov = 0.1, rmsprop = 0.01, adam = 0.01)
  for (o in names(lr)) {
    set.seed(2)
    net <- neuralnetwork(c(4, 40, 3), d[[1]], 40, 10, lr[[o]], optimizer = o,
                         validation_data = NULL)
    expect_gte(evaluate(net, d[[2]])$accuracy, 0.85)
  }
})

test_that("activations, outputs and costs combine", {
  d <- iris_pairs(1)
  for (act in c("linear", "sigmoid", "tanh", "relu", "leaky_relu")) {
    set.seed(2)
    net <- neuralnetwork(c(4, 20, 20, 3), d[[1]], 40, 10, 0.01,
                         activation = c(act, "tanh"), output = "softmax",
                         optimizer = "adam", init = "xavier", validation_data = NULL)
    expect_gte(evaluate(net, d[[2]])$accuracy, 0.85)
    expect_identical(vapply(net$layers, `[[`, "", "act"), c(act, "tanh", "softmax"))
  }
  for (out in c("sigmoid", "linear")) {
    set.seed(2)
    mse <- neuralnetwork(c(4, 20, 3), d[[1]], if (out == "linear") 100 else 40, 10,
                         0.01, C = "mse", output = out, optimizer = "adam")
    expect_gte(evaluate(mse, d[[2]])$accuracy, 0.85)
  }
})

test_that("dropout changes training but not prediction", {
  d <- iris_pairs(1)
  set.seed(3)
  plain <- neuralnetwork(c(4, 30, 3), d[[1]], 60, 10, 0.1, optimizer = "momentum")
  set.seed(3)
  drop <- neuralnetwork(c(4, 30, 3), d[[1]], 60, 10, 0.1, optimizer = "momentum",
                        dropout = 0.3)
  expect_false(isTRUE(all.equal(plain$weights, drop$weights)))
  expect_identical(vapply(drop$layers, `[[`, "", "kind"), c("dense", "dropout", "dense"))
  expect_identical(predict(drop, d[[2]], "raw"), predict(drop, d[[2]], "raw"))
  expect_gte(evaluate(drop, d[[2]])$accuracy, 0.9)
  # rates per hidden layer; a zero rate adds no layer
  set.seed(3)
  two <- neuralnetwork(c(4, 8, 8, 3), d[[1]], 2, 10, 0.5, dropout = c(0, 0.5))
  expect_identical(vapply(two$layers, `[[`, 0, "rate"), c(0, 0, 0.5, 0))
})

test_that("l2 and l1 shrink the weights", {
  d <- iris_pairs(1)
  norm2 <- function(net) sum(vapply(net$weights, function(w) sum(w^2), 0))
  fit <- function(...) {
    set.seed(4)
    neuralnetwork(c(4, 30, 3), d[[1]], 30, 10, 0.5, validation_data = NULL, ...)
  }
  plain <- fit()
  expect_lt(norm2(fit(l2 = 0.01)), 0.8 * norm2(plain))
  expect_lt(sum(abs(unlist(fit(l1 = 0.01)$weights))), 0.8 * sum(abs(unlist(plain$weights))))
})

test_that("early stopping stops and keeps the best epoch", {
  set.seed(1)
  b <- make_blobs(400, 3, sd = 0.5)
  i <- sample(400, 60)
  tr <- list(x = b[i, 1:2], y = b$y[i])
  va <- list(x = b[-i, 1:2], y = b$y[-i])
  set.seed(3)
  net <- neuralnetwork(c(2, 100, 100, 3), tr, 1000, 10, 0.01, activation = "relu",
                       output = "softmax", init = "he", optimizer = "adam",
                       validation_data = va, patience = 20)
  h <- net$history
  expect_lt(net$epochs_run, 1000)
  expect_identical(nrow(h), net$epochs_run)
  expect_identical(net$best_epoch, which.min(h$val_loss))
  expect_identical(net$epochs_run, net$best_epoch + 20L)
  # the parameters kept are those of the best epoch
  expect_equal(evaluate(net, va)$loss, min(h$val_loss), tolerance = 1e-10)
  expect_lt(min(h$val_loss), h$val_loss[nrow(h)])
  # print and summary report that epoch, not the last one run
  expect_output(print(net), sprintf("epoch %d: training", net$best_epoch))
  expect_identical(summary(net)$final$epoch, net$best_epoch)
})

test_that("warm start continues training", {
  d <- iris_pairs(1)
  set.seed(5)
  first <- neuralnetwork(c(4, 20, 3), d[[1]], 10, 10, 0.5)
  again <- neuralnetwork(c(4, 20, 3), d[[1]], 20, 10, 0.5, warm_start = first)
  expect_identical(nrow(again$history), 30L)
  expect_identical(again$history$epoch, 1:30)
  expect_identical(again$history[1:10, ], first$history)
  expect_lte(evaluate(again, d[[1]])$loss, evaluate(first, d[[1]])$loss)
  # a warm start draws no random numbers
  set.seed(6)
  a <- neuralnetwork(c(4, 20, 3), d[[1]], 1, 200, 1e-300, warm_start = first)
  expect_identical(a$weights, first$weights)
  expect_snapshot(error = TRUE, {
    neuralnetwork(c(4, 10, 3), d[[1]], 5, 10, 0.5, warm_start = first)
    neuralnetwork(c(4, 20, 3), d[[1]], 5, 10, 0.5, activation = "relu", warm_start = first)
    neuralnetwork(c(4, 20, 3), d[[1]], 5, 10, 0.5, warm_start = first$weights)
  })
})

test_that("a diverging learning rate warns and keeps the last finite epoch", {
  # this used to be an error; a usable network is returned now (test-train.R)
  set.seed(1)
  x <- runif(50, -1, 1)
  y <- 3 * x + rnorm(50)
  expect_snapshot(
    net <- neuralnetwork(c(1, 10, 1), list(x = x, y = y), 5, 10, 1e6, C = "mse",
                         output = "linear", activation = "relu", validation_data = NULL))
  expect_identical(nrow(net$history), 4L)
})

# ---- the articles' benchmarks -------------------------------------------------

test_that("digits: 64-200-10, sigmoid hidden and softmax output, >= 95%", {
  skip_if_not(exists("digits"))
  x <- as.matrix(digits[, 1:64]) / 16
  set.seed(1)
  i <- sample(nrow(x), round(0.8 * nrow(x)))
  # momentum SGD, lr 0.1, batches of 10, 30 epochs: 0.964 to 0.983 over
  # eight splits (the article's per-sample SGD at lr 0.01 for 10 epochs:
  # 0.93 to 0.96)
  net <- neuralnetwork(c(64, 200, 10), list(x = x[i, ], y = digits$digit[i]), 30, 10,
                       0.1, output = "softmax", optimizer = "momentum",
                       validation_data = NULL)
  expect_gte(evaluate(net, list(x = x[-i, ], y = digits$digit[-i]))$accuracy, 0.95)
})

test_that("spirals: 50 hidden units learn the training set", {
  set.seed(1)
  s <- make_spirals()
  # tanh, Adam at lr 0.01, 1000 epochs: 0.995 to 1 over ten seeds
  net <- neuralnetwork(c(2, 50, 2), list(x = s[, 1:2], y = s$y), 1000, 10, 0.01,
                       activation = "tanh", output = "softmax", optimizer = "adam",
                       validation_data = NULL)
  expect_gte(evaluate(net, list(x = s[, 1:2], y = s$y))$accuracy, 0.98)
})

test_that("Fashion-MNIST: 784-100-10, one epoch, >= 80%", {
  skip_if_not(dir.exists(fashion_dir))
  m <- read_fashion()
  set.seed(1)
  # Cross-entropy at lr 0.5: 0.81 to 0.84 over three seeds after one epoch.
  # At lr 3 (the article's rate, chosen by Nielsen for the quadratic cost)
  # cross-entropy training is unstable and reaches only 0.67 to 0.71.
  net <- neuralnetwork(c(784, 100, 10), m$train, 1, 10, 0.5, C = "ce",
                       validation_data = m$test)
  expect_gte(net$history$val_accuracy, 0.8)
  expect_identical(net$levels, as.character(0:9))
})

# ---- argument errors ------------------------------------------------------------

test_that("bad arguments get clear errors", {
  d <- iris_pairs(1)[[1]]
  tr <- d
  expect_snapshot(error = TRUE, {
    neuralnetwork(c(4, 40, 3), tr, 30, 10)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, epoch = 3)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, "ce", FALSE, tr, 3)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, activ = "relu", lrate = 2)
    neuralnetwork(4, tr, 30, 10, 0.5)
    neuralnetwork(c(4, 0, 3), tr, 30, 10, 0.5)
    neuralnetwork(c(4, 2.5, 3), tr, 30, 10, 0.5)
    neuralnetwork("4-40-3", tr, 30, 10, 0.5)
    neuralnetwork(c(5, 40, 3), tr, 30, 10, 0.5)
    neuralnetwork(c(4, 40, 2), tr, 30, 10, 0.5)
    neuralnetwork(c(4, 40, 3), tr, -1, 10, 0.5)
    neuralnetwork(c(4, 40, 3), tr, 30, 2.5, 0.5)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, -1)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, Inf)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, C = "mae")
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, verbose = "yes")
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, activation = "softmax")
    neuralnetwork(c(4, 40, 40, 3), tr, 30, 10, 0.5, activation = c("relu", "tanh", "relu"))
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, output = "linear")
    neuralnetwork(c(4, 40, 1), list(x = iris[, 1:4], y = iris$Species == "setosa"), 30, 10,
                  0.5, output = "softmax", C = "mse")
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, slope = -1)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, init = "glorot")
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, optimizer = "adagrad")
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, momentum = 1)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, beta2 = -0.1)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, epsilon = 0)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, l2 = -1)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, dropout = 1)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, dropout = c(0.1, 0.2))
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, patience = 0)
    neuralnetwork(c(4, 40, 3), tr, 30, 10, 0.5, patience = 5, validation_data = NULL)
  })
})

test_that("bad data get clear errors", {
  x <- as.matrix(iris[, 1:4])
  expect_snapshot(error = TRUE, {
    neuralnetwork(c(4, 5, 3), iris, 1, 10, 0.5)
    neuralnetwork(c(4, 5, 3), x, 1, 10, 0.5)
    neuralnetwork(c(4, 5, 3), list(x = x, y = iris$Species[-1]), 1, 10, 0.5)
    neuralnetwork(c(4, 5, 3), list(x = iris[, c(1:3, 5)], y = iris$Species), 1, 10, 0.5)
    neuralnetwork(c(4, 5, 3), list(x = x, y = replace(iris$Species, 3, NA)), 1, 10, 0.5)
    neuralnetwork(c(4, 5, 3), list(x = replace(x, 7, NA), y = iris$Species), 1, 10, 0.5)
    neuralnetwork(c(4, 5, 1), list(x = x, y = x[, 1]), 1, 10, 0.5)
    neuralnetwork(c(4, 5, 3), list(x = x, y = as.list(iris$Species)), 1, 10, 0.5)
    neuralnetwork(c(4, 5, 3), list(list(x = 1:4, y = c(1, 0, 0)), list(x = 1:3, y = c(0, 1, 0))),
                  1, 10, 0.5)
    neuralnetwork(c(4, 5, 3), list(list(x = 1:4, y = c(1, 0, 0)), list(x = 1:4, y = c(0, 1))),
                  1, 10, 0.5)
  })
})
