# The layer kinds added through the engine's table (src/layers.c):
# average pooling and batch normalisation, each checked against plain R
# and by finite differences.

# n random images of h x w x ch (n x h x w, or n x h x w x ch)
random_images <- function(n, h, w = h, ch = 1) {
  d <- if (ch == 1) c(n, h, w) else c(n, h, w, ch)
  array(rnorm(n * h * w * ch), d)
}

# Average pooling of one h x w x ch image (an array) in plain R: windows
# of p x p moving by p.
r_avgpool <- function(img, p) {
  d <- dim(img)
  if (length(d) == 2L) d <- c(d, 1L)
  img <- array(img, d)
  out <- array(0, c(d[1] / p, d[2] / p, d[3]))
  for (c in seq_len(d[3])) for (ox in seq_len(d[2] / p)) for (oy in seq_len(d[1] / p))
    out[oy, ox, c] <- mean(img[(oy - 1) * p + 1:p, (ox - 1) * p + 1:p, c])
  out
}

# The output of the first `upto` layers of a network for samples x (rows)
first_layers <- function(net, x, upto = 1L) {
  engine_predict(net$layers[seq_len(upto)], network_params(net)[seq_len(upto)],
                 flatten_samples(x))
}

test_that("average pooling is the mean of each window, per channel", {
  set.seed(1)
  imgs <- random_images(5, 6, 6, 3)
  y <- factor(sample(letters[1:3], 5, TRUE))
  for (p in 2:3) {
    net <- cnn(list(layer_avgpool2d(p), layer_flatten(), layer_dense(3, "softmax")),
               list(x = imgs, y = y), 1, 5, 0.1)
    got <- first_layers(net, imgs)
    want <- t(vapply(1:5, function(i) as.vector(r_avgpool(imgs[i, , , ], p)),
                     numeric(3 * (6 / p)^2)))
    expect_equal(got, want, tolerance = 1e-14)
  }
  expect_identical(net$layers[[1]]$kind, "avgpool2d")
  expect_null(network_params(net)[[1]])
  expect_output(print(layer_avgpool2d(3)), "avgpool2d: 3x3")
})

test_that("average pooling backpropagates its gradient (grad_check)", {
  set.seed(2)
  imgs <- random_images(6, 8)
  y <- factor(sample(letters[1:3], 6, TRUE))
  net <- cnn(list(layer_conv2d(3, 3, "tanh"), layer_avgpool2d(3), layer_flatten(),
                  layer_dense(3, "softmax")),
             list(x = imgs, y = y), 1, 3, 0.1)
  gc <- grad_check(net, list(x = imgs, y = y))
  expect_lt(gc$max_rel_error, 1e-6)
  expect_setequal(gc$by_layer$parameter, c("W", "b"))
})

test_that("average pooling refuses what it cannot pool", {
  imgs <- random_images(4, 5)
  y <- factor(c("a", "b", "a", "b"))
  expect_error(cnn(list(layer_avgpool2d(2), layer_flatten(), layer_dense(2, "softmax")),
                   list(x = imgs, y = y), 1, 2, 0.1), "does not divide")
  expect_error(cnn(list(layer_flatten(), layer_avgpool2d(2), layer_dense(2, "softmax")),
                   list(x = imgs, y = y), 1, 2, 0.1), "needs an image")
  expect_error(layer_avgpool2d(0), "pool_size")
})

# ---- batch normalisation ------------------------------------------------------

# Batch normalisation in plain R of the n x units (or n x h x w x ch,
# flattened per sample) matrix `a`, with `groups` the channel of each
# column: statistics over the rows and the columns of a channel.
r_batchnorm <- function(a, groups, gamma, beta, eps = 1e-5, mean = NULL, var = NULL) {
  out <- a
  for (c in unique(groups)) {
    v <- a[, groups == c]
    mu <- if (is.null(mean)) base::mean(v) else mean[c]
    s2 <- if (is.null(var)) base::mean((v - mu)^2) else var[c]
    out[, groups == c] <- gamma[c] * (v - mu) / sqrt(s2 + eps) + beta[c]
  }
  out
}

# small data: 24 one-channel images of 6 x 6 and three classes
bn_data <- function(n = 24) {
  list(x = random_images(n, 6), y = factor(sample(letters[1:3], n, TRUE)))
}
bn_dense <- function() list(layer_flatten(), layer_dense(5, "tanh"), layer_batchnorm(),
                            layer_dense(3, "softmax"))
bn_conv <- function() list(layer_conv2d(3, 3, "tanh"), layer_batchnorm(), layer_avgpool2d(2),
                           layer_flatten(), layer_dense(3, "softmax"))

test_that("batch normalisation in training uses the batch's statistics", {
  set.seed(3)
  d <- bn_data()
  for (layers in list(bn_dense(), bn_conv())) {
    net <- cnn(layers, d, 2, 6, 0.1, optimizer = "adam")
    i <- which(vapply(net$layers, `[[`, "", "kind") == "batchnorm")
    groups <- if (i == 3L) 1:5 else rep(1:3, each = 16)
    p <- network_params(net)[[i]]
    # the pass of backprop_trace() is the training pass, running stats aside
    tr <- backprop_trace(net, d)
    want <- r_batchnorm(t(tr$a[[i]]), groups, p$gamma, p$beta)
    expect_equal(t(tr$a[[i + 1L]]), want, tolerance = 1e-12)
    # prediction uses the running statistics
    got <- first_layers(net, d$x, i)
    want <- r_batchnorm(first_layers(net, d$x, i - 1L), groups, p$gamma, p$beta,
                        mean = p$running_mean, var = p$running_var)
    expect_equal(got, want, tolerance = 1e-12)
    expect_identical(names(p), c("gamma", "beta", "running_mean", "running_var"))
  }
})

test_that("one training batch updates the running statistics by the formula", {
  set.seed(4)
  d <- bn_data()
  for (layers in list(bn_dense(), bn_conv())) {
    layers[[which(vapply(layers, `[[`, "", "type") == "batchnorm")]] <-
      layer_batchnorm(momentum = 0.8)
    start <- cnn(layers, d, 0, 24, 0.1)
    i <- which(vapply(start$layers, `[[`, "", "kind") == "batchnorm")
    groups <- if (i == 3L) 1:5 else rep(1:3, each = 16)
    # the batch (all 24 samples) as the batch norm layer sees it
    a <- t(backprop_trace(start, d)$a[[i]])
    one <- cnn(layers, d, 1, 24, 0.1, warm_start = start)
    p <- network_params(one)[[i]]
    m <- 24 * sum(groups == 1)
    mu <- vapply(1:max(groups), function(c) mean(a[, groups == c]), 0)
    s2 <- vapply(1:max(groups), function(c) sum((a[, groups == c] - mu[c])^2) / (m - 1), 0)
    expect_equal(p$running_mean, 0.8 * 0 + 0.2 * mu, tolerance = 1e-12)
    expect_equal(p$running_var, 0.8 * 1 + 0.2 * s2, tolerance = 1e-12)
    # the loss of that batch is the one of the batch statistics
    expect_equal(one$history$loss, backprop_trace(start, d)$loss, tolerance = 1e-12)
    # and backprop leaves the running statistics alone
    expect_identical(network_params(start)[[i]]$running_var, rep(1, max(groups)))
  }
})

test_that("backpropagation through batch normalisation is exact (grad_check)", {
  set.seed(5)
  d <- bn_data(10)
  for (layers in list(bn_dense(), bn_conv())) {
    net <- cnn(layers, d, 1, 5, 0.1)
    gc <- grad_check(net, d)
    expect_lt(gc$max_rel_error, 1e-6)
    expect_true(all(c("W", "b", "gamma", "beta") %in% gc$by_layer$parameter))
    expect_false(any(c("running_mean", "running_var") %in% gc$details$parameter))
  }
})

test_that("warm starts continue the running statistics exactly", {
  set.seed(6)
  d <- bn_data(60)
  fit <- function(epochs, warm = NULL)
    cnn(c(bn_conv()[1:3], list(layer_flatten(), layer_dropout(0.2), layer_dense(3, "softmax"))),
        d, epochs, 8, 0.05, optimizer = "momentum", warm_start = warm)
  set.seed(7)
  ten <- fit(10)
  set.seed(7)
  five <- fit(5)
  more <- fit(5, five)
  expect_identical(more$tensors, ten$tensors)
  expect_identical(more$weights, ten$weights)
  expect_false(identical(five$tensors, ten$tensors))
  expect_identical(predict(more, d$x, type = "prob"), predict(ten, d$x, type = "prob"))
})

test_that("early stopping and divergence keep the running statistics of their epoch", {
  set.seed(8)
  d <- bn_data(40)
  val <- bn_data(40)
  fit <- function(epochs, ...) cnn(bn_conv(), d, epochs, 8, 0.5, ...)
  set.seed(9)
  best <- fit(12, validation_data = val, patience = 3)
  expect_lt(best$best_epoch, best$epochs_run)
  set.seed(9)
  same <- fit(best$best_epoch, validation_data = val)
  expect_identical(best$tensors, same$tensors)
  expect_identical(best$weights, same$weights)
  # a linear network with a huge rate overflows in epoch 2
  imgs <- array(runif(20 * 6 * 6, 0, 100), c(20, 6, 6))
  lab <- factor(sample(c("a", "b"), 20, TRUE))
  lin <- function(epochs) cnn(list(layer_conv2d(2, 3, "linear"), layer_batchnorm(),
                                   layer_flatten(), layer_dense(2, "linear")),
                              list(x = imgs, y = lab), epochs, 5, 100, C = "mse")
  set.seed(10)
  expect_warning(net <- lin(4), "diverged", class = "nnfs_warning_diverged")
  expect_gt(net$epochs_run, 0L)
  set.seed(10)
  before <- lin(net$epochs_run)
  expect_identical(net$tensors, before$tensors)
  expect_identical(net$weights, before$weights)
  expect_true(all(is.finite(unlist(net$tensors))))
})

test_that("the thread count does not change batch normalisation or average pooling", {
  old <- options(nnfs.adaptive_threads = FALSE, nnfs.threads = NULL)
  on.exit(options(old))
  set.seed(11)
  imgs <- random_images(128, 28)
  lab <- factor(sample(1:3, 128, TRUE))
  fit <- function(threads) {
    options(nnfs.threads = threads)
    set.seed(12)
    cnn(list(layer_conv2d(8, 5), layer_batchnorm(), layer_avgpool2d(2), layer_flatten(),
             layer_batchnorm(), layer_dense(3, "softmax")),
        list(x = imgs, y = lab), 2, 64, 0.05, optimizer = "adam")
  }
  one <- fit(1)
  two <- fit(2)
  expect_identical(one$tensors, two$tensors)
  expect_identical(one$weights, two$weights)
})

test_that("single precision trains batch normalisation and average pooling", {
  set.seed(13)
  d <- bn_data(60)
  fit <- function(precision) {
    set.seed(14)
    cnn(bn_conv(), d, 3, 10, 0.05, precision = precision)
  }
  s <- fit("single")
  dbl <- fit("double")
  expect_identical(s$settings$precision, "single")
  expect_equal(s$history$loss, dbl$history$loss, tolerance = 1e-4)
  expect_equal(s$tensors, dbl$tensors, tolerance = 1e-4)
  expect_equal(predict(s, d$x, type = "prob"), predict(dbl, d$x, type = "prob"),
               tolerance = 1e-4)
})

test_that("batch normalisation layers are described, counted and checked", {
  set.seed(15)
  d <- bn_data()
  net <- cnn(bn_conv(), d, 1, 6, 0.1)
  expect_output(print(layer_batchnorm(0.5, 1e-3)), "batchnorm: momentum 0.5, epsilon 0.001")
  expect_identical(net$layers[[2]]$geom, c(4L, 4L, 3L, 4L, 4L, 3L, 1L, 1L, 1L, 0L, 0L))
  tab <- summary(net)$layers
  expect_identical(tab$parameters[2], 6)
  expect_identical(tab$running_stats, c(0, 6, 0, 0, 0))
  expect_output(print(net), "and 6 running statistics")
  expect_named(coef(net), c("layer1", "layer2", "layer3"))
  expect_named(coef(net)$layer2, c("gamma", "beta", "running_mean", "running_var"))
  # the tutorials' view is unchanged: W and b of the conv and dense layers
  expect_length(net$weights, 2L)
  expect_null(small_net()$tensors)
  edit <- function(f) { e <- net; e$tensors <- f(e$tensors); e }
  expect_error(predict(edit(function(t) { t[[2]]$gamma <- 1:2; t }), d$x),
               "layer 2 \\(batchnorm\\) must hold the tensors gamma \\(3\\)",
               class = "nnfs_error_model")
  expect_error(predict(edit(function(t) { t[[2]]$running_var[1] <- NaN; t }), d$x),
               "not all finite", class = "nnfs_error_model")
  expect_error(predict(edit(function(t) t[-1]), d$x), "one element per layer",
               class = "nnfs_error_model")
  e <- net
  e$layers[[2]]$eps <- -1
  expect_error(predict(e, d$x), "layer 2 has an epsilon", class = "nnfs_error_model")
  # a negative running variance (found by the fuzzer) made predictions NaN
  # without an error; the engine marks the tensor nonnegative and R refuses
  for (v in c(-1, -1e-300)) {
    bad <- edit(function(t) { t[[2]]$running_var[2] <- v; t })
    expect_error(predict(bad, d$x), "layer 2 \\(batchnorm\\) has a negative `running_var`",
                 class = "nnfs_error_model")
    expect_error(cnn(bn_conv(), d, 1, 6, 0.1, warm_start = bad), "negative `running_var`",
                 class = "nnfs_error_model")
  }
  expect_identical(engine_layer_info(net$layers[[2]])$tensors$nonnegative,
                   c(FALSE, FALSE, FALSE, TRUE))
  expect_true(all(is.finite(predict(edit(function(t) { t[[2]]$running_var[] <- 0; t }),
                                    d$x, type = "prob"))))
  expect_error(layer_batchnorm(momentum = 2), "`momentum`", class = "nnfs_error_argument")
  expect_error(layer_batchnorm(epsilon = 0), "`epsilon`", class = "nnfs_error_argument")
})
