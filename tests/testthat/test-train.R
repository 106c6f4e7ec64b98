# The engine path shared by every front door (R/train.R, src/train.c):
# thread-count independence, numerical safety and interrupts.

test_that("results do not depend on the number of threads", {
  on.exit(options(nnfs.threads = NULL))
  set.seed(1)
  x <- matrix(runif(600 * 300), 600)
  y <- factor(sample(letters[1:5], 600, TRUE))
  fit <- function(threads) {
    options(nnfs.threads = threads)
    set.seed(2)
    neuralnetwork(c(300, 256, 128, 5), list(x = x, y = y), 2, 128, 0.05,
                  activation = "relu", output = "softmax", optimizer = "adam",
                  validation_data = NULL)
  }
  expect_identical(fit(1)$weights, fit(2)$weights)
  imgs <- array(runif(200 * 12 * 12), c(200, 12, 12))
  lab <- factor(sample(1:3, 200, TRUE))
  fit_cnn <- function(threads) {
    options(nnfs.threads = threads)
    set.seed(3)
    cnn(list(layer_conv2d(6, 3), layer_maxpool2d(2), layer_flatten(),
             layer_dense(3, "softmax")), list(x = imgs, y = lab), 2, 32, 0.05)
  }
  expect_identical(fit_cnn(1)$weights, fit_cnn(2)$weights)
})

test_that("softmax and cross-entropy stay finite for logits of size 1000", {
  layers <- list(layer_spec("dense", 2, 3, "softmax"))
  params <- list(list(W = matrix(c(1000, -1000, 0, 0, 500, -500), 3), b = c(0, 0, 0)))
  x <- rbind(c(1, 1), c(-1, 2))
  a <- engine_predict(layers, params, x)
  expect_true(all(is.finite(a)))
  expect_equal(rowSums(a), c(1, 1))
  bp <- engine_backprop(layers, params, x, diag(3)[c(2, 3), ])
  expect_true(is.finite(bp$loss))
  expect_true(all(is.finite(unlist(bp$grads))))
})

test_that("zeros and constant columns in the data do not produce NaN", {
  set.seed(4)
  x <- cbind(0, 1, matrix(runif(100), 50))
  net <- neuralnetwork(c(4, 5, 2), list(x = x, y = rep(c("a", "b"), 25)), 5, 10, 0.5)
  expect_true(all(is.finite(unlist(net$weights))))
  expect_true(all(is.finite(net$history$loss)))
})

test_that("an interrupted training leaves the session usable", {
  set.seed(5)
  x <- matrix(runif(2000 * 100), 2000)
  y <- factor(sample(1:10, 2000, TRUE))
  expect_error({
    setTimeLimit(elapsed = 0.5, transient = TRUE)
    neuralnetwork(c(100, 200, 10), list(x = x, y = y), 10000, 1, 0.1)
  }, "time limit")
  setTimeLimit()
  net <- neuralnetwork(c(100, 20, 10), list(x = x, y = y), 1, 50, 0.1)
  expect_s3_class(net, "nnfs_network")
})

test_that("edited network objects get clear errors, never a crash", {
  set.seed(6)
  y <- factor(c("a", "b", "a", "b"))
  imgs <- array(seq(0, 1, length.out = 64), c(4, 4, 4))
  cn <- cnn(list(layer_conv2d(2, 2), layer_flatten(), layer_dense(2, "softmax")),
            list(x = imgs, y = y), 1, 2, 0.1)
  n <- neuralnetwork(c(16, 3, 2), list(x = matrix(imgs, 4), y = y), 1, 2, 0.1)
  edit <- function(net, f) { f(net) }
  expect_snapshot(error = TRUE, {
    predict(edit(cn, function(e) { e$layers[[1]]$geom[9] <- 0L; e }), imgs)
    predict(edit(cn, function(e) { e$layers[[1]]$geom[2] <- 1000000L; e }), imgs)
    predict(edit(n, function(e) { e$weights[[1]] <- e$weights[[1]][, 1:2]; e }), matrix(imgs, 4))
    predict(edit(n, function(e) { e$layers <- rev(e$layers); e }), matrix(imgs, 4))
    predict(edit(n, function(e) { e$layers[[2]]$act <- 99L; e }), matrix(imgs, 4))
    predict(edit(n, function(e) { e$weights[[2]][1] <- NA; e }), matrix(imgs, 4))
    predict(edit(n, function(e) { e$input_dim <- NULL; e }), matrix(imgs, 4))
    neuralnetwork(c(16, 3, 2), list(x = matrix(imgs, 4), y = y), 1, 2, 0.1,
                  warm_start = edit(n, function(e) { e$biases[[1]] <- 1:3; e }))
  })
  # the engine's own guards stop what gets past R, as R errors
  bad <- cn$layers
  bad[[1]]$geom[9] <- 0L
  expect_error(engine_predict(bad, network_params(cn), matrix(imgs, 4)),
               "internal error: layer 1 geometry")
  bad <- n$layers
  bad[[1]]$act <- 42L
  expect_error(engine_predict(bad, network_params(n), matrix(imgs, 4)),
               "internal error: layer 1 has an unknown")
})
