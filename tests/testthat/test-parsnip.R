# The "nnfs" engine of parsnip's mlp() (R/parsnip.R): registration, fit and
# predict for both modes, the mapping of parsnip's arguments onto
# neuralnetwork()'s, and the errors.

skip_if_not_installed("parsnip")

# A 70/30 split of a data frame, the same for a given seed.
split_rows <- function(data, seed = 1) {
  set.seed(seed)
  i <- sample(nrow(data), round(0.7 * nrow(data)))
  list(train = data[i, ], test = data[-i, ])
}

nnfs_spec <- function(mode, ..., engine_args = list()) {
  spec <- parsnip::mlp(...)
  spec <- do.call(parsnip::set_engine, c(list(spec, "nnfs"), engine_args))
  parsnip::set_mode(spec, mode)
}

test_that("the engine is registered for both modes of mlp()", {
  eng <- parsnip::show_engines("mlp")
  expect_setequal(eng$mode[eng$engine == "nnfs"], c("classification", "regression"))
  # registering again (nnfs reloaded in the same session) changes nothing
  expect_false(register_parsnip_engine())
  eng2 <- parsnip::show_engines("mlp")
  expect_identical(sum(eng2$engine == "nnfs"), 2L)
})

test_that("classification: fit on a split, predict classes and probabilities", {
  d <- split_rows(iris)
  spec <- nnfs_spec("classification", hidden_units = 7, epochs = 60,
                    learn_rate = 0.02, engine_args = list(mini_batch_size = 16))
  set.seed(2)
  f <- parsnip::fit(spec, Species ~ ., data = d$train)
  net <- f$fit
  expect_s3_class(net, "nnfs_network")
  # parsnip's arguments reached neuralnetwork()
  expect_equal(net$sizes, c(4, 7, 3))
  expect_identical(nrow(net$history), 60L)
  expect_equal(net$settings$lr, 0.02)
  expect_equal(net$settings$mini_batch_size, 16)
  expect_identical(net$levels, levels(iris$Species))

  cls <- predict(f, d$test)
  expect_named(cls, ".pred_class")
  expect_identical(nrow(cls), nrow(d$test))
  expect_identical(levels(cls$.pred_class), levels(iris$Species))
  prob <- predict(f, d$test, type = "prob")
  expect_named(prob, paste0(".pred_", levels(iris$Species)))
  expect_equal(rowSums(prob), rep(1, nrow(d$test)), tolerance = 1e-12)
  # the same numbers as the network's own predict(), and classes that are
  # the most probable ones
  own <- predict(net, d$test, type = "prob")
  expect_equal(unname(as.matrix(prob)), unname(own))
  expect_identical(as.integer(cls$.pred_class), max.col(as.matrix(prob), "first"))
  expect_gt(mean(cls$.pred_class == d$test$Species), 0.85)

  # the seed set before fit() reproduces the fit
  set.seed(2)
  f2 <- parsnip::fit(spec, Species ~ ., data = d$train)
  expect_identical(predict(f2, d$test, type = "prob"), prob)
})

test_that("a two-class outcome gets one probability column per class", {
  two <- droplevels(iris[iris$Species != "setosa", ])
  spec <- nnfs_spec("classification", hidden_units = 4, epochs = 30)
  set.seed(1)
  f <- parsnip::fit_xy(spec, x = two[, 1:4], y = two$Species)
  expect_equal(f$fit$sizes, c(4, 4, 2))
  prob <- predict(f, two[, 1:4], type = "prob")
  expect_named(prob, c(".pred_versicolor", ".pred_virginica"))
  cls <- predict(f, two[, 1:4])$.pred_class
  expect_identical(cls == "virginica", prob$.pred_virginica > prob$.pred_versicolor)
})

test_that("regression: fit on a split, predict numbers", {
  d <- split_rows(mtcars)
  # mpg is not standardised: steps of 0.05 on batches of 4 get the output
  # to its scale within the 150 epochs
  spec <- nnfs_spec("regression", hidden_units = c(8, 4), penalty = 0.001,
                    dropout = 0.1, epochs = 150, activation = "tanh",
                    learn_rate = 0.05,
                    engine_args = list(optimizer = "rmsprop", mini_batch_size = 4))
  set.seed(3)
  f <- parsnip::fit(spec, mpg ~ ., data = d$train)
  net <- f$fit
  expect_equal(net$sizes, c(10, 8, 4, 1))
  expect_identical(nrow(net$history), 150L)
  expect_equal(net$settings$l2, 0.001)
  expect_true(all(net$settings$dropout == 0.1))
  expect_true(all(net$settings$activation == "tanh"))
  expect_identical(net$settings$optimizer, "rmsprop")
  expect_identical(net$task, "regression")

  pred <- predict(f, d$test)
  expect_named(pred, ".pred")
  expect_type(pred$.pred, "double")
  expect_identical(nrow(pred), nrow(d$test))
  expect_equal(pred$.pred, unname(predict(net, d$test)))
  expect_equal(net$settings$mini_batch_size, 4)
  # on the held-out cars, better than their own mean would be
  expect_lt(sqrt(mean((pred$.pred - d$test$mpg)^2)), sd(d$test$mpg))
})

test_that("factor predictors reach the network raw and are encoded by it", {
  spec <- nnfs_spec("regression", hidden_units = 3, epochs = 5)
  set.seed(1)
  f <- parsnip::fit(spec, Sepal.Length ~ ., data = iris)
  # three numeric predictors and one indicator per level of Species
  expect_equal(f$fit$sizes[1], 6)
  new <- iris[c(1, 51, 101), ]
  expect_equal(predict(f, new)$.pred, unname(predict(f$fit, new)))
  # through fit_xy(), a level the network never saw reaches nnfs, which
  # refuses it naming the column
  set.seed(1)
  f <- parsnip::fit_xy(spec, x = iris[-1], y = iris$Sepal.Length)
  expect_equal(f$fit$sizes[1], 6)
  new <- new[-1]
  new$Species <- factor(c("setosa", "versicolor", "unknown"))
  expect_error(predict(f, new), "Species", class = "nnfs_error")
})

test_that("unset arguments take neuralnetwork()'s x/y defaults", {
  spec <- nnfs_spec("classification")
  set.seed(1)
  net <- parsnip::fit(spec, Species ~ ., data = iris)$fit
  set.seed(1)
  ref <- neuralnetwork(x = iris[, 1:4], y = iris$Species)
  expect_identical(net$sizes, ref$sizes)
  expect_identical(net$settings, ref$settings)
  expect_identical(net$weights, ref$weights)
})

test_that("unsupported modes, activations and engine arguments are errors", {
  # parsnip itself refuses a mode the engine was not registered for
  expect_error(parsnip::mlp(mode = "quantile regression", engine = "nnfs"),
               "classification.*regression")
  # the fit function checks the mode and the outcome when called directly
  x <- iris[, 1:4]
  expect_error(nnfs_mlp_fit(x, iris$Species, mode = "censored regression"),
               class = "nnfs_error_argument")
  expect_snapshot(error = TRUE, {
    nnfs_mlp_fit(x, iris$Species, mode = "censored regression")
    nnfs_mlp_fit(x, iris$Sepal.Width, mode = "classification")
    nnfs_mlp_fit(x, iris$Species, mode = "regression")
  })
  spec <- nnfs_spec("classification", activation = "elu")
  expect_error(parsnip::fit(spec, Species ~ ., data = iris),
               class = "nnfs_error")
  expect_snapshot(error = TRUE, {
    parsnip::fit(nnfs_spec("classification", activation = "elu"),
                 Species ~ ., data = iris)
    parsnip::fit(nnfs_spec("regression", activation = c("relu", "softmax")),
                 mpg ~ ., data = mtcars)
    parsnip::fit(nnfs_spec("regression", engine_args = list(batch_size = 8)),
                 mpg ~ ., data = mtcars)
  })
})

test_that("tune() on mlp()'s arguments tunes the nnfs network", {
  # Loading tune loads lubridate, which asks timedatectl for the time zone
  # (and warns where there is no systemd) unless TZ is set.
  tz_unset <- !nzchar(Sys.getenv("TZ"))
  if (tz_unset) Sys.setenv(TZ = "UTC")
  skip_if_not_installed("tune")
  skip_if_not_installed("rsample")
  set.seed(1)
  folds <- rsample::vfold_cv(iris, v = 2, strata = Species)
  spec <- nnfs_spec("classification", hidden_units = tune::tune(),
                    penalty = tune::tune(), epochs = 20)
  grid <- data.frame(hidden_units = c(2, 6), penalty = c(0, 0.01))
  ctrl <- tune::control_grid(extract = function(wf) {
    net <- parsnip::extract_fit_engine(wf)
    list(sizes = net$sizes, l2 = net$settings$l2)
  })
  res <- tune::tune_grid(spec, Species ~ ., resamples = folds, grid = grid,
                         control = ctrl)
  acc <- tune::collect_metrics(res)
  acc <- acc[acc$.metric == "accuracy", ]
  expect_identical(nrow(acc), 2L)
  expect_true(all(acc$mean > 0 & acc$mean <= 1))
  ex <- tune::collect_extracts(res)
  for (i in seq_len(nrow(ex))) {
    expect_equal(ex$.extracts[[i]]$sizes, c(4, ex$hidden_units[i], 3))
    expect_equal(ex$.extracts[[i]]$l2, ex$penalty[i])
  }
  if (tz_unset) Sys.unsetenv("TZ")
})
