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

test_that("two sgd epochs equal one epoch, saveRDS(), and a warm-started epoch", {
  # Each call starts from the samples in their given order, and each epoch
  # shuffles the order the previous epoch left (src/train.c), drawing from
  # R's RNG. A warm start draws nothing before it shuffles, so after
  # set.seed() the second call makes the same draws as epoch 2 of a
  # two-epoch call, but applies them to the given order instead of the
  # order epoch 1 left. Warm-starting on the data in epoch 1's order
  # therefore continues the two-epoch run exactly; on the data as given, it
  # does not.
  epoch_order <- function(n) {
    perm <- seq_len(n)
    for (i in (n - 1L):1L) {
      j <- sample.int(i + 1L, 1L)
      perm[c(i + 1L, j)] <- perm[c(j, i + 1L)]
    }
    perm
  }
  params <- function(net) net[c("weights", "biases")]
  d <- iris_xy()
  sizes <- c(4, 6, 3)
  set.seed(11)
  two <- neuralnetwork(sizes, d, 2, 10, 0.5)
  set.seed(11)
  one <- neuralnetwork(sizes, d, 1, 10, 0.5)
  seed_after_one <- .Random.seed
  path <- tempfile(fileext = ".rds")
  on.exit(unlink(path))
  saveRDS(one, path)
  back <- readRDS(path)

  set.seed(11)
  init_dense_params(sizes, "article")   # the draws of neuralnetwork()'s initialisation
  order1 <- epoch_order(nrow(d$x))
  expect_identical(.Random.seed, seed_after_one)
  assign(".Random.seed", seed_after_one, envir = globalenv())
  cont <- neuralnetwork(sizes, list(x = d$x[order1, ], y = d$y[order1]), 1, 10, 0.5,
                        validation_data = d, warm_start = back)
  expect_identical(params(cont), params(two))
  expect_identical(cont$history, two$history)

  assign(".Random.seed", seed_after_one, envir = globalenv())
  plain <- neuralnetwork(sizes, d, 1, 10, 0.5, warm_start = back)
  # if this fails, each epoch now shuffles a fresh order: then `plain` is
  # the exact continuation, and this test should assert that instead
  expect_false(identical(params(plain), params(two)))
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
