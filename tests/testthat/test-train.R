# The engine path shared by every front door (R/train.R, src/train.c):
# thread-count independence, exact warm starts (also after saveRDS()),
# numerical safety and interrupts.

test_that("results do not depend on the number of threads, warm starts included", {
  # fixed counts first: the adaptive policy picks its own for some batches
  old <- options(nnfs.adaptive_threads = FALSE, nnfs.threads = NULL)
  on.exit(options(old))
  params <- function(net) net[c("weights", "biases")]
  set.seed(1)
  x <- matrix(runif(600 * 300), 600)
  y <- factor(sample(letters[1:5], 600, TRUE))
  fit <- function(threads) {
    options(nnfs.threads = threads)
    set.seed(2)
    first <- neuralnetwork(c(300, 256, 128, 5), list(x = x, y = y), 2, 128, 0.05,
                           activation = "relu", output = "softmax", optimizer = "adam",
                           validation_data = NULL)
    more <- neuralnetwork(c(300, 256, 128, 5), list(x = x, y = y), 1, 64, 0.05,
                          activation = "relu", output = "softmax", optimizer = "adam",
                          dropout = 0.2, validation_data = NULL, warm_start = first)
    list(first = params(first), more = params(more))
  }
  expect_identical(fit(1), fit(2))
  # 28 x 28 images and 8 filters: products large enough for threads
  # (src/threads.c) at batch 16 and 32
  imgs <- array(runif(200 * 28 * 28), c(200, 28, 28))
  lab <- factor(sample(1:3, 200, TRUE))
  fit_cnn <- function(threads) {
    options(nnfs.threads = threads)
    layers <- list(layer_conv2d(8, 5), layer_maxpool2d(2), layer_flatten(),
                   layer_dropout(0.2), layer_dense(3, "softmax"))
    set.seed(3)
    first <- cnn(layers, list(x = imgs, y = lab), 2, 32, 0.05)
    more <- cnn(layers, list(x = imgs, y = lab), 1, 16, 0.05, optimizer = "momentum",
                warm_start = first)
    list(first = params(first), more = params(more))
  }
  expect_identical(fit_cnn(1), fit_cnn(2))
  # the adaptive policy, which switches counts between batches
  options(nnfs.adaptive_threads = TRUE)
  expect_identical(fit_cnn(2), { options(nnfs.adaptive_threads = FALSE); fit_cnn(1) })
})

test_that("a network read back with readRDS() warm-starts exactly like the one in memory", {
  on.exit(options(nnfs.threads = NULL))
  params <- function(net) net[c("weights", "biases")]
  set.seed(7)
  d <- iris_xy()
  imgs <- array(runif(60 * 6 * 6), c(60, 6, 6))
  lab <- factor(sample(c("a", "b", "c"), 60, TRUE))
  layers <- list(layer_conv2d(3, 3), layer_flatten(), layer_dropout(0.3),
                 layer_dense(3, "softmax"))
  net <- neuralnetwork(c(4, 8, 3), d, 3, 10, 0.5, dropout = 0.2, optimizer = "momentum")
  cn <- cnn(layers, list(x = imgs, y = lab), 3, 8, 0.05, optimizer = "adam")
  path <- tempfile(fileext = ".rds")
  on.exit(unlink(path), add = TRUE)
  saveRDS(list(net = net, cn = cn), path)
  back <- readRDS(path)
  # dropout makes the warm starts draw random numbers, so the seed matters
  warm <- function(from) {
    set.seed(8)
    list(net = params(neuralnetwork(c(4, 8, 3), d, 2, 10, 0.5, dropout = 0.2,
                                    optimizer = "momentum", warm_start = from$net)),
         cn = params(cnn(layers, list(x = imgs, y = lab), 2, 8, 0.05,
                         optimizer = "adam", warm_start = from$cn)))
  }
  res <- lapply(1:2, function(threads) {
    options(nnfs.threads = threads)
    expect_identical(predict(back$net, d$x, type = "prob"), predict(net, d$x, type = "prob"))
    expect_identical(predict(back$cn, imgs, type = "prob"), predict(cn, imgs, type = "prob"))
    from_disk <- warm(back)
    expect_identical(from_disk, warm(list(net = net, cn = cn)))
    from_disk
  })
  expect_identical(res[[1]], res[[2]])
  # the warm starts did train: they moved away from the saved parameters
  expect_false(identical(res[[1]]$net, params(net)))
  expect_false(identical(res[[1]]$cn, params(cn)))
})

test_that("5 epochs and 5 more with warm_start are the 10 epochs of one call, for every optimizer", {
  # The network keeps what training carries from epoch to epoch: the
  # optimizer's velocities or moments, its step count and the sample order
  # the last shuffle left (each epoch shuffles that order with R's RNG). A
  # warm start draws nothing before it shuffles, so without resetting the
  # seed the second call makes the draws of epochs 6 to 10 of the single
  # call, on the same order and state, through saveRDS() too. (Before the
  # state was kept, a warm start restarted the optimizer and the order:
  # the test asserted that the naive continuation differed.)
  d <- iris_xy()
  fit <- function(epochs, opt, warm = NULL)
    neuralnetwork(c(4, 6, 3), d, epochs, 16, 0.05, optimizer = opt, dropout = 0.2,
                  l2 = 1e-3, warm_start = warm)
  path <- tempfile(fileext = ".rds")
  on.exit(unlink(path))
  for (opt in c("sgd", "momentum", "nesterov", "rmsprop", "adam")) {
    set.seed(11)
    ten <- fit(10, opt)
    set.seed(11)
    five <- fit(5, opt)
    saveRDS(five, path)
    more <- fit(5, opt, readRDS(path))
    expect_identical(more[[1]], ten[[1]], label = opt)
    expect_identical(more[[2]], ten[[2]], label = opt)
    expect_identical(more$history, ten$history, label = opt)
    expect_identical(more$optimizer_state, ten$optimizer_state, label = opt)
  }
  expect_identical(ten$optimizer_state$step, 10 * ceiling(150 / 16))
  # another optimizer starts its own state afresh; so does a 0.1.0 model
  set.seed(11)
  switched <- fit(2, "momentum", five)
  expect_identical(switched$optimizer_state$step, 2 * ceiling(150 / 16))
  # the same holds for a CNN
  imgs <- array(seq(0, 1, length.out = 6 * 6 * 12) %% 0.37, c(12, 6, 6))
  y <- factor(rep(c("a", "b", "c"), 4))
  cfit <- function(epochs, warm = NULL)
    cnn(list(layer_conv2d(2, 3), layer_maxpool2d(2), layer_flatten(),
             layer_dense(3, "softmax")), list(x = imgs, y = y), epochs, 4, 0.05,
        optimizer = "adam", warm_start = warm)
  set.seed(3)
  c4 <- cfit(4)
  set.seed(3)
  c2 <- cfit(2)
  expect_identical(cfit(2, c2)[[2]], c4[[2]])
  # an edited state is refused
  bad <- five
  bad$optimizer_state$order <- rev(bad$optimizer_state$order)[-1]
  bad$optimizer_state$order[1] <- 0L
  expect_no_error(fit(1, "adam", bad))   # another length: the order restarts
  bad$optimizer_state$slots$m[[1]]$W <- bad$optimizer_state$slots$m[[1]]$W[-1]
  expect_error(fit(1, "adam", bad), class = "nnfs_error_model")
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

test_that("SIGINT from outside stops a training; the session trains again", {
  skip_on_cran()
  skip_if_not_installed("callr")
  rs <- callr::r_session$new(callr::r_session_options(libpath = .libPaths()))
  on.exit(rs$kill(), add = TRUE)
  marker <- tempfile()
  on.exit(unlink(marker), add = TRUE)
  # far too long to finish: 2e7 single-sample steps of a 100-200-10 network
  rs$call(function(marker) {
    set.seed(5)
    x <- matrix(runif(2000 * 100), 2000)
    y <- factor(sample(1:10, 2000, TRUE))
    file.create(marker)
    withCallingHandlers(
      nnfs::neuralnetwork(c(100, 200, 10), list(x = x, y = y), 10000, 1, 0.1),
      interrupt = function(cnd)
        .GlobalEnv$interrupted_in <- vapply(sys.calls(), function(cl)
          paste(deparse(cl[[1L]]), collapse = ""), ""))
  }, list(marker))
  deadline <- Sys.time() + 30
  while (!file.exists(marker) && Sys.time() < deadline) Sys.sleep(0.05)
  expect_true(file.exists(marker))
  expect_identical(rs$get_state(), "busy")
  Sys.sleep(1)                          # well inside the C training loop
  expect_identical(rs$get_state(), "busy")
  rs$interrupt()                        # SIGINT, as tools::pskill(pid, SIGINT)
  expect_identical(rs$poll_process(30000), "ready")
  res <- rs$read()
  expect_null(res$result)
  expect_s3_class(res$error, "callr_error")
  expect_s3_class(res$error$parent, "interrupt")
  expect_true(rs$is_alive())
  expect_identical(rs$get_state(), "idle")
  # the interrupt reached the training itself, not the data preparation
  expect_true("engine_fit" %in% rs$run(function() interrupted_in))
  net <- rs$run(function() {
    set.seed(1)
    x <- as.matrix(iris[, 1:4]) / 8
    nnfs::neuralnetwork(c(4, 5, 3), list(x = x, y = iris$Species), 2, 10, 0.5)
  })
  expect_s3_class(net, "nnfs_network")
  expect_identical(nrow(net$history), 2L)
  expect_true(all(is.finite(unlist(net$weights))))
  rs$close()
  expect_false(rs$is_alive())
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
    predict(edit(n, function(e) { e$layers[[2]]$act <- "swish"; e }), matrix(imgs, 4))
    predict(edit(n, function(e) { e$weights[[2]][1] <- NA; e }), matrix(imgs, 4))
    predict(edit(n, function(e) { e$input_dim <- NULL; e }), matrix(imgs, 4))
    neuralnetwork(c(16, 3, 2), list(x = matrix(imgs, 4), y = y), 1, 2, 0.1,
                  warm_start = edit(n, function(e) { e$biases[[1]] <- 1:3; e }))
  })
  # found by the fuzzer: a network whose cost was removed or changed reached
  # the engine through grad_check() and backprop_trace() ("internal error:
  # 'cost' missing") and gave evaluate() R's own errors
  x16 <- matrix(imgs, 4)
  for (cost in list(NULL, "zz", NA_character_, c("ce", "mse"))) {
    e <- n
    e$settings["C"] <- list(cost)
    expect_error(grad_check(e, x16, y), "its cost \\(`settings\\$C`\\)",
                 class = "nnfs_error_model")
    expect_error(backprop_trace(e, x16, y), "its cost", class = "nnfs_error_model")
    expect_error(evaluate(e, list(x = x16, y = y)), "its cost", class = "nnfs_error_model")
  }
  e <- n
  e$settings <- NULL
  expect_error(grad_check(e, x16, y), "`settings` are not a list",
               class = "nnfs_error_model")
  # the engine's own guards stop what gets past R, as R errors
  bad <- cn$layers
  bad[[1]]$geom[9] <- 0L
  expect_error(engine_predict(bad, network_params(cn), matrix(imgs, 4)),
               "internal error: layer 1 has an inconsistent geometry")
  bad <- n$layers
  bad[[1]]$act <- "swish"
  expect_error(engine_predict(bad, network_params(n), matrix(imgs, 4)),
               "internal error: unknown act 'swish'")
  bad <- n$layers
  bad[[1]]$kind <- "dense3d"
  expect_error(engine_predict(bad, network_params(n), matrix(imgs, 4)),
               "internal error: layer 1 has an unknown kind")
})

# ---- divergence ---------------------------------------------------------------

# Two interleaved spirals of radius up to 76 (the second arm is class 1),
# with as many background points of class 0 spread uniformly over the square
# around them: raw coordinates in the tens, far from standardised.
far_spirals <- function(n = 500) {
  s <- make_spirals(n, noise = 0.1)
  background <- matrix(runif(2 * n, -76, 76), n, 2)
  list(x = rbind(as.matrix(s[, c("x1", "x2")]) * 76, background),
       y = c(as.integer(s$y == "2"), integer(n)))
}

test_that("a network that diverges in its first epoch keeps its starting parameters", {
  # The issue's reproducer: with lr 0.1 on unscaled inputs the leaky ReLU
  # units blow up within the first epoch. The loss used to stay finite
  # (log(NaN) was clamped) while every weight became NaN.
  set.seed(1)
  d <- far_spirals()
  sizes <- c(2, 5, 5, 5, 1)
  fit <- function() neuralnetwork(sizes, d, 20, 25, 0.1, activation = "leaky_relu",
                                  init = "he", validation_data = NULL)
  set.seed(2)
  expect_warning(net <- fit(), class = "nnfs_warning_diverged")
  set.seed(2)
  start <- init_dense_params(sizes, "he")
  expect_identical(net$weights, start$weights)
  expect_identical(unclass(net$biases)[seq_along(start$biases)], start$biases)
  expect_identical(nrow(net$history), 0L)
  expect_identical(net$epochs_run, 0L)
  p <- predict(net, d$x, type = "prob")
  expect_true(all(is.finite(p)))
  set.seed(2)
  expect_snapshot(net <- fit())
  # a smaller rate trains without a warning
  set.seed(2)
  expect_no_warning(ok <- neuralnetwork(sizes, d, 3, 25, 0.01, activation = "leaky_relu",
                                        init = "he", validation_data = NULL))
  expect_true(all(is.finite(unlist(ok$weights))))
})

test_that("a network that diverges later keeps the end of the previous epoch", {
  set.seed(1)
  x <- runif(50, -1, 1)
  y <- 3 * x + rnorm(50)
  fit <- function(epochs, ...) neuralnetwork(c(1, 10, 1), list(x = x, y = y), epochs,
                                             10, 1e6, C = "mse", output = "linear",
                                             activation = "relu", ...)
  set.seed(3)
  cnd <- tryCatch(fit(5, validation_data = NULL), nnfs_warning = function(w) w)
  expect_s3_class(cnd, "nnfs_warning_diverged")
  expect_match(conditionMessage(cnd), "in epoch 5, batch [1-5]: .*end of epoch 4\\.")
  set.seed(3)
  net <- suppressWarnings(fit(5, validation_data = NULL))
  set.seed(3)
  four <- fit(4, validation_data = NULL)
  expect_identical(net$weights, four$weights)
  expect_identical(net$biases, four$biases)
  expect_identical(net$history, four$history)
  expect_identical(net$epochs_run, 4L)
  expect_true(all(is.finite(predict(net, x))))
  # with early stopping the network keeps its best epoch, here the first
  set.seed(3)
  expect_warning(best <- fit(10, patience = 8, validation_data = list(x = x, y = y)),
                 "those of epoch 1, the lowest",
                 class = "nnfs_warning_diverged")
  set.seed(3)
  one <- fit(1)
  expect_identical(best$best_epoch, 1L)
  expect_identical(best$weights, one$weights)
  expect_identical(nrow(best$history), 4L)
})

test_that("parameters that overflow while the loss is finite stop training too", {
  # one batch: its loss is computed before the step that overflows
  set.seed(1)
  x <- runif(50, -1, 1)
  y <- 100 * x + 100
  fit <- function(lr) neuralnetwork(c(1, 3, 1), list(x = x, y = y), 1, 50, lr,
                                    C = "mse", output = "linear", validation_data = NULL)
  set.seed(4)
  expect_warning(net <- fit(1e308), "epoch 1: the parameters became NaN",
                 class = "nnfs_warning_diverged")
  set.seed(4)
  start <- init_dense_params(c(1, 3, 1), "article")
  expect_identical(net$weights, start$weights)
  expect_true(all(is.finite(predict(net, x))))
})

test_that("a diverging CNN warns and stays usable", {
  # a linear network on inputs up to 100: the steps overshoot at once
  set.seed(5)
  imgs <- array(runif(20 * 6 * 6, 0, 100), c(20, 6, 6))
  lab <- factor(sample(c("a", "b"), 20, TRUE))
  fit <- function(epochs) cnn(list(layer_conv2d(2, 3, "linear"), layer_flatten(),
                                   layer_dense(2, "linear")),
                              list(x = imgs, y = lab), epochs, 5, 0.01, C = "mse")
  set.seed(6)
  expect_warning(net <- fit(3), "epoch 2, batch", class = "nnfs_warning_diverged")
  set.seed(6)
  one <- fit(1)
  expect_identical(net$weights, one$weights)
  expect_identical(nrow(net$history), 1L)
  expect_true(all(is.finite(predict(net, imgs, type = "prob"))))
})
