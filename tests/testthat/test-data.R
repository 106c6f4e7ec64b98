# Write an IDX file: `values` in row-major order, `dims` its dimensions.
write_idx <- function(path, values, dims, type = 0x08, gzip = FALSE) {
  size <- c("8" = 1, "9" = 1, "11" = 2, "12" = 4, "13" = 4, "14" = 8)[[as.character(type)]]
  con <- if (gzip) gzfile(path, "wb") else file(path, "wb")
  on.exit(close(con))
  writeBin(as.raw(c(0, 0, type, length(dims))), con)
  writeBin(as.integer(dims), con, size = 4, endian = "big")
  if (type %in% c(0x08, 0x09)) {
    writeBin(as.raw(bitwAnd(as.integer(values), 255L)), con)
  } else if (type %in% c(0x0B, 0x0C)) {
    writeBin(as.integer(values), con, size = size, endian = "big")
  } else {
    writeBin(as.double(values), con, size = size, endian = "big")
  }
  invisible(path)
}

# A fresh directory with a fixed name, so that snapshots are stable.
test_dir <- function(name) {
  d <- file.path(tempdir(), name)
  unlink(d, recursive = TRUE)
  dir.create(d)
  d
}

# Error messages name temporary paths: replace them by <tmp>.
hide_tmp <- function(lines) {
  gsub(normalizePath(tempdir(), mustWork = FALSE), "<tmp>",
       gsub(tempdir(), "<tmp>", lines, fixed = TRUE), fixed = TRUE)
}

# ---- digits ----

test_that("digits has the documented shape and values", {
  expect_s3_class(digits, "data.frame")
  expect_identical(dim(digits), c(1797L, 65L))
  expect_identical(names(digits), c(paste0("px", 1:64), "digit"))
  px <- as.matrix(digits[1:64])
  expect_type(px, "integer")
  expect_identical(range(px), c(0L, 16L))
  expect_identical(levels(digits$digit), as.character(0:9))
  expect_identical(as.vector(table(digits$digit)),
                   c(178L, 182L, 177L, 183L, 181L, 182L, 181L, 179L, 174L, 180L))
  # Image 1 is a 0: ink on the left and right of the middle rows, a hole
  # in the centre, and the pixel order row-major (top row px1..px8).
  m <- matrix(px[1, ], 8, 8, byrow = TRUE)
  expect_identical(m[1, ], c(0L, 0L, 5L, 13L, 9L, 1L, 0L, 0L))
  expect_true(all(m[3:6, 4] <= 2L))
  expect_true(all(m[3:6, 2] >= 3L) && all(m[3:6, 6] >= 5L))
})

test_that("digits splits as in the article", {
  set.seed(1)
  d <- train_test_from_df(digits, 65, 0.8)
  expect_length(d$training, 1438L)
  expect_length(d$testing, 359L)
  expect_identical(dim(d$training[[1]]$x), c(64L, 1L))
  expect_identical(dim(d$training[[1]]$y), c(10L, 1L))
  expect_identical(attr(d$testing, "levels"), as.character(0:9))
  xs <- vapply(d$training, function(p) range(p$x), numeric(2))
  expect_true(min(xs) >= 0 && max(xs) == 1)
})

# ---- read_idx ----

test_that("read_idx reads unsigned bytes in 1-D and 3-D, plain and gzipped", {
  dir <- test_dir("idx-ubyte")
  lab <- c(0L, 9L, 255L, 7L)
  img <- 1:24 * 10L # two 3 x 4 images, row-major
  for (gz in c(FALSE, TRUE)) {
    ext <- if (gz) ".gz" else ""
    p1 <- write_idx(file.path(dir, paste0("lab", ext)), lab, 4, gzip = gz)
    p3 <- write_idx(file.path(dir, paste0("img", ext)), img, c(2, 3, 4), gzip = gz)
    expect_identical(read_idx(p1), lab)
    x <- read_idx(p3)
    expect_identical(dim(x), c(2L, 12L))
    expect_identical(attr(x, "idx_dim"), c(2L, 3L, 4L))
    expect_identical(x[2, ], 13:24 * 10L)
    expect_identical(matrix(x[1, ], 3, 4, byrow = TRUE),
                     matrix(1:12 * 10L, 3, 4, byrow = TRUE))
  }
})

test_that("read_idx reads every IDX type exactly", {
  dir <- test_dir("idx-types")
  cases <- list(
    list(type = 0x09, v = c(-128L, -1L, 0L, 1L, 127L, 5L)),
    list(type = 0x0B, v = c(-32768L, -2L, 0L, 3L, 32767L, 1000L)),
    list(type = 0x0C, v = c(-.Machine$integer.max, -5L, 0L, 6L, .Machine$integer.max, 70000L)),
    list(type = 0x0D, v = c(-1.5, 0, 0.25, 3, 1e6, -2.75)),
    list(type = 0x0E, v = c(-pi, 0, exp(1), 1e-300, 1e300, -0.1))
  )
  for (cs in cases) {
    p <- write_idx(file.path(dir, sprintf("t%02x.gz", cs$type)), cs$v, c(3, 2),
                   type = cs$type, gzip = TRUE)
    x <- read_idx(p)
    expected <- matrix(cs$v, 3, 2, byrow = TRUE)
    attr(expected, "idx_dim") <- c(3L, 2L)
    expect_identical(x, expected, info = sprintf("type 0x%02x", cs$type))
    p1 <- write_idx(file.path(dir, sprintf("v%02x", cs$type)), cs$v, 6,
                    type = cs$type)
    expect_identical(read_idx(p1), cs$v, info = sprintf("1-D type 0x%02x", cs$type))
  }
})

test_that("read_idx reports bad files clearly", {
  dir <- test_dir("idx-bad")
  good <- write_idx(file.path(dir, "good"), 1:60, c(3, 4, 5))
  bytes <- readBin(good, "raw", 1000)
  writeBin(bytes[1:50], file.path(dir, "short"))
  writeBin(bytes[1:10], file.path(dir, "cut-header"))
  writeBin(c(bytes, as.raw(0)), file.path(dir, "long"))
  writeBin(charToRaw("PK\003\004 not idx"), file.path(dir, "zip"))
  writeBin(raw(0), file.path(dir, "empty"))
  con <- gzfile(file.path(dir, "short.gz"), "wb")
  writeBin(bytes[1:70], con)
  close(con)
  # (snapshots are skipped on CRAN: check the gist first)
  expect_error(read_idx(file.path(dir, "short")), "truncated")
  expect_error(read_idx(file.path(dir, "short.gz")), "truncated")
  expect_error(read_idx(file.path(dir, "zip")), "not an IDX file")
  expect_snapshot(error = TRUE, transform = hide_tmp, {
    read_idx(file.path(dir, "short"))
    read_idx(file.path(dir, "short.gz"))
    read_idx(file.path(dir, "cut-header"))
    read_idx(file.path(dir, "long"))
    read_idx(file.path(dir, "zip"))
    read_idx(file.path(dir, "empty"))
    read_idx(file.path(dir, "nope"))
    read_idx(dir)
    read_idx(c("a", "b"))
  })
})

test_that("a header announcing more than the file holds is refused before allocating", {
  # found by the fuzzer: a damaged 40-byte file whose header announced
  # 917,293,462 values had read_idx() allocate and zero a 3.7 GB matrix
  # (15 s) before reading found the file cut short; 2^31 values would be
  # 8 GB, and 17 GB of doubles in read_mnist(normalize = TRUE)
  dir <- test_dir("idx-huge")
  big <- c(46340L, 46340L)                      # 2,147,395,600 bytes
  plain <- file.path(dir, "big")
  con <- file(plain, "wb")
  writeBin(as.raw(c(0, 0, 8, 2)), con)
  writeBin(big, con, size = 4, endian = "big")
  writeBin(as.raw(1:10), con)
  close(con)
  gz <- write_idx(file.path(dir, "big.gz"), 1:10, big, gzip = TRUE)
  # read_mnist(): images of 46340 x 46340 x 1 pixels in a file of a header
  dir.create(mnist <- file.path(dir, "mnist"), showWarnings = FALSE)
  con <- file(file.path(mnist, "train-images-idx3-ubyte"), "wb")
  writeBin(as.raw(c(0, 0, 8, 3)), con)
  writeBin(c(1L, big), con, size = 4, endian = "big")
  close(con)
  write_idx(file.path(mnist, "train-labels-idx1-ubyte"), 1, 1)
  before <- gc(reset = TRUE)[2L, 2L] # Mb of vector heap in use
  expect_error(read_idx(plain), paste("announces 46340 x 46340 values of type unsigned",
                                      "byte \\(2,147,395,600 bytes\\) but only 10 bytes follow"),
               class = "nnfs_error_data")
  expect_error(read_idx(gz), "truncated or damaged: .* more than its [0-9]+ gzipped bytes",
               class = "nnfs_error_data")
  expect_error(read_mnist(mnist, sets = "train"), "x 46340 x 46340 .* but only 0 bytes follow",
               class = "nnfs_error_data")
  # nothing near the announced size was allocated (R's peak since the reset)
  expect_lt(gc()[2L, 6L] - before, 200)
  # a gzipped file at deflate's largest ratios still reads: 2^20 zero bytes
  z <- write_idx(file.path(dir, "zeros.gz"), integer(2^20), c(1024, 1024), gzip = TRUE)
  expect_lt(file.size(z), 2^20 / 500)
  expect_identical(read_idx(z), structure(matrix(0L, 1024, 1024), idx_dim = c(1024L, 1024L)))
})

test_that("read_mnist reads a directory of IDX files", {
  dir <- test_dir("mnist")
  px <- c(0L, 255L, 51L, rep(0L, 781))
  write_idx(file.path(dir, "train-images-idx3-ubyte.gz"), rep(px, 3), c(3, 28, 28),
            gzip = TRUE)
  write_idx(file.path(dir, "train-labels-idx1-ubyte.gz"), c(1, 2, 3), 3, gzip = TRUE)
  write_idx(file.path(dir, "t10k-images-idx3-ubyte"), rep(px, 2), c(2, 28, 28))
  write_idx(file.path(dir, "t10k-labels-idx1-ubyte"), c(9, 0), 2)
  m <- read_mnist(dir)
  expect_identical(dim(m$train$x), c(3L, 784L))
  expect_identical(m$train$x[2, 1:4], c(0, 1, 0.2, 0))
  expect_identical(m$train$y, 1:3)
  expect_identical(m$test$y, c(9L, 0L))
  raw <- read_mnist(dir, normalize = FALSE)
  expect_identical(raw$test$x[2, 1:3], c(0L, 255L, 51L))

  file.remove(file.path(dir, "t10k-labels-idx1-ubyte"))
  write_idx(file.path(dir, "t10k-labels-idx1-ubyte"), c(9, 0, 1), 3)
  expect_snapshot(error = TRUE, transform = hide_tmp, {
    read_mnist(dir)
    read_mnist(file.path(dir, "nope"))
    read_mnist(dir, normalize = NA)
  })
  file.remove(file.path(dir, "t10k-labels-idx1-ubyte"))
  expect_snapshot(error = TRUE, transform = hide_tmp, read_mnist(dir))
})

test_that("read_idx's reader of bytes gives the same result a chunk at a time", {
  dir <- test_dir("idx-chunks")
  idx_open <- nnfs:::idx_open
  idx_rows <- nnfs:::idx_rows
  rows <- function(path, table, chunk) {
    idx <- idx_open(path)
    on.exit(close(idx$con))
    idx_rows(idx, table, chunk)
  }
  set.seed(5)
  v <- sample(0:255, 7 * 3 * 5, replace = TRUE)
  p3 <- write_idx(file.path(dir, "img.gz"), v, c(7, 3, 5), gzip = TRUE)
  p1 <- write_idx(file.path(dir, "lab"), v[1:9], 9)
  expected <- matrix(v, 7, 15, byrow = TRUE)
  # chunks of one item, of two (the last one short), of all, and less
  # than an item (one item at a time all the same)
  for (chunk in c(15, 30, 2^20, 1)) {
    expect_identical(rows(p3, 0:255, chunk), expected, info = chunk)
    expect_identical(rows(p3, 0:255 / 255, chunk), expected / 255, info = chunk)
    expect_identical(rows(p1, 0:255, chunk), v[1:9], info = chunk)
  }
  x <- read_idx(p3)
  expect_identical(x, structure(expected, idx_dim = c(7L, 3L, 5L)))
  # signed bytes
  s <- c(-128L, -1L, 0L, 1L, 127L, -100L)
  ps <- write_idx(file.path(dir, "signed"), s, c(3, 2), type = 0x09)
  expect_identical(rows(ps, c(0:127, -128:-1), 2), matrix(s, 3, 2, byrow = TRUE))
  # a file cut short or too long reports the same whatever the chunk
  bytes <- readBin(write_idx(file.path(dir, "good"), v, c(7, 3, 5)), "raw", 1000)
  writeBin(bytes[1:(16 + 40)], file.path(dir, "short"))
  writeBin(c(bytes, as.raw(1)), file.path(dir, "long"))
  for (chunk in c(15, 2^20)) {
    expect_error(rows(file.path(dir, "short"), 0:255, chunk),
                 "announces 7 x 3 x 5 values of type unsigned byte (105 bytes) but only 40 bytes follow",
                 fixed = TRUE, class = "nnfs_error_data")
    expect_error(rows(file.path(dir, "long"), 0:255, chunk), "longer than its header",
                 class = "nnfs_error_data")
  }
  # empty files of bytes
  p0 <- write_idx(file.path(dir, "none"), integer(0), c(0, 2, 2))
  expect_identical(read_idx(p0), structure(matrix(0L, 0, 4), idx_dim = c(0L, 2L, 2L)))
})

test_that("read_mnist reads only the parts in `sets`", {
  dir <- test_dir("mnist-sets")
  set.seed(6)
  px <- sample(0:255, 5 * 784, replace = TRUE)
  write_idx(file.path(dir, "train-images-idx3-ubyte.gz"), px, c(5, 28, 28), gzip = TRUE)
  write_idx(file.path(dir, "train-labels-idx1-ubyte.gz"), c(3, 1, 4, 1, 5), 5, gzip = TRUE)
  write_idx(file.path(dir, "t10k-images-idx3-ubyte"), rev(px)[1:(2 * 784)], c(2, 28, 28))
  write_idx(file.path(dir, "t10k-labels-idx1-ubyte"), c(9, 2), 2)
  for (nz in c(TRUE, FALSE)) {
    m <- read_mnist(dir, normalize = nz)
    expect_named(m, c("train", "test"))
    expect_identical(read_mnist(dir, nz, sets = c("train", "test")), m)
    expect_identical(read_mnist(dir, nz, sets = c("test", "train")), m)
    train <- read_mnist(dir, normalize = nz, sets = "train")
    expect_named(train, "train")
    expect_identical(train, m["train"])
    expect_identical(read_mnist(dir, normalize = nz, sets = "test"), m["test"])
  }
  expect_identical(m$train$x, matrix(px, 5, 784, byrow = TRUE))
  expect_identical(m$train$y, c(3L, 1L, 4L, 1L, 5L))

  # only the files of the parts asked for are needed
  file.remove(file.path(dir, "t10k-labels-idx1-ubyte"))
  expect_identical(read_mnist(dir, sets = "train"), read_mnist(dir, sets = c("train", "train")))
  expect_error(read_mnist(dir), "four MNIST files", class = "nnfs_error_argument")
  expect_error(read_mnist(dir, sets = "test"), "two MNIST test files",
               class = "nnfs_error_argument")
  for (bad in list("tst", c("train", "valid"), character(0), NA_character_, 1, NULL,
                   list("train"), factor("train"), "Train"))
    expect_error(read_mnist(dir, sets = bad), "`sets` must be", class = "nnfs_error_argument")
  expect_snapshot(error = TRUE, transform = hide_tmp, {
    read_mnist(dir, sets = "test")
    read_mnist(dir, sets = "tst")
    read_mnist(dir, sets = c("train", "valid"))
    read_mnist(dir, sets = character(0))
    read_mnist(dir, sets = NA_character_)
    read_mnist(dir, sets = 1:2)
  })
})

test_that("read_mnist reads Fashion-MNIST", {
  fashion <- "/usr/share/datasets/fashion-mnist"
  skip_if_not(dir.exists(fashion))
  m <- read_mnist(fashion)
  expect_identical(dim(m$train$x), c(60000L, 784L))
  expect_identical(dim(m$test$x), c(10000L, 784L))
  expect_type(m$train$x, "double")
  expect_identical(range(m$train$x), c(0, 1))
  expect_identical(range(m$train$y), c(0L, 9L))
  expect_identical(as.vector(table(m$test$y)), rep(1000L, 10))
  expect_length(m$train$y, 60000L)
  # the first training image is an ankle boot (9), ink in the lower half
  expect_identical(m$train$y[1], 9L)
  img <- matrix(m$train$x[1, ], 28, 28, byrow = TRUE)
  expect_gt(sum(img[15:28, ]), 2 * sum(img[1:14, ]))
})

# ---- generators ----

test_that("make_spirals gives interleaved, reproducible arms", {
  set.seed(3)
  s <- make_spirals(201, classes = 3)
  expect_identical(names(s), c("x1", "x2", "y"))
  expect_identical(as.vector(table(s$y)), c(67L, 67L, 67L))
  expect_identical(levels(s$y), c("1", "2", "3"))
  set.seed(3)
  expect_identical(make_spirals(201, classes = 3), s)
  # without noise every point lies on its arm, within the unit disc
  s0 <- make_spirals(500, noise = 0)
  r <- sqrt(s0$x1^2 + s0$x2^2)
  expect_true(all(r <= 1))
  theta <- atan2(s0$x2, s0$x1)
  arm <- (2 * pi * (1.5 * r + (as.integer(s0$y) - 1) / 2) - theta) %% (2 * pi)
  expect_true(all(pmin(arm, 2 * pi - arm) < 1e-9))
  # interleaved: along a ray the classes alternate, so no line separates
  # them: a linear model stays far from perfect
  s2 <- make_spirals(400)
  fit <- stats::glm(y ~ x1 + x2, stats::binomial, s2)
  expect_lt(mean((stats::fitted(fit) > 0.5) == (s2$y == "2")), 0.75)
  d <- train_test_from_df(make_spirals(), 3, 0.8)
  expect_length(d$training, 160L)
  expect_identical(dim(d$testing[[1]]$y), c(2L, 1L))
})

test_that("make_blobs places clusters as asked", {
  set.seed(7)
  b <- make_blobs(3000, centers = 3, sd = 0.05)
  means <- sapply(split(b[1:2], b$y), colMeans)
  angle <- pi / 2 + 2 * pi * (0:2) / 3
  expect_equal(unname(means), rbind(cos(angle), sin(angle)) / sqrt(3), tolerance = 0.01)
  ctr <- rbind(c(0, 0), c(5, 5))
  b2 <- make_blobs(101, ctr, sd = c(0.1, 1))
  expect_identical(as.vector(table(b2$y)), c(51L, 50L))
  expect_lt(sd(b2$x1[b2$y == "1"]), 0.2)
  set.seed(7)
  expect_identical(make_blobs(3000, centers = 3, sd = 0.05), b)
})

test_that("generators check their arguments", {
  expect_error(make_spirals(2, classes = 3), "at least the number of classes")
  expect_error(make_blobs(sd = c(1, 2)), "one per cluster")
  expect_snapshot(error = TRUE, {
    make_spirals(0)
    make_spirals(2, classes = 3)
    make_spirals(noise = -1)
    make_spirals(turns = 0)
    make_blobs(centers = 2.5)
    make_blobs(centers = matrix(1:6, 2))
    make_blobs(sd = c(1, 2))
    make_blobs(sd = 0)
  })
})

# ---- train_test_from_df ----

test_that("iris splits 105/45 with one-hot targets", {
  set.seed(42)
  d <- train_test_from_df(iris, 5, 0.7)
  expect_named(d, c("training", "testing"))
  expect_length(d$training, 105L)
  expect_length(d$testing, 45L)
  p <- d$training[[1]]
  expect_named(p, c("x", "y"))
  expect_identical(dim(p$x), c(4L, 1L))
  expect_identical(dim(p$y), c(3L, 1L))
  expect_identical(sort(as.vector(p$y)), c(0, 0, 1))
  expect_identical(attr(d$training, "levels"), levels(iris$Species))
  expect_identical(attr(d$testing, "features"), names(iris)[1:4])
  expect_identical(attr(d$training, "scale"),
                   vapply(iris[1:4], max, numeric(1)))
  # every row appears once, scaled by the column maxima
  all_x <- t(vapply(c(d$training, d$testing), function(p) p$x[, 1], numeric(4)))
  scaled <- as.matrix(iris[1:4]) %*% diag(1 / vapply(iris[1:4], max, 1))
  key <- function(m) do.call(paste, as.data.frame(round(m, 12)))
  expect_setequal(key(all_x), key(scaled))
  cls <- vapply(c(d$training, d$testing), function(p) which(p$y[, 1] == 1), 1L)
  expect_identical(as.vector(table(cls)), c(50L, 50L, 50L))
})

test_that("the split is reproducible and follows the rows when not shuffled", {
  set.seed(9)
  a <- train_test_from_df(iris, "Species", 0.5)
  set.seed(9)
  expect_identical(train_test_from_df(iris, 5, 0.5), a)
  u <- train_test_from_df(iris, 5, 0.5, shuffle_input = FALSE, scale_input = FALSE)
  expect_identical(u$training[[1]]$x[, 1], unlist(iris[1, 1:4], use.names = FALSE))
  expect_identical(u$testing[[75]]$x[, 1], unlist(iris[150, 1:4], use.names = FALSE))
  expect_true(all(attr(u$training, "scale") == 1))
})

test_that("NA rows are dropped and columns encoded by type", {
  df <- data.frame(a = c(-4, 2, NA, 1, 0), b = c(0, 0, 0, 0, 0),
                   f = factor(c("u", "v", "u", "u", "w"), levels = c("u", "v", "w", "z")),
                   l = c(TRUE, FALSE, TRUE, TRUE, FALSE),
                   y = c(10, 20, 30, NA, 50))
  d <- train_test_from_df(df, 5, 0.5, shuffle_input = FALSE)
  expect_length(d$training, 2L)
  expect_length(d$testing, 1L)
  expect_identical(attr(d$training, "features"),
                   c("a", "b", "f_u", "f_v", "f_w", "l"))
  expect_null(attr(d$training, "levels"))
  expect_identical(attr(d$training, "scale"), c(a = 4, b = 1))
  expect_identical(d$training[[1]]$x[, 1], c(-1, 0, 1, 0, 0, 1))
  expect_identical(d$training[[2]]$x[, 1], c(0.5, 0, 0, 1, 0, 0))
  expect_identical(d$testing[[1]]$x[, 1], c(0, 0, 0, 0, 1, 0))
  expect_identical(d$testing[[1]]$y, matrix(50))
  # character and logical targets are one-hot over the levels present
  df$y <- c("no", "yes", "no", "no", NA)
  d2 <- train_test_from_df(df, "y", 0.5, shuffle_input = FALSE)
  expect_identical(attr(d2$training, "levels"), c("no", "yes"))
  expect_identical(d2$training[[2]]$y, matrix(c(0, 1)))
  d3 <- train_test_from_df(df[-5], "l", 0.5)
  expect_identical(attr(d3$testing, "levels"), c("FALSE", "TRUE"))
})

test_that("train_test_from_df checks its arguments", {
  df <- data.frame(x = 1:4, y = c(1, 2, NA, NA))
  expect_error(train_test_from_df(iris, 6, 0.5), "predict_col_index")
  expect_error(train_test_from_df(iris, 5, 1.01), "train_ratio")
  expect_error(train_test_from_df(df[3:4, ], 1, 0.5), "two rows")
  expect_snapshot(error = TRUE, {
    train_test_from_df(as.matrix(iris[1:4]), 4, 0.5)
    train_test_from_df(iris[1], 1, 0.5)
    train_test_from_df(iris, 6, 0.5)
    train_test_from_df(iris, 1.5, 0.5)
    train_test_from_df(iris, "species", 0.5)
    train_test_from_df(iris, 5, 1.5)
    train_test_from_df(iris, 5, c(0.5, 0.6))
    train_test_from_df(iris, 5, 0.001)
    train_test_from_df(iris, 5, 0.999)
    train_test_from_df(iris, 5, 0.5, shuffle_input = "yes")
    train_test_from_df(iris, 5, 0.5, scale_input = NA)
    train_test_from_df(df[3:4, ], 1, 0.5)
    train_test_from_df(data.frame(d = Sys.Date() + 1:3, y = 1:3), 2, 0.5)
    train_test_from_df(data.frame(x = c(1, Inf, 3), y = 1:3), 2, 0.5)
  })
})

test_that("subsets of a pair list keep their classes and input names", {
  set.seed(1)
  d <- train_test_from_df(iris, 5, 0.7)
  part <- d$training[1:20]
  expect_s3_class(part, "nnfs_pairs")
  expect_identical(attr(part, "levels"), attr(d$training, "levels"))
  expect_identical(attr(part, "features"), attr(d$training, "features"))
  expect_identical(part[[3]], d$training[[3]])
  expect_output(print(part), "20 \\(x, y\\) pairs: 4 inputs, 3 classes")
  net <- neuralnetwork(c(4, 5, 3), part, 1, 10, 0.5)
  expect_identical(net$levels, levels(iris$Species))
})
