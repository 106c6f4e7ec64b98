# Memory: large data are read in place (R/train.R engine_samples()), and
# networks that cannot fit are refused before anything is allocated.

test_that("data read in place give the same results as copied data", {
  on.exit(options(nnfs.copy_limit = NULL))
  set.seed(1)
  x <- matrix(runif(500 * 20), 500)
  y <- factor(sample(letters[1:3], 500, TRUE))
  val <- list(x = x[1:123, ], y = y[1:123])
  fit <- function(limit, threads) {
    options(nnfs.copy_limit = limit, nnfs.threads = threads)
    on.exit(options(nnfs.threads = NULL))
    set.seed(2)
    # batch 7 does not divide the data or the chunks of shuffled samples
    neuralnetwork(c(20, 9, 3), list(x = x, y = y), 3, 7, 0.5,
                  optimizer = "momentum", validation_data = val)
  }
  copied <- fit(Inf, 1)
  for (threads in 1:2) {
    in_place <- fit(0, threads)
    expect_identical(in_place$weights, copied$weights)
    expect_identical(in_place$history, copied$history)
  }
  options(nnfs.copy_limit = 0)
  expect_identical(predict(copied, x, type = "raw"),
                   { options(nnfs.copy_limit = Inf); predict(copied, x, type = "raw") })
  imgs <- array(runif(90 * 10 * 10 * 2), c(90, 10, 10, 2))
  lab <- factor(sample(1:3, 90, TRUE))
  fit_cnn <- function(limit) {
    options(nnfs.copy_limit = limit)
    set.seed(3)
    cnn(list(layer_conv2d(4, 3), layer_maxpool2d(2), layer_flatten(),
             layer_dense(3, "softmax")), list(x = imgs, y = lab), 2, 16, 0.05)
  }
  expect_identical(fit_cnn(0)$weights, fit_cnn(Inf)$weights)
  # integer data are read in place too
  xi <- matrix(sample(0:9, 500 * 20, TRUE), 500)
  fit_int <- function(limit) {
    options(nnfs.copy_limit = limit)
    set.seed(4)
    neuralnetwork(c(20, 5, 3), list(x = xi, y = y), 1, 10, 0.1)
  }
  expect_identical(fit_int(0)$weights, fit_int(Inf)$weights)
  options(nnfs.copy_limit = -1)
  expect_error(fit_int(-1), "nnfs.copy_limit")
})

test_that("networks too large for memory are refused before allocating", {
  on.exit(options(nnfs.max_memory = NULL))
  d <- list(x = matrix(runif(40), 10), y = rep(c("a", "b"), 5))
  imgs <- list(x = array(runif(10 * 8 * 8), c(10, 8, 8)), y = d$y)
  # more weights in one layer than the engine can index: refused on any machine
  expect_snapshot(error = TRUE, neuralnetwork(c(4, 1e5, 1e5, 2), d, 1, 5, 0.1))
  options(nnfs.max_memory = 3e6)
  expect_snapshot(error = TRUE, {
    neuralnetwork(c(4, 6000, 2), d, 1, 5, 0.1, optimizer = "adam")
    cnn(list(layer_conv2d(2000, 3), layer_flatten(), layer_dense(2, "softmax")),
        imgs, 1, 5, 0.1)
  })
  # the estimate counts optimizer state: plain SGD fits where Adam does not
  expect_s3_class(neuralnetwork(c(4, 6000, 2), d, 1, 5, 0.1), "nnfs_network")
  # the history of every epoch is allocated at once: found by the fuzz
  # test under ASan, where `epochs = .Machine$integer.max` (a formula call)
  # asked R for 64 GiB and the sanitizer's allocator aborted the process;
  # plain R said "cannot allocate vector of size 64.0 Gb"
  options(nnfs.max_memory = 1e6)
  for (fit in list(
    function(e) neuralnetwork(c(4, 3, 2), d, e, 5, 0.1),
    function(e) cnn(list(layer_flatten(), layer_dense(2, "softmax")), imgs, e, 5, 0.1),
    function(e) logistic_reg(d$x, d$y == "a", e, 0.1, verbose = FALSE),
    function(e) linear_reg(d$x, d$x[, 1], method = "gd", epochs = e))) {
    expect_error(fit(.Machine$integer.max), "`epochs` \\(2,147,483,647\\) needs about 68.7 GB",
                 class = "nnfs_error_argument")
    expect_error(fit(1e5), "`epochs` \\(100,000\\) needs about 3.2 MB",
                 class = "nnfs_error_argument")
  }
  expect_s3_class(neuralnetwork(c(4, 3, 2), d, 10, 5, 0.1), "nnfs_network")
  options(nnfs.max_memory = "a")
  expect_error(neuralnetwork(c(4, 3, 2), d, 1, 5, 0.1), "nnfs.max_memory")
  options(nnfs.max_memory = NULL)
  avail <- memory_available()
  expect_true(is.na(avail) || avail > 0)
})

test_that("rows of at most 256 values train through byte codes, exactly", {
  # double precision reads rows in place when the double copy is over the
  # limit; with n * p bytes under it, images are copied as byte codes
  on.exit(options(nnfs.copy_limit = NULL, nnfs.threads = NULL,
                  nnfs.adaptive_threads = NULL))
  set.seed(7)
  n <- 1200; p <- 30
  x <- matrix(sample(0:254, n * p, TRUE) / 255, n)  # 255 values, and -0
  x[, 1:3] <- 0                          # constant columns, like borders
  x[2, 4] <- -0                          # a second bit pattern of zero
  y <- factor(sample(c("a", "b", "c"), n, TRUE))
  fit <- function(limit, threads, precision = "double", data = x) {
    options(nnfs.copy_limit = limit, nnfs.threads = threads)
    set.seed(8)
    neuralnetwork(c(p, 7, 3), list(x = data, y = y), 2, 9, 0.5,
                  optimizer = "adam", precision = precision,
                  validation_data = list(x = data, y = y))
  }
  bytes <- n * p
  for (precision in c("double", "single")) {
    columns <- fit(Inf, 1, precision)             # engine's column copy
    in_place <- fit(bytes - 1, 1, precision)      # R's rows, in place
    for (threads in 1:2) {
      coded <- fit(4 * bytes, threads, precision) # byte codes
      expect_identical(coded$weights, in_place$weights)
      expect_identical(coded$history, in_place$history)
      expect_identical(coded$history, columns$history)
    }
  }
  # the second thread meets the values in another order: its codes are
  # renumbered, and the results do not change
  rev_x <- x[n:1, ]
  expect_identical(fit(4 * bytes, 2, data = rev_x)$weights,
                   fit(bytes - 1, 1, data = rev_x)$weights)
  # grey levels k / 255 and whole numbers 0..255 are coded by arithmetic;
  # a value off the levels after the first samples sends the coding back
  # to the dictionary (here -0, whose bits are not those of 0)
  grey <- x
  grey[2, 4] <- 0
  whole <- round(grey * 255)
  off <- grey
  off[n - 1, p] <- -0
  for (d in list(grey, whole, off))
    expect_identical(fit(4 * bytes, 2, data = d)$weights,
                     fit(bytes - 1, 2, data = d)$weights)
  # 257 values after the first samples: the codes are abandoned midway and
  # the rows read in place
  x257 <- x
  x257[n, p] <- 0.123456789
  expect_identical(fit(4 * bytes, 2, data = x257)$weights,
                   fit(bytes - 1, 2, data = x257)$weights)
  # batches of at least 50000 values are decoded on several threads
  big <- matrix(sample(0:255, 600 * 784, TRUE) / 255, 600)
  yb <- factor(sample(c("a", "b"), 600, TRUE))
  # (two threads fixed: the adaptive policy may run a batch on one)
  fit_big <- function(limit, threads) {
    options(nnfs.copy_limit = limit, nnfs.threads = threads,
            nnfs.adaptive_threads = FALSE)
    set.seed(8)
    neuralnetwork(c(784, 5, 2), list(x = big, y = yb), 1, 100, 0.5)$weights
  }
  in_place <- fit_big(length(big) - 1, 1)
  expect_identical(fit_big(4 * length(big), 2), in_place)
  expect_identical(fit_big(4 * length(big), 1), in_place)
  # images in an n x h x w x c array, through cnn()
  imgs <- array(sample(0:3, 600 * 6 * 6, TRUE) / 3, c(600, 6, 6, 1))
  lab <- factor(sample(1:2, 600, TRUE))
  fit_cnn <- function(limit) {
    options(nnfs.copy_limit = limit, nnfs.threads = 2)
    set.seed(9)
    cnn(list(layer_conv2d(3, 3), layer_flatten(), layer_dense(2, "softmax")),
        list(x = imgs, y = lab), 2, 16, 0.05)
  }
  expect_identical(fit_cnn(4 * length(imgs))$weights,
                   fit_cnn(length(imgs) - 1)$weights)
})

test_that("byte codes hold every value bit for bit", {
  codes <- function(x, threads = 2L) .Call(nnfs:::C_byte_codes, x, threads)
  decoded <- function(b) matrix(b$values[as.integer(b$codes) + 1L],
                                nrow = ncol(b$codes), byrow = TRUE)
  bitwise <- function(a, b) identical(a, b, num.eq = FALSE)
  set.seed(11)
  # 1203 samples: blocks of 64 end in runs of 3, which the vector loop
  # leaves to its scalar tail
  n <- 1203; p <- 37
  grey <- matrix(sample(0:255, n * p, TRUE) / 255, n)
  whole <- round(grey * 255)
  for (den in c(255, 1))
    for (threads in 1:2) {
      x <- if (den == 1) whole else grey
      b <- codes(x, threads)
      # coded by arithmetic: the table is the 256 levels in order
      expect_identical(b$values, (0:255) / den)
      expect_true(bitwise(decoded(b), x))
    }
  # values off the levels, met by the vector loop (row 1160) or its tail
  # (row n), after first samples that are all levels: each is kept as it
  # is, through the dictionary (201 levels here, room for one more value)
  grey <- matrix(sample(0:200, n * p, TRUE) / 255, n)
  offs <- list(function(v) v * (1 + 2^-52), function(v) -0,
               function(v) (v * 255 + 0.3) / 255, function(v) 1 + 1 / 255)
  for (i in c(1160, n))
    for (off in offs) {
      x <- grey
      x[i, 5] <- off(x[i, 5])
      expect_false(bitwise(x[i, 5], grey[i, 5]))
      b <- codes(x)
      expect_true(bitwise(decoded(b), x))
      expect_false(identical(b$values, (0:255) / 255))
    }
  # NaN and Inf are no grey level either; 257 values give no codes
  for (v in c(NaN, Inf, NA)) {
    x <- grey
    x[n, 1] <- v
    expect_true(bitwise(decoded(codes(x)), x))
    x[1:56, 2] <- (201:256) / 255
    expect_null(codes(x))
  }
})
