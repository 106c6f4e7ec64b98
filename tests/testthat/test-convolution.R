# convolution(), the filter bank, tiling and plotting (R/convolution.R), and
# the conv2d / maxpool2d kernels (src/layer_conv2d.c, src/layer_maxpool2d.c).

# ---- references written independently of the package ----

# The article's double loop, with explicit zero padding for "same".
naive_conv <- function(img, f, stride = 1, padding = "valid") {
  n <- nrow(img); m <- ncol(img); k <- nrow(f); l <- ncol(f)
  if (padding == "same") {
    oh <- ceiling(n / stride); ow <- ceiling(m / stride)
    ph <- max((oh - 1) * stride + k - n, 0)
    pw <- max((ow - 1) * stride + l - m, 0)
    padded <- matrix(0, n + ph, m + pw)
    padded[ph %/% 2 + seq_len(n), pw %/% 2 + seq_len(m)] <- img
    img <- padded
  } else {
    oh <- (n - k) %/% stride + 1; ow <- (m - l) %/% stride + 1
  }
  out <- matrix(0, oh, ow)
  for (i in seq_len(oh)) for (j in seq_len(ow)) {
    r <- (i - 1) * stride; cc <- (j - 1) * stride
    out[i, j] <- sum(img[r + seq_len(k), cc + seq_len(l)] * f)
  }
  out
}

rel_err <- function(a, b) max(abs(a - b)) / max(abs(b), 1e-300)

# ---- convolution() ----

test_that("a hand-computed case", {
  img <- matrix(1:9, 3, 3)
  f <- matrix(c(1, 0, 0, -1), 2, 2)   # img[i, j] - img[i + 1, j + 1]
  expect_identical(convolution(img, f, show = FALSE, out = TRUE),
                   matrix(-4, 2, 2))
  # no flip: a filter picking its top-left entry returns the image itself
  pick <- matrix(c(1, 0, 0, 0), 2, 2)
  expect_identical(convolution(img, pick, show = FALSE, out = TRUE),
                   matrix(as.double(c(1, 2, 4, 5)), 2, 2))
})

test_that("valid output is (n - k + 1) x (m - l + 1)", {
  img <- matrix(runif(250 * 170), 250, 170)
  expect_identical(dim(convolution(img, matrix(1, 3, 3), show = FALSE,
                                   out = TRUE)), c(248L, 168L))
  expect_identical(dim(convolution(img, matrix(1, 5, 2), show = FALSE,
                                   out = TRUE)), c(246L, 169L))
  expect_identical(dim(convolution(img, img, show = FALSE, out = TRUE)),
                   c(1L, 1L))
})

test_that("convolution() matches the naive double loop", {
  set.seed(42)
  for (rep in 1:12) {
    n <- sample(1:13, 1); m <- sample(1:13, 1)
    k <- sample(1:min(n, 5), 1); l <- sample(1:min(m, 5), 1)
    img <- matrix(rnorm(n * m), n, m)
    f <- matrix(rnorm(k * l), k, l)
    for (stride in 1:3) for (padding in c("valid", "same")) {
      got <- convolution(img, f, show = FALSE, out = TRUE, stride = stride,
                         padding = padding)
      want <- naive_conv(img, f, stride, padding)
      expect_identical(dim(got), dim(want))
      expect_lt(rel_err(got, want), 1e-12)
    }
  }
})

test_that("'same' follows the TensorFlow sizes, even for a large filter", {
  img <- matrix(rnorm(7 * 10), 7, 10)
  for (stride in 1:3) {
    got <- convolution(img, matrix(rnorm(9), 3, 3), show = FALSE,
                       out = TRUE, stride = stride, padding = "same")
    expect_identical(dim(got), as.integer(ceiling(c(7, 10) / stride)))
  }
  big <- matrix(rnorm(8 * 12), 8, 12)
  expect_lt(rel_err(convolution(img, big, show = FALSE, out = TRUE,
                                padding = "same"),
                    naive_conv(img, big, 1, "same")), 1e-12)
})

test_that("sizes near 2^31 are computed without integer overflow", {
  img <- matrix(rnorm(25), 5, 5)
  f <- filter_bank("sobel_x")
  for (padding in c("valid", "same")) {
    got <- expect_no_warning(convolution(img, f, show = FALSE, out = TRUE,
                                         stride = .Machine$integer.max,
                                         padding = padding))
    expect_identical(got, matrix(sum(img[1:3, 1:3] * f), 1, 1))
  }
  # "same" with a window of 2^31 - 1: out = 4, total padding 2^31 - 2
  expect_identical(expect_no_warning(conv_extent(4L, .Machine$integer.max, 1L, "same")),
                   c(4L, 1073741823L))
  expect_identical(conv_extent(5L, 3L, .Machine$integer.max, "same"), c(1L, 0L))
})

test_that("a 3-D array is convolved channel by channel", {
  set.seed(7)
  img <- array(runif(9 * 11 * 3), c(9, 11, 3))
  f <- matrix(rnorm(6), 2, 3)
  for (padding in c("valid", "same")) {
    got <- convolution(img, f, show = FALSE, out = TRUE, stride = 2,
                       padding = padding)
    expect_identical(length(dim(got)), 3L)
    expect_identical(dim(got)[3], 3L)
    for (ch in 1:3)
      expect_lt(rel_err(got[, , ch], naive_conv(img[, , ch], f, 2, padding)),
                1e-12)
  }
  one <- convolution(img[, , 1, drop = FALSE], f, show = FALSE, out = TRUE)
  expect_identical(dim(one), c(8L, 9L, 1L))
})

test_that("integer and logical input are accepted", {
  img <- matrix(c(TRUE, FALSE, TRUE, TRUE), 2, 2)
  expect_identical(convolution(img, matrix(1L, 1, 1), show = FALSE, out = TRUE),
                   matrix(c(1, 0, 1, 1), 2, 2))
})

test_that("the finiteness check sees every kind of missing value", {
  all_finite <- nnfs:::all_finite
  expect_true(all_finite(c(1, -2, .Machine$double.xmax)))
  expect_true(all_finite(numeric(0)))
  expect_true(all_finite(1:3))
  expect_true(all_finite(c(TRUE, FALSE)))
  for (bad in c(NA, NaN, Inf, -Inf))
    expect_false(all_finite(c(1, 2, bad, 4)))
  expect_false(all_finite(c(1L, NA)))
  expect_false(all_finite(c(TRUE, NA)))
})

test_that("the result is visible only with out = TRUE", {
  img <- matrix(runif(25), 5, 5)
  f <- filter_bank("box_blur")
  expect_invisible(convolution(img, f, show = FALSE))
  expect_visible(convolution(img, f, show = FALSE, out = TRUE))
  expect_equal(convolution(img, f, show = FALSE),
               convolution(img, f, show = FALSE, out = TRUE))
})

test_that("show = TRUE draws without error, also for 3-D input", {
  pdf(NULL)
  on.exit(dev.off())
  img <- matrix(runif(30 * 20), 30, 20)
  expect_no_error(convolution(img, filter_bank("emboss")))
  expect_no_error(convolution(array(runif(300), c(10, 10, 3)),
                              filter_bank("sharpen")))
})

test_that("show_image() puts row 1 at the top and column 1 at the left", {
  skip_if_not_installed("png")
  m <- matrix(1, 20, 20)
  m[1:5, ] <- 0           # black band along the top rows
  m[, 1:5] <- 0.5         # grey band down the left columns
  file <- tempfile(fileext = ".png")
  png(file, width = 200, height = 200)
  show_image(m)
  dev.off()
  px <- png::readPNG(file)[, , 1]
  # centre of the top band, centre of the left band, the white block
  expect_lt(px[20, 120], 0.1)
  expect_equal(px[120, 20], 0.5, tolerance = 0.05)
  expect_gt(px[150, 150], 0.9)
})

# ---- filters ----

test_that("the filter bank holds the article's filters", {
  bank <- filter_bank()
  expect_true(all(c("emboss", "sharpen", "laplace", "sobel_x", "sobel_y",
                    "box_blur") %in% names(bank)))
  expect_true(all(vapply(bank, function(f) identical(dim(f), c(3L, 3L)),
                         logical(1))))
  expect_identical(filter_bank("emboss"),
                   matrix(c(2, 0, 0, 0, -1, 0, 0, 0, -1), 3, 3))
  expect_identical(filter_bank("sharpen"),
                   matrix(c(0, -1, 0, -1, 5, -1, 0, -1, 0), 3, 3))
  expect_identical(filter_bank("laplace"),
                   rbind(c(0, 1, 0), c(1, -4, 1), c(0, 1, 0)))
  expect_identical(filter_bank("sobel_x"),
                   rbind(c(-1, 0, 1), c(-2, 0, 2), c(-1, 0, 1)))
  expect_identical(filter_bank("sobel_y"), t(filter_bank("sobel_x")))
  expect_equal(filter_bank("box_blur"), matrix(1 / 9, 3, 3))
  expect_equal(sum(filter_bank("gaussian_blur")), 1)
})

test_that("filters do what their names say", {
  ramp <- outer(1:6, 1:8, function(i, j) j)        # brighter to the right
  expect_true(all(convolution(ramp, filter_bank("sobel_x"), show = FALSE,
                              out = TRUE) == 8))
  expect_true(all(convolution(ramp, filter_bank("sobel_y"), show = FALSE,
                              out = TRUE) == 0))
  expect_true(all(abs(convolution(ramp, filter_bank("laplace"), show = FALSE,
                                  out = TRUE)) < 1e-12))
  expect_equal(convolution(ramp, filter_bank("box_blur"), show = FALSE,
                           out = TRUE), ramp[2:5, 2:7])
  expect_identical(convolution(ramp, filter_bank("identity"), show = FALSE,
                               out = TRUE), ramp[2:5, 2:7] + 0)
})

test_that("random_filters() draws -1, 0, 1 reproducibly", {
  set.seed(123)
  a <- random_filters(64)
  set.seed(123)
  b <- random_filters(64)
  expect_identical(a, b)
  expect_length(a, 64)
  expect_true(all(vapply(a, function(f) identical(dim(f), c(3L, 3L)),
                         logical(1))))
  vals <- unlist(a)
  expect_setequal(unique(vals), c(-1, 0, 1))
  expect_identical(dim(random_filters(2, size = 5)[[2]]), c(5L, 5L))
})

# ---- tiling ----

test_that("square_stack_lst_of_matrices() tiles in reading order", {
  lst <- lapply(1:5, function(i) matrix(i, 2, 3))
  big <- square_stack_lst_of_matrices(lst)
  expect_identical(dim(big), c(6L, 9L))          # 3 x 3 tiles of 2 x 3
  expect_identical(big[1:2, 1:3], matrix(1, 2, 3))
  expect_identical(big[1:2, 4:6], matrix(2, 2, 3))
  expect_identical(big[1:2, 7:9], matrix(3, 2, 3))
  expect_identical(big[3:4, 1:3], matrix(4, 2, 3))
  expect_identical(big[3:4, 4:6], matrix(5, 2, 3))
  expect_true(all(is.na(big[3:4, 7:9])))
  expect_true(all(is.na(big[5:6, ])))

  sep <- square_stack_lst_of_matrices(lst, sep = 1, fill = 0)
  expect_identical(dim(sep), c(8L, 11L))
  expect_identical(sep[4:5, 5:7], matrix(5, 2, 3))
  expect_identical(sep[3, ], rep(0, 11))
  expect_identical(sep[, 4], rep(0, 8))

  # 64 maps make the article's 8 x 8 picture; a 3-D array works too
  maps <- lapply(1:64, function(i) matrix(i, 4, 4))
  expect_identical(dim(square_stack_lst_of_matrices(maps)), c(32L, 32L))
  arr <- array(rep(1:4, each = 6), c(2, 3, 4))
  expect_identical(square_stack_lst_of_matrices(arr),
                   square_stack_lst_of_matrices(lapply(1:4, function(i)
                     matrix(as.double(i), 2, 3))))
  expect_identical(square_stack_lst_of_matrices(list(matrix(7, 2, 2))),
                   matrix(7, 2, 2))
})

test_that("plot_feature_maps() returns the normalised tiling", {
  pdf(NULL)
  on.exit(dev.off())
  lst <- list(matrix(1:4, 2, 2), matrix(10, 2, 2), matrix(-(1:4), 2, 2))
  big <- plot_feature_maps(lst, sep = 0)
  expect_identical(dim(big), c(4L, 4L))
  expect_equal(big[1:2, 1:2], matrix((0:3) / 3, 2, 2))
  expect_equal(big[1:2, 3:4], matrix(0.5, 2, 2))
  expect_equal(big[3:4, 1:2], matrix((3:0) / 3, 2, 2))
  raw <- plot_feature_maps(lst, sep = 0, normalize = FALSE, main = "raw")
  expect_identical(raw, square_stack_lst_of_matrices(lst))
  expect_invisible(show_image(matrix(NA_real_, 2, 2)))
})

# ---- kernels ----

random_geom <- function(pool = FALSE) {
  in_h <- sample(3:9, 1); in_w <- sample(3:9, 1); in_c <- sample(1:3, 1)
  kh <- sample(1:3, 1); kw <- sample(1:3, 1); stride <- sample(1:3, 1)
  if (pool) {
    pad_t <- 0L; pad_l <- 0L; pad_b <- 0L; pad_r <- 0L; out_c <- in_c
  } else {
    pad_t <- sample(0:2, 1); pad_l <- sample(0:2, 1)
    pad_b <- sample(0:2, 1); pad_r <- sample(0:2, 1); out_c <- sample(1:4, 1)
  }
  out_h <- (in_h + pad_t + pad_b - kh) %/% stride + 1
  out_w <- (in_w + pad_l + pad_r - kw) %/% stride + 1
  nnfs:::conv_geom(in_h, in_w, in_c, out_h, out_w, out_c, kh, kw, stride,
                   pad_t, pad_l)
}
geom_sizes <- function(g) {
  list(n_in = g[1] * g[2] * g[3], n_out = g[4] * g[5] * g[6],
       n_w = g[7] * g[8] * g[3] * g[6], filters = g[6])
}

test_that("conv2d im2col forward matches the direct-loop kernel", {
  set.seed(1)
  for (rep in 1:25) {
    g <- random_geom()
    s <- geom_sizes(g)
    B <- sample(1:3, 1)
    x <- matrix(rnorm(s$n_in * B), s$n_in, B)
    W <- rnorm(s$n_w)
    b <- if (rep %% 2) rnorm(s$filters) else NULL
    fast <- nnfs:::conv2d_op(x, W, b, g)
    ref <- nnfs:::conv2d_op(x, W, b, g, naive = TRUE)
    expect_identical(dim(fast), c(as.integer(s$n_out), B))
    expect_lt(rel_err(fast, ref), 1e-12)
  }
})

test_that("conv2d backward matches finite differences of the forward", {
  set.seed(2)
  h <- 1e-5
  for (rep in 1:6) {
    g <- random_geom()
    s <- geom_sizes(g)
    B <- 2L
    x <- matrix(rnorm(s$n_in * B), s$n_in, B)
    W <- rnorm(s$n_w); b <- rnorm(s$filters)
    R <- matrix(rnorm(s$n_out * B), s$n_out, B)   # loss = sum(R * out)
    loss <- function(x, W, b) sum(R * nnfs:::conv2d_op(x, W, b, g))
    grad <- nnfs:::conv2d_grad(R, x, W, g)
    fd <- function(v, f) vapply(seq_along(v), function(i) {
      e <- replace(numeric(length(v)), i, h)
      (f(v + e) - f(v - e)) / (2 * h)
    }, numeric(1))
    fd_x <- fd(x, function(v) loss(matrix(v, nrow(x)), W, b))
    fd_W <- fd(W, function(v) loss(x, v, b))
    fd_b <- fd(b, function(v) loss(x, W, v))
    expect_identical(dim(grad[[1]]), dim(x))
    expect_lt(rel_err(as.vector(grad[[1]]), fd_x), 1e-6)
    expect_lt(rel_err(grad[[2]], fd_W), 1e-6)
    expect_lt(rel_err(grad[[3]], fd_b), 1e-6)
  }
})

test_that("conv2d kernels agree when the image is split into chunks", {
  # large enough that the im2col matrix is built a few output columns at a
  # time; the adjoint identities hold exactly for a linear map:
  # <conv(x, W), R> = <x, din> = <W, dW>
  set.seed(6)
  for (geo in list(c(60, 80, 3, 3, 3, 1, 1, 1, 4),
                   c(41, 97, 2, 5, 4, 2, 2, 1, 3),
                   c(300, 20, 1, 3, 3, 1, 0, 0, 1))) {
    in_h <- geo[1]; in_w <- geo[2]; in_c <- geo[3]; kh <- geo[4]; kw <- geo[5]
    stride <- geo[6]; pad_t <- geo[7]; pad_l <- geo[8]; filters <- geo[9]
    out_h <- (in_h + 2 * pad_t - kh) %/% stride + 1
    out_w <- (in_w + 2 * pad_l - kw) %/% stride + 1
    g <- nnfs:::conv_geom(in_h, in_w, in_c, out_h, out_w, filters, kh, kw,
                          stride, pad_t, pad_l)
    s <- geom_sizes(g)
    x <- matrix(rnorm(s$n_in * 2), s$n_in, 2)
    W <- rnorm(s$n_w); b <- rnorm(filters)
    fast <- nnfs:::conv2d_op(x, W, b, g)
    expect_lt(rel_err(fast, nnfs:::conv2d_op(x, W, b, g, naive = TRUE)), 1e-12)
    R <- matrix(rnorm(s$n_out * 2), s$n_out, 2)
    grad <- nnfs:::conv2d_grad(R, x, W, g)
    lin <- sum(R * nnfs:::conv2d_op(x, W, NULL, g))
    expect_equal(sum(x * grad[[1]]), lin, tolerance = 1e-10)
    expect_equal(sum(W * grad[[2]]), lin, tolerance = 1e-10)
    per_map <- matrix(colSums(matrix(R, out_h * out_w)), filters)
    expect_equal(grad[[3]], rowSums(per_map), tolerance = 1e-12)
  }
  img <- matrix(rnorm(250 * 250), 250, 250)
  f <- matrix(rnorm(9), 3, 3)
  expect_lt(rel_err(convolution(img, f, show = FALSE, out = TRUE),
                    naive_conv(img, f)), 1e-12)
})

test_that("conv2d kernels with stride 1 and no padding match the direct loops", {
  # this geometry builds the im2col chunk over whole input columns (rows
  # that are not outputs are computed and dropped): check it on one chunk,
  # on several chunks with a few channels, and with a kernel as large as
  # the image
  set.seed(7)
  for (geo in list(c(28, 28, 1, 5, 5, 8), c(30, 23, 3, 3, 4, 2),
                   c(6, 5, 2, 6, 5, 3), c(7, 9, 2, 1, 2, 1))) {
    in_h <- geo[1]; in_w <- geo[2]; in_c <- geo[3]; kh <- geo[4]; kw <- geo[5]
    filters <- geo[6]
    g <- nnfs:::conv_geom(in_h, in_w, in_c, in_h - kh + 1, in_w - kw + 1,
                          filters, kh, kw, 1, 0, 0)
    s <- geom_sizes(g)
    x <- matrix(rnorm(s$n_in * 3), s$n_in, 3)
    W <- rnorm(s$n_w); b <- rnorm(filters)
    expect_lt(rel_err(nnfs:::conv2d_op(x, W, b, g),
                      nnfs:::conv2d_op(x, W, b, g, naive = TRUE)), 1e-12)
    # gradients: the adjoint identities <conv(x, W), R> = <x, din> =
    # <W, dW>, and column sums for db
    R <- matrix(rnorm(s$n_out * 3), s$n_out, 3)
    grad <- nnfs:::conv2d_grad(R, x, W, g)
    lin <- sum(R * nnfs:::conv2d_op(x, W, NULL, g, naive = TRUE))
    expect_equal(sum(x * grad[[1]]), lin, tolerance = 1e-10)
    expect_equal(sum(W * grad[[2]]), lin, tolerance = 1e-10)
    per_map <- matrix(colSums(matrix(R, g[4] * g[5])), filters)
    expect_equal(grad[[3]], rowSums(per_map), tolerance = 1e-12)
    # and each gradient entry against the direct loops: din by unit
    # weights, dW by unit inputs
    j <- sample(s$n_w, 1)
    dW_j <- sum(R * nnfs:::conv2d_op(x, replace(numeric(s$n_w), j, 1), NULL,
                                     g, naive = TRUE))
    expect_equal(grad[[2]][j], dW_j, tolerance = 1e-12)
    i <- sample(s$n_in, 1)
    e <- matrix(0, s$n_in, 3); e[i, 2] <- 1
    din_i <- sum(R * nnfs:::conv2d_op(e, W, NULL, g, naive = TRUE))
    expect_equal(grad[[1]][i, 2], din_i, tolerance = 1e-12)
  }
})

test_that("conv2d backward sums the batch's gradients", {
  set.seed(3)
  g <- random_geom()
  s <- geom_sizes(g)
  x <- matrix(rnorm(s$n_in * 3), s$n_in, 3)
  W <- rnorm(s$n_w)
  dz <- matrix(rnorm(s$n_out * 3), s$n_out, 3)
  all <- nnfs:::conv2d_grad(dz, x, W, g)
  parts <- lapply(1:3, function(j)
    nnfs:::conv2d_grad(dz[, j, drop = FALSE], x[, j, drop = FALSE], W, g))
  expect_equal(all[[2]], parts[[1]][[2]] + parts[[2]][[2]] + parts[[3]][[2]])
  expect_equal(all[[3]], parts[[1]][[3]] + parts[[2]][[3]] + parts[[3]][[3]])
  expect_equal(all[[1]][, 2], parts[[2]][[1]][, 1])
})

# max pooling by direct loops over the (y, x, c) array
naive_pool <- function(x, g) {
  a <- array(x, g[1:3])
  out <- array(0, g[4:6]); am <- array(0L, g[4:6])
  for (cc in seq_len(g[6])) for (ox in seq_len(g[5]))
  for (oy in seq_len(g[4])) {
    ys <- (oy - 1) * g[9] + seq_len(g[7])
    xs <- (ox - 1) * g[9] + seq_len(g[8])
    win <- a[ys, xs, cc]
    k <- which.max(win)                                   # first maximum
    out[oy, ox, cc] <- win[k]
    am[oy, ox, cc] <- ys[(k - 1) %% g[7] + 1] +
      g[1] * ((xs[(k - 1) %/% g[7] + 1] - 1) + g[2] * (cc - 1))
  }
  list(as.vector(out), as.integer(am))
}

test_that("maxpool2d forward matches direct loops, first max on ties", {
  set.seed(4)
  for (rep in 1:15) {
    g <- random_geom(pool = TRUE)
    s <- geom_sizes(g)
    B <- sample(1:3, 1)
    # rounded values make ties common
    x <- matrix(round(rnorm(s$n_in * B)), s$n_in, B)
    res <- nnfs:::maxpool2d_op(x, g)
    for (j in seq_len(B)) {
      ref <- naive_pool(x[, j], g)
      expect_identical(res[[1]][, j], ref[[1]])
      expect_identical(res[[2]][, j], ref[[2]])
    }
  }
})

test_that("maxpool2d backward routes to the argmax, as finite differences", {
  set.seed(5)
  h <- 1e-6
  for (rep in 1:6) {
    g <- random_geom(pool = TRUE)
    s <- geom_sizes(g)
    B <- 2L
    x <- matrix(rnorm(s$n_in * B), s$n_in, B)
    R <- matrix(rnorm(s$n_out * B), s$n_out, B)
    fw <- nnfs:::maxpool2d_op(x, g)
    din <- nnfs:::maxpool2d_grad(R, fw[[2]], g)
    expect_identical(dim(din), dim(x))
    fd <- vapply(seq_along(x), function(i) {
      e <- replace(numeric(length(x)), i, h)
      (sum(R * nnfs:::maxpool2d_op(x + e, g)[[1]]) -
         sum(R * nnfs:::maxpool2d_op(x - e, g)[[1]])) / (2 * h)
    }, numeric(1))
    expect_lt(rel_err(as.vector(din), fd), 1e-6)
  }
  # overlapping windows: one input can receive several contributions
  g <- nnfs:::conv_geom(3, 3, 1, 2, 2, 1, 2, 2, 1, 0, 0)
  x <- matrix(c(0, 0, 0, 0, 9, 0, 0, 0, 0), 9, 1)
  fw <- nnfs:::maxpool2d_op(x, g)
  expect_identical(as.vector(fw[[2]]), rep(5L, 4))
  expect_identical(as.vector(nnfs:::maxpool2d_grad(matrix(1:4 + 0, 4, 1),
                                                   fw[[2]], g)),
                   c(0, 0, 0, 0, 10, 0, 0, 0, 0))
})

# ---- errors ----

test_that("bad arguments get clear errors", {
  img <- matrix(runif(16), 4, 4)
  f <- filter_bank("emboss")
  expect_snapshot(error = TRUE, {
    convolution("a", f)
    convolution(1:10, f)
    convolution(array(0, c(2, 2, 2, 2)), f)
    convolution(matrix(numeric(0), 0, 3), f)
    convolution(replace(img, 3, NA), f)
    convolution(replace(img, 3, Inf), f)
    convolution(img, c(1, 0, -1))
    convolution(img, matrix("a", 2, 2))
    convolution(img, replace(f, 1, NaN))
    convolution(img, matrix(1, 5, 2))
    convolution(img, f, show = NA)
    convolution(img, f, out = "yes")
    convolution(img, f, stride = 0)
    convolution(img, f, stride = 1.5)
    convolution(img, f, padding = "full")
    filter_bank("blur")
    random_filters(0)
    random_filters(2, size = c(3, 3))
    square_stack_lst_of_matrices(list())
    square_stack_lst_of_matrices(list(matrix(1, 2, 2), "a"))
    square_stack_lst_of_matrices(list(matrix(1, 2, 2), matrix(1, 3, 2)))
    square_stack_lst_of_matrices(list(img), sep = -1)
    square_stack_lst_of_matrices(list(img), fill = "white")
    plot_feature_maps(list(img), normalize = "yes")
    show_image(1:3)
    show_image(img, col = 1:3)
  })
})
