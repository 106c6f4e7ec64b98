# linear_reg(), logistic_reg(), softmax_reg(): exact cases against the
# articles' printed numbers, comparisons with lm(), glm() and
# nnet::multinom(), the C loop against a plain R loop, and every error.

article_linear <- function() {
  set.seed(1234567)
  x <- runif(100, -5, 5)
  list(x = x, y = x + rnorm(100) + 3)
}

# Versicolor vs virginica. The article's printed coefficients (105.17 for
# Petal.Length) come from dividing both columns by the largest value of the
# two (7.9); dividing each by its own maximum gives 91.86 instead, with the
# same intercept, Sepal.Length coefficient and log-likelihood.
article_iris <- function(common_max = TRUE) {
  vv <- iris[51:150, ]
  X <- as.matrix(vv[, c("Sepal.Length", "Petal.Length")])
  X <- if (common_max) X / max(X) else sweep(X, 2, apply(X, 2, max), "/")
  list(X = X, y = vv$Species == "virginica", species = vv$Species)
}

# Three overlapping Gaussian classes in the plane.
three_classes <- function(n = 150, seed = 1) {
  set.seed(seed)
  cls <- rep(1:3, length.out = n)
  mu <- rbind(c(0, 0), c(1.5, 0.5), c(0.5, 1.5))
  X <- mu[cls, ] + matrix(rnorm(2 * n), n)
  colnames(X) <- c("u", "v")
  list(X = X, y = factor(c("a", "b", "c")[cls]))
}

# ---- linear regression ----

test_that("both methods reproduce the article's linear coefficients", {
  d <- article_linear()
  ols <- linear_reg(d$x, d$y)
  gd <- linear_reg(d$x, d$y, method = "gd", epochs = 200, lr = 0.1)
  expect_named(coef(ols), c("(Intercept)", "x1"))
  expect_equal(round(unname(coef(ols)), 6), c(2.945535, 0.951942))
  expect_equal(round(unname(coef(gd)), 6), c(2.945535, 0.951942))
  expect_null(ols$history)
  expect_length(gd$history, 200)
  expect_true(all(diff(gd$history) <= 1e-14))
  expect_equal(gd$history[200], gd$loss)
})

test_that("OLS matches lm() on random full-rank designs", {
  for (seed in 1:5) {
    set.seed(seed)
    n <- 20 + 10 * seed
    df <- as.data.frame(matrix(rnorm(n * seed), n))
    df$w <- runif(n) > 0.5
    y <- drop(as.matrix(df) %*% rnorm(seed + 1)) + rnorm(n)
    fit <- linear_reg(df, y)
    ref <- lm(y ~ ., data = df)
    expect_equal(unname(coef(fit)), unname(coef(ref)), tolerance = 1e-8)
    expect_equal(names(coef(fit)), c("(Intercept)", names(df)))
    expect_equal(predict(fit), unname(fitted(ref)), tolerance = 1e-8)
    expect_equal(c(logLik(fit)), c(logLik(ref)), tolerance = 1e-8)
    expect_equal(attr(logLik(fit), "df"), attr(logLik(ref), "df"))
  }
})

test_that("gradient descent follows the plain R loop step by step", {
  d <- article_linear()
  X <- cbind(1, d$x)
  b <- matrix(0.1, 2, 1)
  loss <- numeric(25)
  for (e in 1:25) {
    b <- b - 0.05 * t(X) %*% (X %*% b - d$y) / 100
    loss[e] <- mean((X %*% b - d$y)^2)
  }
  fit <- linear_reg(d$x, d$y, method = "gd", epochs = 25, lr = 0.05)
  expect_equal(unname(coef(fit)), drop(b), tolerance = 1e-13)
  expect_equal(fit$history, loss, tolerance = 1e-13)
})

test_that("gradient descent fits a rank-deficient design that OLS refuses", {
  set.seed(3)
  x <- cbind(a = rnorm(30), b = rnorm(30))
  x <- cbind(x, c = x[, "a"] - 2 * x[, "b"])
  y <- 1 + x[, "a"] + rnorm(30)
  expect_error(linear_reg(x, y), "column 'c' is a linear combination")
  fit <- linear_reg(x, y, method = "gd", epochs = 2000, lr = 0.1)
  expect_equal(predict(fit), unname(fitted(lm(y ~ x))), tolerance = 1e-8)
})

test_that("linear predict() checks and matches newdata", {
  d <- article_linear()
  fit <- linear_reg(d$x, d$y)
  expect_equal(predict(fit, c(0, 1)), unname(coef(fit)[1] + coef(fit)[2] * c(0, 1)))
  expect_equal(predict(fit), unname(fit$fitted.values))
  df <- data.frame(s = d$x, t = d$x^2)
  fit2 <- linear_reg(df, d$y)
  swapped <- data.frame(extra = "text", t = df$t, s = df$s)
  expect_equal(predict(fit2, swapped), predict(fit2, df))
  expect_equal(predict(fit2, unname(as.matrix(df))), predict(fit2, df))
})

# ---- logistic regression ----

test_that("300000 epochs at lr 5 reproduce the article and glm()", {
  d <- article_iris()
  expect_output(fit <- logistic_reg(d$X, d$y, epochs = 300000, lr = 5),
                "Log-likelihood after 300000 epochs: -11.9252")
  expect_equal(round(unname(coef(fit)), 2), c(-39.84, -31.73, 105.17))
  expect_equal(round(c(logLik(fit)), 3), -11.925)
  ref <- glm(d$y ~ d$X, family = binomial)
  expect_equal(signif(unname(coef(fit)), 3), signif(unname(coef(ref)), 3))
  expect_equal(signif(c(logLik(fit)), 3), signif(c(logLik(ref)), 3))
  expect_equal(attr(logLik(fit), "df"), attr(logLik(ref), "df"))
  expect_equal(attr(logLik(fit), "nobs"), attr(logLik(ref), "nobs"))
  expect_equal(predict(fit, d$X), unname(fitted(ref)), tolerance = 1e-5)
})

test_that("with each column divided by its own maximum it still matches glm()", {
  d <- article_iris(common_max = FALSE)
  fit <- logistic_reg(d$X, d$y, epochs = 300000, lr = 5, verbose = FALSE)
  ref <- glm(d$y ~ d$X, family = binomial)
  expect_equal(signif(unname(coef(fit)), 3), signif(unname(coef(ref)), 3))
  expect_equal(AIC(fit), AIC(ref), tolerance = 1e-6)
})

test_that("logistic gradient descent follows the plain R loop", {
  d <- article_iris()
  X <- cbind(1, d$X)
  y <- as.numeric(d$y)
  b <- matrix(1, 3, 1)
  loss <- numeric(40)
  for (e in 1:40) {
    b <- b - 5 * t(X) %*% (1 / (1 + exp(-X %*% b)) - y) / 100
    p <- 1 / (1 + exp(-X %*% b))
    loss[e] <- -mean(y * log(p) + (1 - y) * log(1 - p))
  }
  fit <- logistic_reg(d$X, d$y, epochs = 40, lr = 5, verbose = FALSE)
  expect_equal(unname(coef(fit)), unname(drop(b)), tolerance = 1e-13)
  expect_equal(fit$history, loss, tolerance = 1e-13)
})

test_that("y may be logical, 0/1 or a two-level factor, and predict() follows it", {
  d <- article_iris()
  f_lgl <- logistic_reg(d$X, d$y, 500, 5, verbose = FALSE)
  f_num <- logistic_reg(d$X, as.integer(d$y), 500, 5, verbose = FALSE)
  f_fac <- logistic_reg(d$X, d$species, 500, 5, verbose = FALSE)
  expect_equal(coef(f_num), coef(f_lgl))
  expect_equal(coef(f_fac), coef(f_lgl))
  expect_type(predict(f_lgl, d$X, type = "class"), "logical")
  expect_equal(predict(f_num, d$X, type = "class"),
               as.numeric(predict(f_lgl, d$X, type = "class")))
  cls <- predict(f_fac, d$X, type = "class")
  expect_equal(levels(cls), c("versicolor", "virginica"))
  expect_equal(cls == "virginica", predict(f_lgl, d$X, type = "class"))
  expect_equal(predict(f_lgl, d$X), plogis(predict(f_lgl, d$X, type = "link")))
  expect_equal(predict(f_lgl, type = "link"), predict(f_lgl, d$X, type = "link"))
})

test_that("logistic loss stays finite far from the decision boundary", {
  x <- c(-3, -2, -1, 1, 2, 3)
  fit <- logistic_reg(x * 100, x > 0, epochs = 200, lr = 50, verbose = FALSE)
  expect_true(all(is.finite(fit$history)))
  expect_lt(fit$loss, 1e-10)
  expect_equal(predict(fit, c(-1, 1), type = "class"), c(FALSE, TRUE))
})

# ---- softmax regression ----

test_that("softmax probabilities match nnet::multinom()", {
  skip_if_not_installed("nnet")
  d <- three_classes()
  fit <- softmax_reg(d$X, d$y, epochs = 2000, lr = 1, verbose = FALSE)
  ref <- nnet::multinom(d$y ~ d$X, trace = FALSE, maxit = 1000,
                        reltol = 1e-14, abstol = 1e-14)
  prob <- predict(fit, d$X, type = "prob")
  expect_lt(max(abs(prob - unname(fitted(ref)))), 1e-4)
  expect_equal(c(logLik(fit)), c(logLik(ref)), tolerance = 1e-8)
  expect_equal(attr(logLik(fit), "df"), attr(logLik(ref), "df"))
  expect_equal(predict(fit, d$X), unname(predict(ref)))
})

test_that("softmax coefficients, classes and probabilities have the right shape", {
  d <- three_classes()
  fit <- softmax_reg(d$X, d$y, epochs = 300, lr = 1, verbose = FALSE)
  expect_equal(dimnames(coef(fit)), list(c("(Intercept)", "u", "v"), c("a", "b", "c")))
  expect_equal(unname(rowSums(coef(fit))), c(0, 0, 0), tolerance = 1e-12)
  prob <- predict(fit, d$X[1:5, ], type = "prob")
  expect_equal(dim(prob), c(5L, 3L))
  expect_equal(rowSums(prob), rep(1, 5))
  cls <- predict(fit, d$X[1:5, ])
  expect_s3_class(cls, "factor")
  expect_equal(levels(cls), c("a", "b", "c"))
  expect_equal(as.integer(cls), max.col(prob))
  expect_length(fit$history, 300)
})

test_that("softmax gradient descent follows the plain R loop", {
  d <- three_classes(30)
  X <- cbind(1, d$X)
  Y <- outer(as.integer(d$y), 1:3, "==") * 1
  W <- matrix(0, 3, 3)
  loss <- numeric(20)
  for (e in 1:20) {
    P <- exp(X %*% W)
    P <- P / rowSums(P)
    W <- W - 0.7 * t(X) %*% (P - Y) / 30
    P <- exp(X %*% W)
    P <- P / rowSums(P)
    loss[e] <- -mean(log(P[Y == 1]))
  }
  fit <- softmax_reg(d$X, d$y, epochs = 20, lr = 0.7, verbose = FALSE)
  expect_equal(unname(coef(fit)), unname(W), tolerance = 1e-13)
  expect_equal(fit$history, loss, tolerance = 1e-13)
})

test_that("softmax takes integer labels, drops unused levels, and stays stable", {
  d <- three_classes(60)
  f_int <- softmax_reg(d$X, as.integer(d$y) + 4L, 50, 1, verbose = FALSE)
  expect_equal(colnames(coef(f_int)), c("5", "6", "7"))
  y2 <- factor(ifelse(d$y == "a", "a", "b"), levels = c("a", "b", "zz"))
  f_two <- softmax_reg(d$X, y2, 50, 1, verbose = FALSE)
  expect_equal(levels(predict(f_two)), c("a", "b"))
  expect_output(softmax_reg(d$X, d$y, 10, 1), "Log-likelihood after 10 epochs")
  big <- softmax_reg(d$X * 1e4, d$y, 20, 10, verbose = FALSE)
  expect_true(all(is.finite(big$history)))
  expect_true(all(is.finite(predict(big, d$X * 1e4, type = "prob"))))
})

# ---- shared methods ----

test_that("print() and summary() read well", {
  d <- article_linear()
  expect_snapshot(print(linear_reg(d$x, d$y)))
  expect_snapshot(summary(linear_reg(data.frame(x = d$x), d$y, "gd", 20, 0.1)))
  i <- article_iris()
  fit <- logistic_reg(i$X, i$species, 100, 5, verbose = FALSE)
  expect_snapshot(print(fit))
  expect_snapshot(summary(fit))
  s <- three_classes(60)
  expect_snapshot(summary(softmax_reg(s$X, s$y, 100, 1, verbose = FALSE)))
})

test_that("summary() and logLik() carry the usual fields", {
  d <- article_linear()
  fit <- linear_reg(d$x, d$y)
  s <- summary(fit)
  expect_s3_class(s, "summary.nnfs_regression")
  expect_equal(s$r.squared, summary(lm(d$y ~ d$x))$r.squared)
  expect_equal(s$sigma, summary(lm(d$y ~ d$x))$sigma)
  ll <- logLik(logistic_reg(d$x, d$y > 3, 10, 1, verbose = FALSE))
  expect_s3_class(ll, "logLik")
  expect_equal(attr(ll, "nobs"), 100L)
  expect_equal(attr(ll, "df"), 2L)
})

test_that("fits survive saveRDS() and readRDS()", {
  d <- article_iris()
  fit <- logistic_reg(d$X, d$y, 100, 5, verbose = FALSE)
  path <- tempfile(fileext = ".rds")
  saveRDS(fit, path)
  expect_equal(predict(readRDS(path), d$X), predict(fit, d$X))
})

# ---- errors ----

test_that("bad X and y are rejected with clear messages", {
  d <- article_linear()
  expect_snapshot(error = TRUE, {
    linear_reg(letters, 1:26)
    linear_reg(data.frame(a = 1:3, b = c("x", "y", "z")), 1:3)
    linear_reg(c(1, NA, 3), 1:3)
    linear_reg(c(1, Inf, 3), 1:3)
    linear_reg(list(1, 2), 1:2)
    linear_reg(d$x, as.character(d$y))
    linear_reg(d$x, c(d$y[-1], NaN))
    linear_reg(d$x, d$y[-1])
    logistic_reg(1:4, c(0, 1, 2, 1), 10, 1)
    logistic_reg(1:4, c(0, 1, NA, 1), 10, 1)
    logistic_reg(1:4, c("a", "b", "a", "b"), 10, 1)
    logistic_reg(1:3, factor(c("a", "b", "c")), 10, 1)
    logistic_reg(1:4, c(TRUE, FALSE, TRUE), 10, 1)
    softmax_reg(1:4, c(1, 1, 1, 1), 10, 1)
    softmax_reg(1:4, c(1, 2, 2.5, 1), 10, 1)
    softmax_reg(1:4, factor(c("a", NA, "b", "a")), 10, 1)
    softmax_reg(1:4, list(1, 2, 1, 2), 10, 1)
  })
})

test_that("rank-deficient designs are named for OLS", {
  set.seed(2)
  x <- cbind(x1 = rnorm(10), x2 = rnorm(10))
  expect_snapshot(error = TRUE, {
    linear_reg(cbind(x, x3 = x[, 1] + x[, 2]), rnorm(10))
    linear_reg(cbind(x, level = 5), rnorm(10))
    linear_reg(unname(cbind(x, 2 * x[, 2])), rnorm(10))
    linear_reg(x[1:2, ], 1:2)
  })
})

test_that("bad method, epochs, lr and verbose are rejected", {
  expect_snapshot(error = TRUE, {
    linear_reg(1:5, 1:5, method = "qr")
    linear_reg(1:5, 1:5, "gd", epochs = 0)
    linear_reg(1:5, 1:5, "gd", epochs = 2.5)
    logistic_reg(1:4, c(0, 1, 0, 1), epochs = "10", lr = 1)
    logistic_reg(1:4, c(0, 1, 0, 1), epochs = c(10, 20), lr = 1)
    logistic_reg(1:4, c(0, 1, 0, 1), epochs = 10, lr = 0)
    softmax_reg(1:4, c(1, 2, 1, 2), epochs = 10, lr = Inf)
    softmax_reg(1:4, c(1, 2, 1, 2), epochs = 10, lr = -1)
    softmax_reg(1:4, c(1, 2, 1, 2), epochs = 10, lr = 1, verbose = NA)
  })
})

test_that("bad type and newdata are rejected", {
  d <- three_classes(30)
  lin <- linear_reg(d$X, rnorm(30))
  lo <- logistic_reg(d$X, d$y == "a", 10, 1, verbose = FALSE)
  so <- softmax_reg(d$X, d$y, 10, 1, verbose = FALSE)
  expect_snapshot(error = TRUE, {
    predict(lin, d$X, type = "class")
    predict(lo, d$X, type = "prob")
    predict(so, d$X, type = "response")
    predict(lin, d$X[, 1])
    predict(lo, data.frame(u = 1, w = 2))
    predict(so, data.frame(u = "a", v = 2))
    predict(so, rbind(d$X, c(NA, 1)))
  })
})

test_that("a diverging gradient descent warns", {
  d <- article_linear()
  expect_snapshot(fit <- linear_reg(d$x, d$y, "gd", epochs = 200, lr = 10))
  expect_false(is.finite(fit$loss))
  # the engine stops at the first epoch whose loss is not finite and keeps
  # the coefficients of the epoch before, with one loss per epoch completed
  expect_lt(fit$epochs_run, 200L)
  expect_length(fit$history, fit$epochs_run)
  expect_true(all(is.finite(coef(fit))))
  expect_true(all(is.finite(head(fit$history, -1L))))
  expect_equal(fit$history[fit$epochs_run], fit$loss)
  # a loss that overflows in the last epoch run is caught after the engine
  expect_warning(last <- linear_reg(d$x, d$y, "gd", epochs = fit$epochs_run, lr = 10),
                 "in epoch 83", class = "nnfs_warning_diverged")
  expect_equal(coef(last), coef(fit))
})

# ---- the network engine's extras: optimizers, penalties, early stopping ----

test_that("Adam reaches glm()'s coefficients where plain descent has not yet", {
  X <- scale(mtcars[, c("mpg", "wt")])
  ref <- glm(mtcars$am ~ X, family = binomial)
  adam <- logistic_reg(X, mtcars$am, 2000, 0.1, optimizer = "adam", verbose = FALSE)
  sgd <- logistic_reg(X, mtcars$am, 2000, 0.1, verbose = FALSE)
  expect_equal(unname(coef(adam)), unname(coef(ref)), tolerance = 1e-6)
  expect_gt(max(abs(coef(sgd) - coef(ref))), 0.1)
  expect_equal(adam$optimizer, "adam")
  expect_match(summary(adam)$title, "(adam, 2000 epochs, lr 0.1)", fixed = TRUE)
})

test_that("l2 and l1 follow the plain R loop, penalising all but the intercept", {
  d <- article_linear()
  X <- cbind(1, d$x, d$x^2 / 10)
  no_intercept <- c(0, 1, 1)
  b <- matrix(0.1, 3, 1)
  for (e in 1:60)
    b <- b - 0.02 * (t(X) %*% (X %*% b - d$y) / 100 + 0.7 * no_intercept * b)
  fit <- linear_reg(cbind(d$x, d$x^2 / 10), d$y, "gd", epochs = 60, lr = 0.02,
                    l2 = 0.7)
  expect_equal(unname(coef(fit)), drop(b), tolerance = 1e-10)
  # the loss recorded stays the unpenalised mean squared error
  expect_equal(fit$loss, mean((X %*% b - d$y)^2), tolerance = 1e-10)

  i <- article_iris()
  Xi <- cbind(1, i$X)
  w <- matrix(1, 3, 1)
  for (e in 1:50) {
    g <- t(Xi) %*% (plogis(Xi %*% w) - i$y) / 100
    w <- w - 2 * (g + no_intercept * (0.05 * w + 0.01 * sign(w)))
  }
  lfit <- logistic_reg(i$X, i$y, 50, 2, verbose = FALSE, l1 = 0.01, l2 = 0.05)
  expect_equal(unname(coef(lfit)), unname(drop(w)), tolerance = 1e-10)

  s <- three_classes(30)
  Xs <- cbind(1, s$X)
  Y <- outer(as.integer(s$y), 1:3, "==") * 1
  W <- matrix(0, 3, 3)
  for (e in 1:30) {
    P <- exp(Xs %*% W)
    P <- P / rowSums(P)
    W <- W - 0.5 * (t(Xs) %*% (P - Y) / 30 + 0.2 * no_intercept * W)
  }
  sfit <- softmax_reg(s$X, s$y, 30, 0.5, verbose = FALSE, l2 = 0.2)
  expect_equal(unname(coef(sfit)), unname(W), tolerance = 1e-10)
})

test_that("l2 shrinks the coefficients towards 0 but not the intercept", {
  d <- article_linear()
  plain <- linear_reg(d$x, d$y, "gd", epochs = 500, lr = 0.05)
  ridge <- linear_reg(d$x, d$y, "gd", epochs = 500, lr = 0.05, l2 = 1)
  expect_lt(abs(coef(ridge)[[2]]), abs(coef(plain)[[2]]) - 0.1)
  # at the optimum of the penalised loss the intercept's gradient is 0:
  # the mean residual, not pulled towards 0 by the penalty
  expect_equal(mean(d$y - predict(ridge)), 0, tolerance = 1e-8)
  expect_gt(coef(ridge)[[1]], coef(plain)[[1]] - 0.5)
})

test_that("patience stops early and keeps the best epoch's coefficients", {
  set.seed(42)
  Z <- matrix(rnorm(40 * 20), 40)
  y <- Z[, 1] + rnorm(40)
  set.seed(3)
  fit <- linear_reg(Z, y, "gd", epochs = 2000, lr = 0.05, patience = 10,
                    validation_split = 0.3)
  expect_lt(fit$epochs_run, 2000L)
  expect_equal(fit$epochs_run - fit$best_epoch, 10L)
  expect_equal(fit$best_epoch, which.min(fit$val_history))
  expect_length(fit$val_history, fit$epochs_run)
  held <- fit$held_out
  expect_length(held, 12L)
  expect_equal(fit$nobs, 28L)
  expect_equal(fit$y, y[-held])
  # the held-out loss of the coefficients kept is the lowest one recorded
  expect_equal(mean((predict(fit, Z[held, ]) - y[held])^2), min(fit$val_history),
               tolerance = 1e-10)
  # the same split trained for best_epoch epochs gives the same coefficients
  set.seed(3)
  short <- linear_reg(Z, y, "gd", epochs = fit$best_epoch, lr = 0.05,
                      validation_split = 0.3)
  expect_equal(short$held_out, held)
  expect_equal(coef(fit), coef(short), tolerance = 1e-12)
  expect_equal(fit$history[seq_len(fit$best_epoch)], short$history, tolerance = 1e-12)
  expect_true(is.na(fit$history[fit$epochs_run]))
  k <- fit$best_epoch
  expect_equal(summary(fit)$loss_change, fit$history[k] - fit$history[k - 1L])
  expect_true(any(grepl(paste0("after epoch ", k, " (the best)"),
                        capture.output(summary(fit)), fixed = TRUE)))
  expect_equal(fit$loss, short$loss, tolerance = 1e-12)
})

test_that("bad settings of the engine's extras are rejected", {
  expect_snapshot(error = TRUE, {
    linear_reg(1:5, 1:5, "gd", optimizer = "lbfgs")
    logistic_reg(1:4, c(0, 1, 0, 1), 10, 1, l2 = -1)
    softmax_reg(1:4, c(1, 2, 1, 2), 10, 1, l1 = NA)
    linear_reg(1:5, 1:5, "gd", patience = 3)
    linear_reg(1:5, 1:5, "gd", patience = 0, validation_split = 0.2)
    linear_reg(1:5, 1:5, "gd", validation_split = 1)
    linear_reg(1:5, 1:5, "gd", validation_split = 0.01)
    linear_reg(1:5, 1:5, l2 = 0.1)
    linear_reg(1:5, 1:5, optimizer = "adam")
  })
})
