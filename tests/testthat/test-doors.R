# The formula and x/y doors of neuralnetwork() and the regressions, the
# input encoding kept in the model, honest validation, progress messages
# and classed conditions.

test_that("formula, x/y and the articles' call give identical networks", {
  set.seed(1)
  f <- neuralnetwork(Species ~ ., data = iris, hidden = 6, epochs = 5)
  set.seed(1)
  xy <- neuralnetwork(iris[, 1:4], iris$Species, hidden = 6, epochs = 5)
  set.seed(1)
  named <- neuralnetwork(x = iris[, 1:4], y = iris$Species, hidden = 6, epochs = 5)
  # the articles' call with the same standardised inputs and settings
  X <- scale(as.matrix(iris[, 1:4]))
  set.seed(1)
  art <- neuralnetwork(c(4, 6, 3), list(x = X, y = iris$Species), 5, 32, 0.01,
                       activation = "relu", output = "softmax", init = "he",
                       optimizer = "adam")
  expect_identical(f[[2]], xy[[2]])
  expect_identical(xy[[2]], named[[2]])
  expect_equal(xy[[2]], art[[2]], tolerance = 1e-14)
  expect_equal(unclass(xy[[1]])[1:2], unclass(art[[1]])[1:2], tolerance = 1e-14)
  # the doors' defaults and choices from y
  expect_identical(f$sizes, c(4L, 6L, 3L))
  expect_identical(f$settings$optimizer, "adam")
  expect_identical(attr(f[[1]], "activation"), c("relu", "softmax"))
  expect_identical(f$settings$C, "ce")
  expect_equal(nrow(neuralnetwork(Species ~ ., iris, epochs = 2)$history), 2L)
  expect_identical(neuralnetwork(Species ~ ., iris, epochs = 1)$sizes, c(4L, 10L, 3L))
  # softmax outputs: class probabilities that sum to one
  p <- predict(f, iris, type = "prob")
  expect_equal(unname(rowSums(p)), rep(1, 150), tolerance = 1e-12)
})

test_that("the model encodes raw rows as it encoded its training data", {
  set.seed(2)
  fit <- neuralnetwork(Species ~ Petal.Length + Petal.Width, iris, hidden = 5, epochs = 30)
  X <- cbind((iris$Petal.Length - mean(iris$Petal.Length)) / sd(iris$Petal.Length),
             (iris$Petal.Width - mean(iris$Petal.Width)) / sd(iris$Petal.Width))
  # the raw data frame and the standardised matrix give the same outputs
  expect_equal(predict(fit, iris, type = "raw"),
               nnfs:::engine_predict(fit$layers, nnfs:::network_params(fit), X),
               tolerance = 1e-14)
  expect_gt(mean(predict(fit, iris) == iris$Species), 0.9)
  # factors become indicators; new levels and missing columns are errors
  df <- data.frame(a = c(1, 2, 3, 4, 5, 6), g = c("u", "v", "u", "v", "u", "v"),
                   y = c(1.5, 2.1, 3.4, 4.2, 5.6, 6.1))
  set.seed(3)
  r <- neuralnetwork(y ~ a + g, df, hidden = 3, epochs = 20)
  expect_identical(r$preprocess$features, c("a", "g_u", "g_v"))
  expect_length(predict(r, df[1:2, ]), 2L)
  expect_snapshot(error = TRUE, {
    predict(r, data.frame(a = 1, g = "w"))
    predict(r, data.frame(g = "u"))
    predict(fit, iris[, 1:3])
  })
})

test_that("pairs from train_test_from_df() carry their scaling into the model", {
  set.seed(4)
  d <- train_test_from_df(iris, 5, 0.7)
  net <- neuralnetwork(c(4, 10, 3), d[[1]], 20, 10, 0.5)
  # every flower, encoded by the pairs' own scaling, against the raw rows
  set.seed(5)
  all <- train_test_from_df(iris, 5, 1, shuffle_input = FALSE)
  expect_identical(attr(all[[1]], "scale"), attr(d[[1]], "scale"))
  expect_identical(predict(net, iris[, 1:4]), predict(net, all[[1]]))
  expect_identical(predict(net, iris), predict(net, all[[1]]))
  # a matrix is taken as already encoded, like the pairs' own x
  expect_false(identical(predict(net, as.matrix(iris[, 1:4]), type = "raw"),
                         predict(net, iris[, 1:4], type = "raw")))
})

test_that("validation is held-out data or nothing", {
  set.seed(6)
  d <- train_test_from_df(iris, 5, 0.7)
  net <- neuralnetwork(c(4, 5, 3), d[[1]], 3, 10, 0.5)
  expect_true(all(is.na(net$history$val_loss)))
  expect_false(any(grepl("validation", capture.output(print(net)))))
  set.seed(7)
  v <- neuralnetwork(Species ~ ., iris, hidden = 4, epochs = 3, validation_split = 0.2)
  expect_false(anyNA(v$history$val_loss))
  expect_true(any(grepl("validation", capture.output(print(v)))))
  # the held-out rows are drawn with R's RNG: the same seed, the same split
  set.seed(7)
  v2 <- neuralnetwork(Species ~ ., iris, hidden = 4, epochs = 3, validation_split = 0.2)
  expect_identical(v2$history, v$history)
  set.seed(8)
  es <- neuralnetwork(Species ~ ., iris, hidden = 4, epochs = 30,
                      validation_split = 0.3, patience = 2)
  expect_false(is.na(es$best_epoch))
  vd <- neuralnetwork(Species ~ ., iris[1:120, ], hidden = 4, epochs = 2,
                      validation_data = iris[121:150, ])
  expect_false(anyNA(vd$history$val_accuracy))
  expect_snapshot(error = TRUE, {
    neuralnetwork(Species ~ ., iris, epochs = 2, patience = 3)
    neuralnetwork(c(4, 5, 3), d[[1]], 3, 10, 0.5, patience = 3)
    neuralnetwork(Species ~ ., iris, epochs = 2, validation_split = 1)
    neuralnetwork(Species ~ ., iris, epochs = 2, validation_split = -0.1)
    neuralnetwork(c(4, 5, 3), d[[1]], 3, 10, 0.5, validation_data = d[[2]],
                  validation_split = 0.2)
  })
})

test_that("regression networks report loss and RMSE, never accuracy", {
  set.seed(9)
  r <- neuralnetwork(mpg ~ wt + hp, mtcars, hidden = 4, epochs = 50,
                     validation_split = 0.25)
  expect_false("accuracy" %in% names(r$history))
  expect_true(all(c("rmse", "val_rmse") %in% names(r$history)))
  expect_equal(r$history$rmse, sqrt(2 * r$history$loss), tolerance = 1e-12)
  out <- c(capture.output(print(r)), capture.output(print(summary(r))))
  expect_false(any(grepl("accuracy", out)))
  expect_true(any(grepl("RMSE", out)))
  expect_message(neuralnetwork(mpg ~ wt, mtcars, hidden = 2, epochs = 1, verbose = TRUE),
                 "Epoch 1/1: loss [0-9.]+, RMSE [0-9.]+")
  e <- evaluate(r, list(x = mtcars, y = mtcars$mpg))
  expect_equal(e$rmse, sqrt(mean((predict(r, mtcars) - mtcars$mpg)^2)))
  expect_equal(evaluate(r, mtcars)$rmse, e$rmse)
})

test_that("training progress is a message that suppressMessages() silences", {
  msgs <- capture_messages(neuralnetwork(Species ~ ., iris, hidden = 3, epochs = 2,
                                         verbose = TRUE))
  expect_length(msgs, 2L)
  expect_match(msgs, "^Epoch [12]/2: loss [0-9.]+, accuracy [0-9.]+\n$")
  expect_silent(suppressMessages(
    neuralnetwork(Species ~ ., iris, hidden = 3, epochs = 2, verbose = TRUE)))
  expect_silent(neuralnetwork(Species ~ ., iris, hidden = 3, epochs = 2))
  out <- capture.output(suppressMessages(
    c0 <- cnn(list(layer_conv2d(2, 3), layer_flatten(), layer_dense(2, "softmax")),
        list(x = array(runif(4 * 6 * 6), c(4, 6, 6)), y = factor(c("a", "b", "a", "b"))),
        2, 2, 0.1, verbose = TRUE)))
  expect_identical(out, character())
})

test_that("errors are classed by kind", {
  kind <- function(expr) tryCatch(expr, nnfs_error = function(e) class(e)[1L])
  expect_identical(kind(neuralnetwork(Species ~ ., iris, hidden = 0)),
                   "nnfs_error_argument")
  set.seed(1)
  net <- neuralnetwork(Species ~ ., iris, hidden = 3, epochs = 1)
  edited <- net
  edited$weights[[1]] <- edited$weights[[1]][, 1:2]
  expect_identical(kind(predict(edited, iris)), "nnfs_error_model")
  expect_identical(kind(neuralnetwork(Species ~ ., iris, hidden = 4, epochs = 1,
                                      warm_start = net)), "nnfs_error_model")
  bad <- tempfile()
  writeBin(as.raw(1:3), bad)
  expect_identical(kind(read_idx(bad)), "nnfs_error_data")
  expect_error(linear_reg(1:3, 1:2), class = "nnfs_error_argument")
  expect_error(feedforward(1, list(1), list(matrix(1))), NA)
})

test_that("the regressions take a formula", {
  set.seed(1234567)
  df <- data.frame(x = runif(100, -5, 5), g = factor(rep(c("a", "b"), 50)))
  df$y <- df$x + (df$g == "b") + rnorm(100) + 3
  fit <- linear_reg(y ~ x + g, df)
  ref <- lm(y ~ x + g, df)
  expect_equal(unname(coef(fit)), unname(coef(ref)), tolerance = 1e-8)
  expect_equal(unname(predict(fit, df[1:5, ])), unname(predict(ref, df[1:5, ])),
               tolerance = 1e-8)
  x <- df$x
  y <- df$y
  expect_equal(unname(coef(linear_reg(y ~ x))), unname(coef(linear_reg(x, y))))
  vv <- droplevels(iris[51:150, ])
  lf <- logistic_reg(Species ~ Sepal.Length + Petal.Length, vv, 2000, 0.5, verbose = FALSE)
  lx <- logistic_reg(vv[, c("Sepal.Length", "Petal.Length")], vv$Species, 2000, 0.5,
                     verbose = FALSE)
  expect_equal(coef(lf), coef(lx))
  expect_identical(predict(lf, vv, type = "class"), predict(lx, vv, type = "class"))
  sf <- softmax_reg(Species ~ ., iris, 50, 0.1, verbose = FALSE)
  expect_equal(dim(sf), c(5L, 3L))
  expect_snapshot(error = TRUE, {
    linear_reg(Species ~ Sepal.Length, iris)
    linear_reg(nope ~ Sepal.Length, iris)
    logistic_reg(y ~ x, data.frame(x = 1:4, y = 1:4), 10, 1)
  })
})

test_that("bad calls of the R users' doors get clear errors", {
  expect_snapshot(error = TRUE, {
    neuralnetwork(Petal ~ ., iris)
    neuralnetwork(Species ~ ., iris[1:50, ])
    neuralnetwork(Species ~ ., iris, hidden = c(4, 0))
    neuralnetwork(Species ~ ., iris, hidden = 2.5)
    neuralnetwork(iris[, 1:4], iris$Species[1:10])
    neuralnetwork(iris[, 1:4])
    neuralnetwork(iris[, 1:4], as.list(iris$Species))
    neuralnetwork(Species ~ ., as.matrix(iris))
  })
})
