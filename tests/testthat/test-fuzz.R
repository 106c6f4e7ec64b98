# Fuzz test of every exported function: thousands of calls that start from a
# valid call and corrupt one or two arguments (wrong types, NA/NaN/Inf, empty
# or one-row data, mismatched sizes, bad counts, malformed pair lists, edited
# model objects, impossible layer sequences). Each call must end in a result
# or an R error; an "internal error" from C means the R checks missed a case.
#
# Some calls also know the right answer, and a wrong one counts as garbage
# (fuzz_garbage()): image-like training data in R's rows (grey levels,
# whole numbers, at most 256 arbitrary doubles, a 257th value late, constant
# data, sometimes read back from an IDX file) are trained twice with
# nnfs.copy_limit values that take different data paths (byte codes,
# chunks of the rows, the column or float copy) and must give identical
# networks, whose 2x2 max pooling is checked against a reference
# (fuzz_on_paths()); read_idx() of files of the six IDX types and
# read_mnist() must return the values written; the internal all_finite()
# must agree with is.finite() on vectors of more than 2^20 values.
#
# The harness (everything above the test_that() block) is also what
# tools/fuzz.R runs for long runs: it parses this file and evaluates only the
# assignments of `fuzz_*` and `run_fuzz`, so there is one copy of the code.

# Mutations that reach known bugs in the package (see tools/fuzz-results.md).
# The generator leaves them out unless run_fuzz(include_known = TRUE). The
# edited-model and make_blobs() cases found by the first runs are fixed
# (check_network() in R/train.R, geometry checks in src/glue_train.c).
fuzz_known_bugs <- character(0)

# Bad values for any argument. Counts that would make a valid call run for
# long (huge epochs or sample sizes) are in fuzz_huge, used only where an
# argument's size does not set the amount of work.
fuzz_bad_values <- function() {
  list(NULL, NA, NA_real_, NA_integer_, NA_character_, NaN, Inf, -Inf, -1,
       0, 0.5, -0.5, 1e-300, "a", c("a", "b"), "", TRUE, FALSE, c(TRUE, NA),
       list(), list(1, 2), list(x = 1), function(x) x, factor(c("a", "b")),
       factor(character(0)), integer(0), numeric(0), character(0), 1:3,
       c(1, NA), c(2, 3.5), matrix(numeric(0), 0, 2), matrix(NA_real_, 2, 2),
       matrix("a", 2, 2), data.frame(), data.frame(a = 1),
       data.frame(a = c("u", "v")), methods::getClass("numeric"),
       new.env(), quote(x), as.raw(1:2), 1i, array(1, c(1, 1, 1, 1, 1)),
       structure(1, class = "weird"), Sys.Date())
}

fuzz_huge <- function() {
  list(.Machine$integer.max, .Machine$integer.max + 1, 2^31, 1e15, 1e300,
       -.Machine$integer.max)
}

fuzz_pick <- function(lst) lst[[sample.int(length(lst), 1L)]]

# ---- fixtures ---------------------------------------------------------------

# Small valid data and fitted models the generators start from.
fuzz_fixtures <- function() {
  x <- matrix(c(0.1, 0.9, 0.2, 0.8, 0.7, 0.3, 0.6, 0.4), 4, 2)
  y <- factor(c("a", "b", "a", "b"))
  imgs <- array(seq(0, 1, length.out = 64), c(4, 4, 4))
  cnn_layers <- list(layer_conv2d(2, 2), layer_maxpool2d(1), layer_flatten(),
                     layer_dense(2, "softmax"))
  # the kinds with tensors of their own (batchnorm) and average pooling
  bn_layers <- list(layer_conv2d(2, 2, padding = "same"), layer_batchnorm(),
                    layer_avgpool2d(2), layer_flatten(), layer_batchnorm(0.8),
                    layer_dense(2, "softmax"))
  dir <- tempfile("fuzz")
  dir.create(dir)
  f <- list(x = x, y = y, yn = c(0.5, 1, 1.5, 2), y01 = c(0, 1, 0, 1),
            imgs = imgs, cnn_layers = cnn_layers, bn_layers = bn_layers,
            dir = dir,
            df = data.frame(a = c(1, 2, 3, 4, 5), b = c(5, 3, 1, 2, 4),
                            cls = factor(c("u", "v", "u", "v", "u"))))
  f$net <- neuralnetwork(c(2, 3, 2), list(x = x, y = y), 1, 2, 0.1)
  f$pairs <- lapply(1:4, function(i) list(x = x[i, ], y = diag(2)[, as.integer(y[i])]))
  f$frame <- data.frame(a = x[, 1], b = x[, 2], y = y)
  f$net_reg <- neuralnetwork(c(2, 2, 1), list(x = x, y = f$yn), 1, 2, 0.1,
                             C = "mse", output = "linear")
  f$cnn <- cnn(cnn_layers, list(x = imgs, y = y), 1, 2, 0.1)
  f$cnn_bn <- cnn(bn_layers, list(x = imgs, y = y), 1, 2, 0.1, optimizer = "adam")
  # networks trained (and predicting) in single precision
  f$net_single <- neuralnetwork(c(2, 3, 2), list(x = x, y = y), 1, 2, 0.1,
                                precision = "single")
  f$cnn_single <- cnn(bn_layers, list(x = imgs, y = y), 1, 2, 0.1,
                      precision = "single")
  f$lin <- linear_reg(x, f$yn)
  f$logit <- logistic_reg(x, f$y01, 2, 0.1, verbose = FALSE)
  f$soft <- softmax_reg(x, y, 2, 0.1, verbose = FALSE)
  f$logit_single <- logistic_reg(x, f$y01, 2, 0.1, verbose = FALSE,
                                 optimizer = "adam", l2 = 0.1, precision = "single")
  f
}

# Bad values of `precision`: the two good ones are sampled by the calls.
fuzz_bad_precision <- function() {
  fuzz_pick(list("float", "Single", "half", c("double", "single"), NA_character_,
                 "", 32, TRUE, NULL, list("single"), factor("single")))
}

# ---- corruptions --------------------------------------------------------------

# Bad data for a network: list(x = , y = ) or pair lists gone wrong.
fuzz_bad_data <- function(f) {
  x <- f$x; y <- f$y
  pairs <- lapply(1:4, function(i) list(x[i, ], y[i]))
  fuzz_pick(list(
    list(x = x[1, , drop = FALSE], y = y[1]),
    list(x = x[0, , drop = FALSE], y = y[0]),
    list(x = x, y = y[1:3]),
    list(x = x[, 1], y = y),
    list(x = cbind(x, 1), y = y),
    list(x = replace(x, 2, NA), y = y),
    list(x = replace(x, 3, Inf), y = y),
    list(x = x, y = replace(y, 2, NA)),
    list(x = x, y = c(1, 2, NaN, 1)),
    list(x = x, y = c(-1, 5, 2, 7)),
    list(x = x, y = matrix(1, 4, 3)),
    list(x = x, y = list(1, 2, 3, 4)),
    list(x = "a", y = y),
    list(x = as.data.frame(x), y = y),
    list(x = data.frame(a = letters[1:4], b = 1:4), y = y),
    list(x = x, y = y, z = 1),
    list(x = x),
    list(y = y),
    pairs[-1],
    pairs[1],
    c(pairs, list(list(1, "a"))),
    c(pairs, list(list(c(1, 2, 3), "a"))),
    c(pairs, list(list(NULL, "a"))),
    c(pairs, list(list(1))),
    lapply(pairs, function(p) list(p[[1]], p[[2]], 3)),
    lapply(pairs, function(p) list(as.character(p[[1]]), p[[2]])),
    lapply(pairs, function(p) list(p[[1]], numeric(0))),
    list(list(x = list(1, 2), y = 1)),
    f$imgs,
    list(x = f$imgs, y = y),
    list(x = array(NA_real_, c(4, 4, 4)), y = y),
    fuzz_pick(fuzz_bad_values())))
}

# An edited network: fields removed or changed. `kind` names the mutation.
fuzz_edit_model <- function(net, kind) {
  j <- sample.int(length(net$weights), 1L)
  l <- sample.int(length(net$layers), 1L)
  switch(kind,
    model_fields = {
      field <- sample(c("levels", "task", "features", "settings",
                        "history", "sizes", "best_epoch"), 1L)
      if (runif(1) < 0.5) net[field] <- list(NULL) else
        net[[field]] <- fuzz_pick(fuzz_bad_values()[-1L])
    },
    model_class = {
      class(net) <- fuzz_pick(list("nnfs_network", "nnfs_cnn", "list",
                                   c("nnfs_network", "nnfs_cnn")))
    },
    model_weights = {
      w <- net$weights[[j]]
      net$weights[[j]] <- fuzz_pick(list(if (is.matrix(w)) w[, -1, drop = FALSE]
                                         else w[-1], rbind(w, 1), NULL, "a",
                                         as.integer(w), numeric(0)))
      if (runif(1) < 0.3) net$biases[[j]] <- c(net$biases[[j]], 1)
      if (runif(1) < 0.2) net$weights <- net$weights[-j]
    },
    model_layers = {
      if (length(net$layers) > 1L && runif(1) < 0.5) {
        net$layers <- rev(net$layers)
      } else if (runif(1) < 0.5) {
        net$layers <- net$layers[-l]
      } else {
        net$layers[[l]][[sample(c("kind", "n_in", "n_out", "slope", "rate"), 1L)]] <-
          fuzz_pick(list(NULL, -1L, 0L, 99L, "a", c(1L, 2L)))
      }
    },
    model_input_dim = {
      net$input_dim <- fuzz_pick(list(NULL, 0L, 1L, c(2L, 2L), "a"))
    },
    model_act = {
      net$layers[[l]]$act <- fuzz_pick(list(-1L, 6L, 99L, NA_integer_))
    },
    model_nonfinite = {
      w <- net$weights[[j]]
      w[sample.int(length(w), 1L)] <- fuzz_pick(list(NA, NaN, Inf, -Inf, 1e308))
      net$weights[[j]] <- w
    },
    model_geom = {
      g <- which(!vapply(net$layers, function(s) is.null(s$geom), NA))
      if (length(g)) {
        i <- g[sample.int(length(g), 1L)]
        net$layers[[i]]$geom[sample.int(11L, 1L)] <- fuzz_pick(list(0L, -1L, 50L))
      }
    },
    # batch normalisation's tensors (gamma, beta, running statistics) and
    # its settings
    model_tensors = {
      t <- which(!vapply(if (is.list(net$tensors)) net$tensors else list(),
                          is.null, NA))
      if (!length(t)) {
        net$tensors <- fuzz_pick(list(list(), list(NULL), "a",
                                      rep(list(NULL), length(net$layers))))
      } else {
        i <- t[sample.int(length(t), 1L)]
        nm <- sample(names(net$tensors[[i]]), 1L)
        v <- net$tensors[[i]][[nm]]
        k <- sample.int(length(v), 1L)
        r <- runif(1)
        if (r < 0.15) {
          net$tensors[[i]][nm] <- list(NULL)
        } else if (r < 0.3) {
          net$tensors[[i]][[nm]] <- fuzz_pick(list(v[-1], c(v, 1), as.integer(v),
                                                   "a", numeric(0)))
        } else if (r < 0.4) {
          names(net$tensors[[i]])[names(net$tensors[[i]]) == nm] <- "zz"
        } else if (r < 0.5) {
          net$tensors <- net$tensors[-i]
        } else if (r < 0.6) {
          net$layers[[i]][[sample(c("eps", "momentum"), 1L)]] <-
            fuzz_pick(list(NULL, -1, 0, 2, NA_real_, Inf, "a", c(1, 2)))
        } else {
          # finite values large enough to overflow the arithmetic of a
          # forward pass (a scale of 1e308) give non-finite outputs by IEEE
          # rules, not through a missing check: 1e308 only goes into the
          # running variance (a divisor), where it tests the range of
          # single precision
          v[k] <- fuzz_pick(list(NA, NaN, Inf, -Inf, -1, 0, -1e-300, 1e-300, 1e10,
                                 if (nm == "running_var") 1e308 else -1e10))
          net$tensors[[i]][[nm]] <- v
        }
      }
    },
    # the settings the engine reads: the precision and the cost
    model_settings = {
      if (runif(1) < 0.5) {
        net$settings$precision <- fuzz_pick(list(NULL, "single", "double",
                                                 fuzz_bad_precision()))
      } else {
        net$settings$C <- fuzz_pick(list(NULL, "mse", "ce", "zz", NA_character_,
                                         c("ce", "mse"), 1, factor("ce")))
      }
    })
  net
}

fuzz_model_kinds <- function(include_known) {
  kinds <- c("model_fields", "model_class", "model_weights", "model_layers",
             "model_act", "model_nonfinite", "model_geom", "model_input_dim",
             "model_tensors", "model_settings")
  if (include_known) kinds else setdiff(kinds, fuzz_known_bugs)
}

# Impossible or malformed layer lists for cnn().
fuzz_bad_layers <- function(f) {
  fuzz_pick(list(
    list(),
    list(layer_dense(2)),
    list(layer_flatten(), layer_conv2d(1, 2), layer_dense(2, "softmax")),
    list(layer_conv2d(1, 9), layer_flatten(), layer_dense(2, "softmax")),
    list(layer_conv2d(1, 2, padding = "same", stride = 3), layer_flatten(),
         layer_dense(2, "softmax")),
    list(layer_conv2d(1, 2, stride = .Machine$integer.max, padding = "same"),
         layer_flatten(), layer_dense(2, "softmax")),
    list(layer_conv2d(1, c(1, 4), stride = 3, padding = "same"),
         layer_maxpool2d(2), layer_flatten(), layer_dense(2, "softmax")),
    list(layer_maxpool2d(3), layer_flatten(), layer_dense(2, "softmax")),
    list(layer_maxpool2d(c(1, 2)), layer_flatten(), layer_dense(2, "softmax")),
    list(layer_conv2d(1, 2), layer_dense(2, "softmax")),
    list(layer_conv2d(1, 2), layer_flatten()),
    list(layer_flatten(), layer_dense(3, "softmax"), layer_dense(2, "softmax")),
    list(layer_flatten(), layer_dense(2, "softmax"), layer_dropout(0.5)),
    list(layer_flatten(), layer_dropout(0.5), layer_dense(2, "sigmoid")),
    list(layer_flatten(), layer_dense(1, "sigmoid")),
    list(layer_flatten(), layer_dense(3, "softmax")),
    list(layer_flatten(), layer_dense(2, "relu")),
    list(layer_conv2d(1, 1), 1, layer_dense(2, "softmax")),
    list(layer_batchnorm()),
    list(layer_batchnorm(), layer_dense(2, "softmax")),
    list(layer_flatten(), layer_dense(2, "softmax"), layer_batchnorm()),
    list(layer_flatten(), layer_avgpool2d(2), layer_dense(2, "softmax")),
    list(layer_avgpool2d(3), layer_flatten(), layer_dense(2, "softmax")),
    list(layer_avgpool2d(c(1, 2)), layer_flatten(), layer_dense(2, "softmax")),
    list(layer_avgpool2d(4), layer_avgpool2d(2), layer_flatten(),
         layer_dense(2, "softmax")),
    list(layer_avgpool2d(4), layer_batchnorm(), layer_flatten(),
         layer_dense(2, "softmax")),
    list(layer_batchnorm(), layer_batchnorm(0, 1e-300), layer_flatten(),
         layer_batchnorm(1), layer_dense(2, "softmax")),
    list(layer_conv2d(1, 4, stride = 4), layer_batchnorm(), layer_flatten(),
         layer_dense(2, "softmax")),
    list(layer_flatten(), layer_dropout(0.5), layer_batchnorm(),
         layer_dense(3, "relu"), layer_batchnorm(), layer_dense(2, "softmax")),
    c(f$bn_layers[-1], f$bn_layers[1]),
    layer_batchnorm(),
    layer_dense(2),
    c(f$cnn_layers, list(NULL)),
    rev(f$cnn_layers),
    fuzz_pick(fuzz_bad_values())))
}

# ---- image-like data, data paths and files (src/data_codes.c, src/train.c) --

# Bit-for-bit equality: -0 is not 0 here.
fuzz_same <- function(a, b) identical(a, b, num.eq = FALSE)

# A result that is wrong without an error: fuzz_one() counts it as garbage.
fuzz_garbage <- function(...) structure(list(message = paste0(...)),
                                        class = "fuzz_garbage")

# count values of image-like data of one kind, in R's column order of an
# n x p matrix (p values per sample):
#   grey     levels k / 255 (coded by arithmetic), sometimes one value off
#            the levels late in the data (back to the dictionary);
#   whole    whole numbers 0..255, integer or double, sometimes a 256 late;
#   few      at most 256 arbitrary distinct doubles: -0 and 0, huge, tiny
#            and subnormal magnitudes, float's edge, all 256 present or few;
#   late257  256 values and a 257th in a sample past those that
#            byte_codes_likely() looks at;
#   split257 256 values in the first half of the samples and, in the second
#            half, the same values but one replaced: each thread's
#            dictionary holds 256, their union 257;
#   constant one value everywhere;
#   logical  TRUE and FALSE.
fuzz_image_values <- function(kind, n, p) {
  count <- n * p
  special <- c(-0, 0, 1e308, -1e308, .Machine$double.xmax, 5e-324, -5e-324,
               2.2250738585072014e-308, 1e-300, 3.4028234663852886e38,
               3.5e38, 1.4e-45, 1, -1, 0.5, 1 / 3)
  # k values with distinct bits (runif's are distinct)
  pool <- function(k) {
    v <- if (k <= length(special)) sample(special, k) else
      c(special, runif(k - length(special), -3, 3))
    v[sample.int(k)]
  }
  late <- function() { # a position in a sample past the first 64, if any
    i <- if (n > 65) sample(max(65L, n %/% 2L):n, 1L) else n
    i + n * (sample.int(p, 1L) - 1L)
  }
  fill <- function(v) { # every value of v at least once when they fit
    x <- v[sample.int(length(v), count, replace = TRUE)]
    if (count >= length(v) && runif(1) < 0.5) x[sample.int(count, length(v))] <- v
    x
  }
  switch(kind,
    grey = {
      x <- sample(0:255, count, TRUE) / 255
      if (runif(1) < 0.3) x[late()] <- fuzz_pick(list(-0, 0.5 / 255, 1 + 1e-15,
                                                      254.5 / 255, 256 / 255))
      x
    },
    whole = {
      x <- sample(0:255, count, TRUE)
      if (runif(1) < 0.5) x <- as.double(x)
      if (runif(1) < 0.2) x[late()] <- 256L
      x
    },
    few = fill(pool(fuzz_pick(list(1L, 2L, 3L, 16L, 100L, 255L, 256L)))),
    late257 = {
      x <- fill(pool(256L))
      x[late()] <- 0.123456789
      x
    },
    split257 = {
      v <- pool(256L)
      w <- replace(v, sample.int(256L, 1L), 0.987654321)
      # the first thread's block when two code the data (whole tiles of 64)
      h <- if (n >= 512L) ((n + 1L) %/% 2L + 63L) %/% 64L * 64L else n %/% 2L
      x <- matrix(0, n, p)
      x[seq_len(h), ] <- v[sample.int(256L, h * p, replace = TRUE)]
      x[(h + 1L):n, ] <- w[sample.int(256L, (n - h) * p, replace = TRUE)]
      as.vector(x)
    },
    constant = rep(fuzz_pick(list(0, -0, 1, 1e308, 5e-324, 0.5, 255L)), count),
    logical = sample(c(TRUE, FALSE), count, TRUE))
}

fuzz_image_kinds <- c("grey", "whole", "few", "late257", "split257",
                      "constant", "logical")

# Image-like training data in R's rows: list(x, y, len) where x is an
# n x p matrix (shape "matrix") or an n x h x w (x c) array whose height
# and width are among `sides`. Sometimes
# n >= 512, where two threads code the data. With `idx`, the data are
# whole numbers 0..255 written to an IDX file (plain or gzipped), and x
# is a "fuzz_idx" path that fuzz_on_paths() reads back with read_idx().
fuzz_image_data <- function(f, shape = c("matrix", "array"), sides = c(2L, 4L, 6L)) {
  shape <- match.arg(shape)
  n <- fuzz_pick(list(3L, 20L, 70L, 150L, 600L))
  dims <- if (shape == "matrix") sample(c(1L, 3L, 8L, 33L, 64L, 65L), 1L) else
    c(sides[sample.int(length(sides), 2L, replace = TRUE)],
      if (runif(1) < 0.7) sample(1:3, 1L))
  p <- prod(dims)
  k <- sample(2:3, 1L)
  y <- factor(sample(letters[seq_len(k)], n, TRUE), levels = letters[seq_len(k)])
  if (runif(1) < 0.15) {
    # through an IDX file of unsigned bytes
    b <- sample(0:255, n * p, TRUE)
    xm <- matrix(b, n, p) # R's rows; the file is row-major
    gz <- runif(1) < 0.5
    path <- tempfile("img", f$dir, fileext = if (gz) ".gz" else "")
    con <- if (gz) gzfile(path, "wb") else file(path, "wb")
    writeBin(as.raw(c(0, 0, 8, 1 + length(dims))), con)
    writeBin(as.integer(c(n, dims)), con, size = 4L, endian = "big")
    writeBin(as.raw(t(xm)), con)
    close(con)
    expect <- xm
    attr(expect, "idx_dim") <- as.integer(c(n, dims))
    x <- structure(path, class = "fuzz_idx", expect = expect,
                   scale = fuzz_pick(list(1, 255)), dims = c(n, dims))
    return(list(x = x, y = y, len = n * p))
  }
  v <- fuzz_image_values(sample(fuzz_image_kinds, 1L), n, p)
  x <- if (shape == "matrix") matrix(v, n, p) else array(v, c(n, dims))
  list(x = x, y = y, len = n * p)
}

# Read back the IDX file of a "fuzz_idx" x: the values written, bit for
# bit, or a garbage result; then x as the training data's images.
fuzz_from_idx <- function(data) {
  x <- if (is.list(data) && !is.data.frame(data)) data$x
  if (!inherits(x, "fuzz_idx")) return(data)
  v <- read_idx(unclass(x)[1L])
  if (!fuzz_same(v, attr(x, "expect")))
    return(fuzz_garbage("read_idx() of a generated image file differs from ",
                        "the values written"))
  d <- attr(x, "dims")
  data$x <- if (length(d) == 2L) v / attr(x, "scale") else
    array(as.vector(v) / attr(x, "scale"), d)
  data
}

# nnfs.copy_limit values that select each way the engine gets training data
# of `len` values in R's rows: in double, the column copy (>= 8 len), byte
# codes (len .. 8 len - 1), chunks of the rows (< len; 0 and a few KB:
# chunks of one batch); in single, byte codes (>= len), else the float
# copy (>= 4 len) or chunks.
fuzz_copy_limit <- function(len) {
  fuzz_pick(list(NULL, Inf, 0, as.double(sample.int(4096L, 1L)), len, len - 1,
                 4 * len, 4 * len - 1, 8 * len, 8 * len - 1, 1e300,
                 runif(1, len, 8 * len), floor(runif(1, 0, len))))
}

fuzz_bad_copy_limit <- function() {
  fuzz_pick(list(-1, -Inf, NA, NA_real_, NaN, "1e6", c(1, 2), TRUE, list(1),
                 numeric(0), factor("a"), -1e-300))
}

# The first maximum of each 2-D window by the engine's rule (a later value
# replaces the best only when greater, so NaN never does), for the samples
# in the rows of `inp`, in the engine's (y, x, c) order of geometry g.
fuzz_pool_ref <- function(inp, g) {
  out <- matrix(0, nrow(inp), g[4] * g[5] * g[6])
  j <- 0L
  for (cc in seq_len(g[6])) for (ox in seq_len(g[5])) for (oy in seq_len(g[4])) {
    j <- j + 1L
    ys <- (oy - 1L) * g[9] + seq_len(g[7])
    xs <- (ox - 1L) * g[9] + seq_len(g[8])
    idx <- as.vector(outer(ys, g[1] * ((xs - 1L) + g[2] * (cc - 1L)), `+`))
    best <- inp[, idx[1L]]
    for (i in idx[-1L]) {
      take <- inp[, i] > best
      take[is.na(take)] <- FALSE
      best[take] <- inp[take, i]
    }
    out[, j] <- best
  }
  out
}

# Doubles rounded to float and back, as the single-precision engine sees
# them.
fuzz_float <- function(v) {
  readBin(writeBin(as.double(v), raw(), size = 4L), "double", n = length(v),
          size = 4L)
}

# Every max-pooling layer of a trained CNN against fuzz_pool_ref(), on the
# training images: the layer's output from the engine (in the network's
# precision) and the reference on the engine's output of the layer before.
fuzz_pool_check <- function(net, x) {
  ns <- asNamespace("nnfs")
  prec <- ns$network_precision(net)
  flat <- matrix(as.double(x), nrow = dim(x)[1L])
  params <- ns$network_params(net)
  upto <- function(i) if (i == 0L) {
    if (prec == "single") matrix(fuzz_float(flat), nrow(flat)) else flat
  } else ns$engine_predict(net$layers[seq_len(i)], params[seq_len(i)], flat, prec)
  for (i in which(vapply(net$layers, function(s) s$kind == "maxpool2d", NA))) {
    got <- upto(i)
    ref <- fuzz_pool_ref(upto(i - 1L), net$layers[[i]]$geom)
    if (!fuzz_same(unname(got), ref))
      return(fuzz_garbage("max pooling (layer ", i, ", ", prec, ") differs ",
                          "from the first maximum of each window"))
  }
  NULL
}

# Train with options(nnfs.copy_limit = limit), then again from the same
# random state with a limit that takes another path (0: chunks of the
# rows, one batch each; after a limit of 0, Inf: the column copy in double,
# byte codes or the float copy in single). The batches hold the same
# numbers either way, so the networks must be identical; an error on one
# path only, or any difference, is garbage. CNNs also have their pooling
# checked (fuzz_pool_check()).
fuzz_on_paths <- function(fun, args, limit) {
  if ("training_data" %in% names(args)) {
    same <- identical(args$validation_data, args$training_data)
    d <- fuzz_from_idx(args$training_data)
    if (inherits(d, "fuzz_garbage")) return(d)
    args["training_data"] <- list(d)
    if (same) args["validation_data"] <- list(d)
  }
  seed <- get(".Random.seed", globalenv())
  fit <- function(l) {
    old <- options(nnfs.copy_limit = l)
    on.exit(options(old))
    do.call(fun, args, quote = TRUE)
  }
  a <- fit(limit)
  ref <- if (is.numeric(limit) && length(limit) == 1L && !is.na(limit) &&
             limit == 0) Inf else 0
  after <- get(".Random.seed", globalenv())
  assign(".Random.seed", seed, globalenv())
  b <- tryCatch(fit(ref), error = function(e) e)
  show <- function(l) if (is.null(l)) "NULL" else format(l)
  if (inherits(b, "error"))
    return(fuzz_garbage("trains with nnfs.copy_limit = ", show(limit),
                        " but fails with ", show(ref), ": ", conditionMessage(b)))
  keep <- c("weights", "biases", "tensors", "history", "optimizer_state",
            "best_epoch")
  differ <- keep[!vapply(keep, function(e) fuzz_same(a[[e]], b[[e]]), NA)]
  if (length(differ))
    return(fuzz_garbage("nnfs.copy_limit = ", show(limit), " and ", show(ref),
                        " train different networks (", paste(differ, collapse = ", "),
                        ")"))
  if (!fuzz_same(after, get(".Random.seed", globalenv())))
    return(fuzz_garbage("the two data paths drew different random numbers"))
  x <- if (is.list(args$training_data)) args$training_data$x
  if (inherits(a, "nnfs_cnn") && (is.numeric(x) || is.logical(x)) &&
      length(dim(x)) >= 3L) {
    bad <- fuzz_pool_check(a, x)
    if (!is.null(bad)) return(bad)
  }
  a
}

# An IDX file of one of the six types: its path, with attribute `expect`
# what read_idx() must return if it returns (NULL for a damaged file). Plain or gzipped;
# damage: cut inside the header or the payload, a byte too many, a wrong
# type code or dimension count, a gzip stream cut short; sometimes larger
# than read_idx()'s chunk of 2^20 bytes.
fuzz_idx_typed <- function(f) {
  types <- list(
    list(code = 0x08, size = 1L, gen = function(m) sample(0:255, m, TRUE),
         write = function(v) as.raw(v), expect = function(v) v),
    list(code = 0x09, size = 1L, gen = function(m) sample(0:255, m, TRUE),
         write = function(v) as.raw(v),
         expect = function(v) c(0:127, -128:-1)[v + 1L]),
    list(code = 0x0B, size = 2L, gen = function(m) sample(-32768:32767, m, TRUE),
         write = function(v) writeBin(v, raw(), size = 2L, endian = "big"),
         expect = function(v) v),
    list(code = 0x0C, size = 4L, gen = function(m) {
           v <- sample.int(2000001L, m, TRUE) - 1000001L
           v[sample.int(m, min(m, 2L))] <- c(.Machine$integer.max, -.Machine$integer.max)[seq_len(min(m, 2L))]
           v },
         write = function(v) writeBin(v, raw(), size = 4L, endian = "big"),
         expect = function(v) v),
    list(code = 0x0D, size = 4L, gen = function(m) {
           v <- rnorm(m)
           v[sample.int(m, min(m, 4L))] <- c(-0, Inf, NaN, 1e-40)[seq_len(min(m, 4L))]
           v },
         write = function(v) writeBin(v, raw(), size = 4L, endian = "big"),
         expect = function(v) fuzz_float(v)),
    list(code = 0x0E, size = 8L, gen = function(m) {
           v <- rnorm(m)
           v[sample.int(m, min(m, 4L))] <- c(-0, 5e-324, -Inf, 1e308)[seq_len(min(m, 4L))]
           v },
         write = function(v) writeBin(v, raw(), size = 8L, endian = "big"),
         expect = function(v) v))
  t <- fuzz_pick(types)
  big <- t$size == 1L && runif(1) < 0.03
  dims <- if (big) fuzz_pick(list(c(1030L, 1024L), c(1100L, 31L, 31L))) else
    sample(0:4, sample(1:4, 1L), replace = TRUE)
  if (!big && all(dims == 0L) && runif(1) < 0.7) dims[] <- 1L
  m <- prod(dims)
  v <- if (m > 0) t$gen(m) else t$gen(1L)[0L]
  bytes <- c(as.raw(c(0, 0, t$code, length(dims))),
             writeBin(as.integer(dims), raw(), size = 4L, endian = "big"),
             if (m > 0) t$write(v))
  e <- t$expect(v)
  expect <- if (length(dims) == 1L) e else {
    e <- t(matrix(e, prod(dims[-1L]), dims[1L]))
    attr(e, "idx_dim") <- as.integer(dims)
    e
  }
  damage <- runif(1)
  if (damage < 0.08) { # cut inside the header or the payload
    bytes <- bytes[seq_len(sample.int(length(bytes), 1L) - 1L)]
    expect <- NULL
  } else if (damage < 0.12 && m > 0) {
    bytes <- bytes[-length(bytes)]
    expect <- NULL
  } else if (damage < 0.15) {
    bytes <- c(bytes, as.raw(0))
    expect <- NULL
  } else if (damage < 0.2) { # another type code or count of dimensions
    bytes[sample(3:4, 1L)] <- as.raw(sample(0:255, 1L))
    expect <- NULL
  }
  gz <- runif(1) < 0.3
  path <- tempfile("idx", f$dir, fileext = if (gz) ".gz" else "")
  if (gz) {
    con <- gzfile(path, "wb")
    writeBin(bytes, con)
    close(con)
    if (runif(1) < 0.15) { # the gzip stream cut short: an error, or the
      # values written when the cut spares them (the trailer's checksum)
      z <- readBin(path, "raw", file.size(path))
      writeBin(z[seq_len(max(0L, length(z) - sample(1:12, 1L)))], path)
    }
  } else {
    writeBin(bytes, path)
  }
  structure(path, expect = expect)
}

# all_finite() (the package's branch-free, threaded finiteness check) on
# a vector built here, against R's is.finite(): doubles, integers or
# logicals, sometimes of more than 2^20 values (shared among threads in
# blocks of 65536), with NA, NaN or infinite values at the ends, at block
# edges or anywhere, or with only finite extremes (-0, subnormals, the
# largest double).
fuzz_all_finite <- function(...) {
  n <- fuzz_pick(list(0L, 1L, 3L, sample.int(5000L, 1L), 2^20, 2^20 + 1,
                      16 * 65536 - 1, 2^20 + sample.int(3L * 65536L, 1L)))
  type <- sample(c("double", "double", "integer", "logical"), 1L)
  x <- switch(type, double = runif(n, -1e6, 1e6),
              integer = sample.int(100L, n, TRUE), logical = rep(TRUE, n))
  if (n > 0) {
    at <- unique(c(fuzz_pick(list(1, n, sample.int(n, 1L))),
                   if (n > 65536) fuzz_pick(list(65536, 65537, n - 65536))))
    at <- at[at <= n & at >= 1]
    bad <- if (type == "double") fuzz_pick(list(NA_real_, NaN, Inf, -Inf, -0,
                                                5e-324, .Machine$double.xmax,
                                                -.Machine$double.xmax)) else NA
    if (runif(1) < 0.8) x[at] <- bad
  }
  old <- options(nnfs.threads = sample(1:2, 1L))
  on.exit(options(old))
  got <- asNamespace("nnfs")$all_finite(x)
  if (!identical(got, all(is.finite(x))))
    return(fuzz_garbage("all_finite() of ", n, " ", type, " values says ", got))
  got
}

# ---- the calls --------------------------------------------------------------

# A valid call to each function: list(fun, args, huge = args that may take
# huge counts, special = list(arg = function() bad value) for arguments with
# their own corruptions). Each generator returns one such call.
fuzz_calls <- function(f, include_known) {
  model <- function(net) function() {
    fuzz_edit_model(net, sample(fuzz_model_kinds(include_known), 1L))
  }
  data <- function() fuzz_bad_data(f)
  # An IDX file: random bytes, a random header, or a valid file of `dims`
  # unsigned bytes (with `damage`, maybe cut short or extended).
  idx_file <- function(dims = sample(1:3, sample(1:3, 1L), replace = TRUE),
                       valid = runif(1) < 0.3, damage = TRUE) {
    path <- tempfile("idx", f$dir)
    if (valid) {
      bytes <- c(as.raw(c(0, 0, 8, length(dims))),
                 writeBin(as.integer(dims), raw(), endian = "big"),
                 as.raw(sample(0:255, prod(dims), replace = TRUE)))
      if (damage && runif(1) < 0.2) bytes <- bytes[-length(bytes)]
      if (damage && runif(1) < 0.1) bytes <- c(bytes, as.raw(0))
      writeBin(bytes, path)
      return(path)
    }
    n <- sample(0:40, 1L)
    bytes <- as.raw(sample(0:255, n, replace = TRUE))
    if (n >= 4L && runif(1) < 0.7) {
      bytes[1:2] <- as.raw(0)
      bytes[3] <- as.raw(sample(c(8, 9, 11:14, 1), 1L))
      bytes[4] <- as.raw(sample(0:4, 1L))
    }
    writeBin(bytes, path)
    path
  }
  mnist_dir <- function() {
    d <- tempfile("mnist", f$dir)
    dir.create(d)
    stems <- c("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    n <- sample(1:3, 1L)
    good <- runif(1) < 0.5 # four valid files of n samples, else anything
    for (s in if (good) stems else sample(stems, sample(0:4, 1L))) {
      dims <- if (grepl("images", s)) c(n, 2L, 2L) else n
      if (!good && runif(1) < 0.3) dims <- sample(1:3, sample(1:3, 1L), replace = TRUE)
      path <- if (good) idx_file(dims, valid = TRUE, damage = FALSE) else
        idx_file(dims, valid = runif(1) < 0.7)
      file.copy(path, file.path(d, s))
    }
    if (good) attr(d, "good") <- TRUE # fuzz_read_mnist() checks the values
    d
  }
  mat_list <- function() fuzz_pick(list(
    list(), list(matrix(1, 2, 2), matrix(1, 3, 3)), list(matrix(1, 2, 2), "a"),
    list(matrix(NA_real_, 2, 2)), list(matrix(numeric(0), 0, 0)),
    array(1, c(2, 2, 0)), array(1, c(2, 2, 3)), list(matrix(Inf, 2, 2)),
    list(matrix(TRUE, 1, 1)), fuzz_pick(fuzz_bad_values())))
  nets <- list(f$net, f$net_reg, f$cnn, f$cnn_bn, f$net_single, f$cnn_single)
  a_net <- function() nets[[sample.int(length(nets), 1L)]]
  a_cnn <- function() fuzz_pick(list(f$cnn, f$cnn_bn, f$cnn_single))
  precision <- function() sample(c("double", "single"), 1L)
  # the settings of gradient descent the regressions share with networks
  gd_args <- function() list(optimizer = sample(c("sgd", "adam", "rmsprop",
                                                  "nesterov", "momentum"), 1L),
                             l1 = sample(c(0, 0.01), 1L), l2 = sample(c(0, 0.1), 1L),
                             patience = if (runif(1) < 0.3) 2,
                             validation_split = sample(c(0, 0, 0.25, 0.5), 1L),
                             precision = precision())
  gd_special <- list(optimizer = function() fuzz_pick(list("SGD", "lbfgs",
                       c("sgd", "adam"), NA_character_, "")),
                     precision = fuzz_bad_precision,
                     validation_split = function() fuzz_pick(list(0.99, 0.75, 1,
                       1 - 1e-12, 1e-12, -0.1)),
                     patience = function() fuzz_pick(list(0, 1, 1.5, -2, 1e9)))
  list(
    neuralnetwork = function() list(args = list(
      sizes = c(2, 3, 2), training_data = list(x = f$x, y = f$y), epochs = 1,
      mini_batch_size = 2, lr = 0.1, C = "ce", validation_data = NULL,
      activation = "sigmoid", output = "sigmoid", init = "xavier",
      optimizer = sample(c("sgd", "adam", "rmsprop", "nesterov"), 1L),
      dropout = 0, l2 = 0, patience = NULL, warm_start = NULL,
      precision = precision()),
      huge = c("mini_batch_size", "patience", "slope", "l1", "l2", "epsilon"),
      special = list(training_data = data, validation_data = data,
                     warm_start = model(fuzz_pick(list(f$net, f$net_single))),
                     precision = fuzz_bad_precision,
                     sizes = function() fuzz_pick(list(c(2, 2), c(2, 0, 2),
                       c(3, 3, 2), c(2, 3, 1), c(2, 3, 4), 2, c(2, NA, 2))))),
    cnn = function() {
      bn <- runif(1) < 0.5
      list(args = list(
        layers = if (bn) f$bn_layers else f$cnn_layers,
        training_data = list(x = f$imgs, y = f$y),
        epochs = 1, mini_batch_size = 2, lr = 0.1, C = "ce",
        validation_data = NULL,
        optimizer = sample(c("sgd", "adam", "momentum"), 1L), warm_start = NULL,
        precision = precision(), l2 = sample(c(0, 0.01), 1L),
        validation_split = sample(c(0, 0.5), 1L)),
        huge = c("mini_batch_size", "l2"),
        special = list(layers = function() fuzz_bad_layers(f),
                       training_data = data, validation_data = data,
                       precision = fuzz_bad_precision,
                       validation_split = gd_special$validation_split,
                       warm_start = model(if (bn) fuzz_pick(list(f$cnn_bn, f$cnn_single))
                                          else f$cnn)))
    },
    layer_conv2d = function() list(args = list(filters = 2, kernel_size = 3,
      activation = "relu", stride = 1, padding = "same"),
      huge = c("filters", "kernel_size", "stride")),
    layer_maxpool2d = function() list(args = list(pool_size = 2),
                                      huge = "pool_size"),
    layer_avgpool2d = function() list(args = list(pool_size = 2),
                                      huge = "pool_size"),
    layer_batchnorm = function() list(args = list(momentum = 0.9, epsilon = 1e-5),
                                      huge = "epsilon"),
    layer_flatten = function() list(args = list()),
    layer_dense = function() list(args = list(units = 2, activation = "relu"),
                                  huge = "units"),
    layer_dropout = function() list(args = list(rate = 0.5)),
    predict = function() list(args = list(object = a_net(), newdata = f$x,
      type = "prob"), special = list(object = model(a_net()), newdata = data)),
    evaluate = function() list(args = list(x = f$net,
      data = list(x = f$x, y = f$y)),
      special = list(x = model(f$net), data = data)),
    # the tutorial's helpers, on the biases and weights of a network
    evaluate_pairs = function() list(args = list(x = f$pairs,
      biases = f$net[[1]], weights = f$net[[2]]),
      special = list(x = data, biases = mat_list, weights = mat_list)),
    feedforward = function() list(args = list(a = f$x[1, ], biases = f$net[[1]],
      weights = f$net[[2]], all = TRUE),
      special = list(a = data, biases = mat_list, weights = mat_list)),
    get_predictions = function() list(args = list(test_X = lapply(f$pairs, `[[`, 1L),
      biases = f$net[[1]], weights = f$net[[2]]),
      special = list(test_X = data, biases = mat_list, weights = mat_list)),
    # the formula and x/y doors
    nn_formula = function() list(args = list(sizes = y ~ ., training_data = f$frame,
      hidden = 2, epochs = 1, validation_split = 0),
      huge = c("hidden", "epochs"),
      special = list(sizes = function() fuzz_pick(list(y ~ nothing, ~ a, y ~ a + b,
        a ~ ., y ~ log(a))), training_data = function() fuzz_pick(list(
          f$frame[0, ], f$frame[1, ], f$frame[, 1, drop = FALSE],
          transform(f$frame, y = "u"), transform(f$frame, a = NA))))),
    nn_xy = function() list(args = list(x = f$frame[c("a", "b")], y = f$frame$y,
      hidden = 2, epochs = 1), huge = c("hidden", "epochs"),
      special = list(x = data, y = function() fuzz_pick(list(f$y[1:3], f$yn,
        factor(rep("a", 4)), as.list(f$y))))),
    summary = function() list(args = list(object = a_net()),
                              special = list(object = model(a_net()))),
    print = function() list(args = list(x = a_net()),
                            special = list(x = model(a_net()))),
    coef = function() list(args = list(object = a_net()),
                           special = list(object = model(a_net()))),
    plot = function() list(args = list(x = a_net()),
                           special = list(x = model(a_net()))),
    grad_check = function() list(args = list(net = fuzz_pick(list(f$net,
      f$net_single)), x = f$x, y = f$y, eps = 1e-5, n_params = 3),
      huge = c("n_params", "eps"),
      special = list(net = model(fuzz_pick(list(f$net, f$net_single))), x = data)),
    backprop_trace = function() list(args = list(net = a_net(), x = f$x, y = f$y),
      special = list(net = model(a_net()), x = data,
                     y = function() fuzz_pick(list(f$yn, f$y01, f$y[1:3], f$df)))),
    # gradient descent's settings go with method = "gd" (least squares
    # refuses them)
    linear_reg = function() {
      gd <- runif(1) < 0.7
      list(args = c(list(X = f$x, y = f$yn, method = if (gd) "gd" else "ols",
                         epochs = 2, lr = 0.1), if (gd) gd_args()),
           special = c(list(X = function() fuzz_pick(list(f$x[1, , drop = FALSE],
             cbind(f$x, f$x[, 1]), matrix(1, 4, 6), f$x[0, ]))), gd_special),
           huge = c("lr", "l1", "l2", "patience"))
    },
    logistic_reg = function() list(args = c(list(X = f$x, y = f$y01, epochs = 2,
      lr = 0.1, verbose = FALSE), gd_args()), huge = c("lr", "l1", "l2", "patience"),
      special = c(list(y = function() fuzz_pick(list(c(0, 1, 2, 1), f$y[1:3],
        factor(c("a", "a", "a", "a")), c(TRUE, FALSE, NA, TRUE),
        factor(c("a", "b", "c", "a"))))), gd_special)),
    softmax_reg = function() list(args = c(list(X = f$x, y = f$y, epochs = 2,
      lr = 0.1, verbose = FALSE), gd_args()), huge = c("lr", "l1", "l2", "patience"),
      special = c(list(y = function() fuzz_pick(list(c(1, 1, 1, 1),
        c(1.5, 2, 1, 2), f$y[1:3], factor(c("a", NA, "b", "a"))))), gd_special)),
    predict_reg = function() list(args = list(
      object = fuzz_pick(list(f$lin, f$logit, f$soft, f$logit_single)), newdata = f$x,
      type = NULL), special = list(newdata = data)),
    summary_reg = function() list(args = list(
      object = fuzz_pick(list(f$lin, f$logit, f$soft, f$logit_single)))),
    print_reg = function() list(args = list(
      x = fuzz_pick(list(f$lin, f$logit, f$soft, f$logit_single)))),
    logLik_reg = function() list(args = list(
      object = fuzz_pick(list(f$lin, f$logit, f$soft, f$logit_single)))),
    convolution = function() list(args = list(input_img = matrix(1:25, 5, 5),
      filter = filter_bank("sobel_x"), show = FALSE, out = TRUE, stride = 1,
      padding = "valid"), huge = c("stride"),
      special = list(input_img = function() fuzz_pick(list(array(1, c(3, 3, 2)),
        matrix(1, 1, 1), array(1, c(3, 3, 0)), array(1, c(2, 2, 2, 2)))),
      filter = function() fuzz_pick(list(matrix(1, 9, 1), matrix(1, 6, 6))))),
    filter_bank = function() list(args = list(name = "sobel_x")),
    random_filters = function() list(args = list(n = 2, size = 3)),
    square_stack_lst_of_matrices = function() list(args = list(
      lst = random_filters(3), sep = 1, fill = NA),
      special = list(lst = mat_list)),
    plot_feature_maps = function() list(args = list(lst = random_filters(3),
      sep = 1, normalize = TRUE, fill = NA), special = list(lst = mat_list)),
    show_image = function() list(args = list(m = matrix(1:6, 2, 3),
      col = c("white", "black"), main = NULL)),
    as_images = function() list(args = list(x = matrix(1:32, 2, 16),
      height = 4, width = 4, channels = 1),
      huge = c("height", "width", "channels")),
    plot_filters = function() list(args = list(net = a_cnn(), layer = 1,
      channel = 1), huge = c("layer", "channel"),
      special = list(net = model(a_cnn()))),
    feature_maps = function() list(args = list(net = a_cnn(),
      image = f$imgs[1, , ], layer = 1, plot = FALSE), huge = "layer",
      special = list(net = model(a_cnn()))),
    train_test_from_df = function() list(args = list(df = f$df,
      predict_col_index = 3, train_ratio = 0.6, shuffle_input = TRUE,
      scale_input = TRUE), huge = "predict_col_index",
      special = list(df = function() fuzz_pick(list(f$df[1, ], f$df[, 1, drop = FALSE],
        f$df[0, ], data.frame(a = c(1, NA, 3), b = c(Inf, 1, 2)),
        data.frame(a = 1:3, b = I(list(1, 2, 3))),
        data.frame(a = 1:3, b = as.Date("2020-01-01") + 1:3))),
      predict_col_index = function() fuzz_pick(list("zz", "cls", 4, 1.5)))),
    make_spirals = function() list(args = list(n = 6, classes = 2,
      noise = 0.2, turns = 1.5), huge = c("noise", "turns", "classes")),
    make_blobs = function() list(args = list(n = 6, centers = 3, sd = 0.2),
      huge = c("sd", if (include_known) "centers"),
      special = list(centers = function() fuzz_pick(list(matrix(1, 2, 3),
        matrix(NA_real_, 2, 2), matrix(numeric(0), 0, 2),
        matrix(1, 7, 2))))),
    # half of the files are of the six types, with the values read_idx()
    # must return (fuzz_idx_typed())
    read_idx = function() list(args = list(path = if (runif(1) < 0.5)
      fuzz_idx_typed(f) else idx_file()),
      special = list(path = function() fuzz_pick(list(f$dir, tempfile(),
        idx_file(), idx_file(), fuzz_idx_typed(f))))),
    read_mnist = function() list(args = list(dir = mnist_dir(),
      normalize = runif(1) < 0.7,
      sets = fuzz_pick(list("train", "test", c("train", "test"), c("test", "train")))),
      special = list(dir = function() fuzz_pick(list(
        mnist_dir(), tempfile(), idx_file())),
        sets = function() fuzz_pick(list("tests", c("train", "train"), character(0),
          NA_character_, c("train", NA), 1, c("train", "test", "valid"))))),
    # image-like data in R's rows, trained on two data paths
    # (fuzz_on_paths()): dense networks and CNNs with 2x2 max pooling
    nn_images = function() {
      d <- fuzz_image_data(f, "matrix")
      td <- list(x = d$x, y = d$y)
      p <- if (inherits(d$x, "fuzz_idx")) prod(attr(d$x, "dims")[-1L]) else ncol(d$x)
      val <- runif(1) < 0.4
      list(args = list(sizes = c(p, 4, nlevels(d$y)), training_data = td,
        epochs = sample(1:3, 1L),
        mini_batch_size = fuzz_pick(list(1, 3, 7, 16, 64, 1000)), lr = 0.1,
        validation_data = if (val) td, patience = if (val && runif(1) < 0.3) 1,
        optimizer = sample(c("sgd", "adam"), 1L), precision = precision(),
        copy_limit = fuzz_copy_limit(d$len)),
        huge = "mini_batch_size", clean = 0.5,
        special = list(copy_limit = fuzz_bad_copy_limit, training_data = data,
                       validation_data = data, precision = fuzz_bad_precision))
    },
    cnn_images = function() {
      # the layers before flatten; an unpadded 2x2 convolution (whose ReLU
      # outputs tie at 0) on odd sides, so that 2x2 pooling divides
      odd <- runif(1) < 0.25
      head <- if (odd) list(layer_conv2d(2, 2, activation = "relu"),
                            layer_maxpool2d(2)) else fuzz_pick(list(
        list(layer_conv2d(2, 3, padding = "same"), layer_maxpool2d(2)),
        list(layer_maxpool2d(2)),
        list(layer_maxpool2d(2), layer_conv2d(2, 1, activation = "relu"),
             layer_maxpool2d(1)),
        list(layer_conv2d(2, 3, padding = "same"), layer_batchnorm(),
             layer_avgpool2d(2))))
      d <- fuzz_image_data(f, "array", if (odd) c(3L, 5L, 7L) else c(2L, 4L, 6L))
      td <- list(x = d$x, y = d$y)
      k <- nlevels(d$y)
      val <- runif(1) < 0.3
      list(args = list(layers = c(head, list(layer_flatten(), layer_dense(k, "softmax"))),
        training_data = td, epochs = 1,
        mini_batch_size = fuzz_pick(list(1, 5, 16, 64)), lr = 0.05,
        validation_data = if (val) td,
        validation_split = if (!val) sample(c(0, 0, 0.25), 1L) else 0,
        optimizer = sample(c("sgd", "adam"), 1L), precision = precision(),
        copy_limit = fuzz_copy_limit(d$len)),
        huge = "mini_batch_size", clean = 0.5,
        special = list(copy_limit = fuzz_bad_copy_limit, training_data = data,
                       validation_data = data, layers = function() fuzz_bad_layers(f)))
    },
    # the package's finiteness check against is.finite() (internal)
    all_finite = function() list(args = list())
  )
}

# read_idx() and, for a file of fuzz_idx_typed(), its values checked.
fuzz_read_idx <- function(path) {
  v <- read_idx(path)
  e <- attr(path, "expect")
  if (!is.null(e) && !fuzz_same(v, e))
    return(fuzz_garbage("read_idx() differs from the values written (",
                        paste(if (is.null(dim(e))) length(e) else attr(e, "idx_dim"),
                              collapse = " x "), ")"))
  v
}

# read_mnist() and, for a directory of four valid files, the values
# checked against read_idx() of each file.
fuzz_read_mnist <- function(...) {
  v <- read_mnist(...)
  a <- list(...)
  if (isTRUE(attr(a$dir, "good"))) {
    norm <- if (is.null(a$normalize)) TRUE else a$normalize
    sets <- if (is.null(a$sets)) c("train", "test") else a$sets
    sets <- c("train", "test")[c("train", "test") %in% sets]
    stems <- list(train = c("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                  test = c("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))
    expect <- lapply(stems[sets], function(s) {
      x <- read_idx(file.path(a$dir, s[1L]))
      attr(x, "idx_dim") <- NULL
      list(x = if (norm) x / 255 else x, y = read_idx(file.path(a$dir, s[2L])))
    })
    if (!fuzz_same(v, expect))
      return(fuzz_garbage("read_mnist() differs from read_idx() of its files"))
  }
  v
}

# The function each call name runs (methods called through their generics).
fuzz_function <- function(name) {
  switch(name,
    predict_reg = function(object, newdata, type)
      if (is.null(type)) predict(object, newdata) else
        predict(object, newdata, type = type),
    summary_reg = function(object) summary(object),
    print_reg = function(x) print(x),
    logLik_reg = function(object) logLik(object),
    summary = function(object) print(summary(object)),
    evaluate_pairs = function(x, biases, weights) evaluate(x, biases, weights),
    nn_formula = function(...) neuralnetwork(...),
    nn_xy = function(...) neuralnetwork(...),
    nn_images = function(..., copy_limit = NULL)
      fuzz_on_paths(neuralnetwork, list(...), copy_limit),
    cnn_images = function(..., copy_limit = NULL)
      fuzz_on_paths(cnn, list(...), copy_limit),
    read_idx = fuzz_read_idx,
    read_mnist = fuzz_read_mnist,
    all_finite = fuzz_all_finite,
    get(name, envir = asNamespace("nnfs")))
}

# Corrupt one or two arguments of a valid call (of 90% of the calls, or of
# 1 - call$clean): a bad value, a huge count where allowed, the argument's
# own corruption, or the argument left out.
fuzz_corrupt <- function(call) {
  args <- call$args
  if (!length(args)) {
    if (runif(1) < 0.5) args$extra <- fuzz_pick(fuzz_bad_values())
    return(args)
  }
  # a call may ask for more valid calls than 10% (`clean`, a probability)
  n_bad <- if (runif(1) < (if (is.null(call$clean)) 0.1 else call$clean)) 0L else
    sample(1:2, 1L)
  for (a in sample(names(args), min(n_bad, length(args)))) {
    r <- runif(1)
    if (r < 0.35 && !is.null(call$special[[a]])) {
      args[a] <- list(call$special[[a]]())
    } else if (r < 0.45 && a %in% call$huge) {
      args[a] <- list(fuzz_pick(fuzz_huge()))
    } else if (r < 0.5) {
      args[[a]] <- NULL
    } else {
      args[a] <- list(fuzz_pick(fuzz_bad_values()))
    }
  }
  if (runif(1) < 0.03) args$epoch <- 1 # a misspelt argument
  args
}

# Run one call; returns list(outcome, message). Outcomes: "ok", "error"
# (an R error), "internal" (an internal error from C: R validation missed
# it), "garbage" (predictions that are not finite, without an error).
fuzz_one <- function(name, args) {
  fun <- fuzz_function(name)
  res <- tryCatch(
    withCallingHandlers(
      list(value = suppressMessages(utils::capture.output(
        v <- do.call(fun, args, quote = TRUE))), v = v),
      warning = function(w) invokeRestart("muffleWarning")),
    error = function(e) e)
  if (inherits(res, "error")) {
    msg <- conditionMessage(res)
    return(list(outcome = if (grepl("internal error", msg, fixed = TRUE))
      "internal" else "error", message = msg))
  }
  v <- res$v
  if (inherits(v, "fuzz_garbage"))
    return(list(outcome = "garbage", message = v$message))
  if (name %in% c("predict", "feature_maps") && is.numeric(unlist(v)) &&
      !all(is.finite(unlist(v))))
    return(list(outcome = "garbage", message = "non-finite predictions"))
  list(outcome = "ok", message = "")
}

# n fuzzed calls from `seed`; returns a data frame with one row per call:
# fun, outcome, message. Plots go to a null device. With `log` a file path,
# each call's number and function are written there before it runs, so that
# the call that killed R can be found and replayed.
run_fuzz <- function(n, seed = 1, include_known = FALSE, log = NULL,
                     threads = 1L) {
  old_seed <- if (exists(".Random.seed", globalenv())) get(".Random.seed", globalenv())
  on.exit(if (is.null(old_seed)) rm(".Random.seed", envir = globalenv()) else
    assign(".Random.seed", old_seed, envir = globalenv()), add = TRUE)
  set.seed(seed)
  grDevices::pdf(NULL)
  dev <- grDevices::dev.cur()
  on.exit(grDevices::dev.off(dev), add = TRUE)
  old_opt <- options(nnfs.threads = threads, warn = 0, nnfs.copy_limit = NULL)
  on.exit(options(old_opt), add = TRUE)
  f <- fuzz_fixtures()
  on.exit(unlink(f$dir, recursive = TRUE), add = TRUE)
  calls <- fuzz_calls(f, include_known)
  funs <- sample(names(calls), n, replace = TRUE)
  out <- data.frame(fun = funs, outcome = "", message = "",
                    stringsAsFactors = FALSE)
  for (i in seq_len(n)) {
    args <- fuzz_corrupt(calls[[funs[i]]]())
    if (!is.null(log)) cat(i, funs[i], "\n", file = log)
    # every other call has the engine read its data in place
    options(nnfs.copy_limit = if (i %% 2L) 0 else NULL)
    r <- fuzz_one(funs[i], args)
    out$outcome[i] <- r$outcome
    out$message[i] <- r$message
  }
  out
}

if (identical(Sys.getenv("TESTTHAT"), "true")) {
  test_that("2000 fuzzed calls end in a result or a clear R error", {
    res <- run_fuzz(2000, seed = 20261121)
    failures <- res[res$outcome %in% c("internal", "garbage"), , drop = FALSE]
    expect_equal(nrow(res), 2000L)
    expect_equal(nrow(failures), 0L,
                 info = paste(utils::head(paste(failures$fun, failures$message), 10L),
                              collapse = "\n"))
    # every exported function was reached, and most calls were rejected
    expect_true(all(c("neuralnetwork", "cnn", "predict", "read_idx", "nn_formula",
                      "feedforward", "layer_avgpool2d", "layer_batchnorm",
                      "linear_reg", "nn_images", "cnn_images", "all_finite",
                      "read_mnist") %in% res$fun))
    expect_gt(sum(res$outcome == "error"), 500L)
    expect_gt(sum(res$outcome == "ok"), 50L)
  })
}
