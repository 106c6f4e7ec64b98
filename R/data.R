# The data layer: the shipped digits, a reader for IDX files (MNIST and
# Fashion-MNIST), generators for the 2-D toy problems, and the articles'
# train_test_from_df(), which turns a data frame into lists of (x, y) pairs.

# ---- digits ----------------------------------------------------------------

#' Handwritten digits, 8 x 8 pixels
#'
#' The 1797 small images of handwritten digits that scikit-learn ships as
#' its "digits" data set, used by the numpy network of the fourth article
#' (80/20 split, one hidden layer of 200 units).
#'
#' Each 32 x 32 black-and-white bitmap was divided into 64 blocks of 4 x 4
#' pixels and each block replaced by its count of ink pixels, so a pixel
#' value runs from 0 (white) to 16 (black).
#'
#' @format A data frame with 1797 rows and 65 columns:
#' * `px1` to `px64`: integer pixel values from 0 to 16, in the row-major
#'   order of the 8 x 8 image: pixel (row `r`, column `c`), counted from
#'   the top left, is column `px<8 * (r - 1) + c>`, so
#'   `matrix(unlist(digits[i, 1:64]), 8, 8, byrow = TRUE)` is image `i`.
#' * `digit`: the digit drawn, a factor with levels `"0"` to `"9"`.
#'
#' @source The test partition (`optdigits.tes`) of *Optical Recognition of
#'   Handwritten Digits* by E. Alpaydin and C. Kaynak (1998), UCI Machine
#'   Learning Repository, \doi{10.24432/C50P49}, licensed under
#'   [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). Read from
#'   the copy scikit-learn distributes as
#'   `sklearn/datasets/data/digits.csv.gz` (Debian package
#'   `python3-sklearn`) by the script `data-raw/digits.R` in the package
#'   sources; the values are unchanged.
#'
#' @references C. Kaynak (1995). *Methods of Combining Multiple Classifiers
#'   and Their Applications to Handwritten Digit Recognition*. MSc thesis,
#'   Bogazici University.
#'
#' @examples
#' table(digits$digit)
#'
#' # Draw image 1 upright: image() puts m[i, j] at x = i and y = j, with y
#' # growing upwards, so transpose and reverse the rows first.
#' m <- matrix(unlist(digits[1, 1:64]), 8, 8, byrow = TRUE)
#' image(t(m[8:1, ]), col = grDevices::grey(seq(1, 0, length.out = 17)),
#'       axes = FALSE, asp = 1, main = paste("digit", digits$digit[1]))
#'
#' # The article's split
#' set.seed(1)
#' d <- train_test_from_df(digits, 65, 0.8)
#' lengths(d)
#' @docType data
#' @name digits
#' @keywords datasets
NULL

# ---- IDX files --------------------------------------------------------------

# The IDX data types: code (third magic byte) -> how readBin() decodes it.
idx_types <- data.frame(
  code   = c(0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E),
  what   = c("integer", "integer", "integer", "integer", "double", "double"),
  size   = c(1L, 1L, 2L, 4L, 4L, 8L),
  signed = c(FALSE, TRUE, TRUE, TRUE, TRUE, TRUE),
  name   = c("unsigned byte", "signed byte", "short", "int", "float", "double"),
  stringsAsFactors = FALSE
)

check_path <- function(x, arg, dir = FALSE) {
  if (!is.character(x) || length(x) != 1L || is.na(x) || !nzchar(x))
    arg_error("`", arg, "` must be a single ", if (dir) "directory" else "file",
              " path, not ", describe(x), ".")
  x <- path.expand(x)
  if (!dir && dir.exists(x))
    arg_error("`", arg, "` must name a file; '", x, "' is a directory.")
  if (!(if (dir) dir.exists(x) else file.exists(x)))
    arg_error("`", arg, "` must name an existing ", if (dir) "directory" else "file",
              "; '", x, "' does not exist.")
  x
}

# Read an IDX file's header and payload, as raw bytes, checking its size.
# Returns list(type = one row of idx_types, dim = integer dims, bytes = raw).
idx_read_raw <- function(path) {
  con <- gzfile(path, "rb") # reads gzipped and plain files alike
  on.exit(close(con))
  magic <- readBin(con, "raw", 4L)
  type <- match(as.integer(magic[3L]), idx_types$code)
  if (length(magic) < 4L)
    stop("'", path, "' is not an IDX file: it has only ", length(magic),
         " bytes.", call. = FALSE)
  if (any(magic[1:2] != 0) || is.na(type) || magic[4L] == 0)
    stop("'", path, "' is not an IDX file: it starts with bytes ",
         paste(magic, collapse = " "), ", not 00 00, a type code (08, 09, 0b,",
         " 0c, 0d or 0e) and the number of dimensions.", call. = FALSE)
  ndim <- as.integer(magic[4L])
  dims <- readBin(con, "integer", ndim, size = 4L, endian = "big")
  if (length(dims) < ndim)
    stop("'", path, "' is truncated: it ends inside its header.", call. = FALSE)
  if (any(dims < 0L))
    stop("'", path, "' is not an IDX file: negative dimension in its header.",
         call. = FALSE)
  type <- idx_types[type, ]
  nbytes <- prod(as.double(dims)) * type$size
  shape <- sprintf("%s values of type %s", paste(dims, collapse = " x "), type$name)
  if (nbytes > .Machine$integer.max)
    stop("'", path, "' holds ", shape, ", more than this reader can hold.",
         call. = FALSE)
  bytes <- readBin(con, "raw", nbytes)
  if (length(bytes) < nbytes)
    stop("'", path, "' is truncated: its header announces ", shape, " (",
         format(nbytes, big.mark = ","), " bytes) but only ",
         format(length(bytes), big.mark = ","), " bytes follow.", call. = FALSE)
  if (length(readBin(con, "raw", 1L)))
    stop("'", path, "' is longer than its header announces (", shape, ", ",
         format(nbytes, big.mark = ","), " bytes).", call. = FALSE)
  list(type = type, dim = dims, bytes = bytes)
}

#' Read an IDX file (MNIST format)
#'
#' Reads a file in the IDX format of MNIST and Fashion-MNIST, gzipped or
#' not. IDX stores a big-endian array: a 4-byte magic number (two zero
#' bytes, a type code and the number of dimensions), each dimension as a
#' 4-byte integer, then the values in row-major order.
#'
#' All six IDX types are read: unsigned byte (`0x08`), signed byte
#' (`0x09`), short (`0x0B`) and int (`0x0C`) become integers, float
#' (`0x0D`) and double (`0x0E`) become doubles.
#'
#' @param path Path to the file. A gzipped file (such as
#'   `train-images-idx3-ubyte.gz`) is decompressed on the fly.
#' @return For a one-dimensional file (labels), a vector with one value per
#'   item. For a file of two or more dimensions `n x d2 x d3 ...`, a matrix
#'   with one row per item and `d2 * d3 * ...` columns in the file's
#'   row-major order, so that for images of `rows x cols` pixels
#'   `matrix(x[i, ], rows, cols, byrow = TRUE)` is image `i` the right way
#'   up. Its attribute `idx_dim` holds all the dimensions of the file.
#' @seealso [read_mnist()] reads the four files of MNIST at once.
#' @export
#' @examples
#' # Write a small IDX file of two 2 x 3 images and read it back
#' path <- tempfile(fileext = ".idx")
#' con <- file(path, "wb")
#' writeBin(as.raw(c(0, 0, 0x08, 3)), con)
#' writeBin(c(2L, 2L, 3L), con, size = 4, endian = "big")
#' writeBin(as.raw(1:12), con)
#' close(con)
#' x <- read_idx(path)
#' x
#' matrix(x[2, ], 2, 3, byrow = TRUE)
#'
#' fashion <- "/usr/share/datasets/fashion-mnist"
#' if (dir.exists(fashion)) {
#'   y <- read_idx(file.path(fashion, "t10k-labels-idx1-ubyte.gz"))
#'   table(y)
#' }
read_idx <- function(path) {
  path <- check_path(path, "path")
  idx <- idx_read_raw(path)
  idx_decode(idx$bytes, idx$type, idx$dim)
}

# Raw payload -> vector or (items x values-per-item) matrix, with one
# transposition done on the narrowest representation available.
idx_decode <- function(bytes, type, dims) {
  n <- dims[1L]
  per <- if (length(dims) > 1L) prod(dims[-1L]) else 1L
  if (type$size == 1L) {
    if (length(dims) > 1L) {
      dim(bytes) <- c(per, n)
      bytes <- t(bytes) # raw: a quarter of the integer matrix's size
    }
    x <- bytes
    storage.mode(x) <- "integer"
    if (type$signed) x <- x - 256L * (x > 127L)
  } else {
    x <- readBin(bytes, type$what, length(bytes) / type$size, size = type$size,
                 signed = type$signed, endian = "big")
    rm(bytes)
    if (length(dims) > 1L) {
      dim(x) <- c(per, n)
      x <- t(x)
    }
  }
  if (length(dims) > 1L) attr(x, "idx_dim") <- dims
  x
}

#' Read MNIST or Fashion-MNIST
#'
#' Reads the four IDX files of MNIST, or of a data set in the same format
#' such as Fashion-MNIST, from one directory.
#'
#' The files are `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
#' `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`, each either plain
#' or gzipped with a `.gz` suffix (a `.` instead of the `-` before `idx` is
#' accepted too). On Debian, `apt-get install dataset-fashion-mnist` puts
#' Fashion-MNIST in `/usr/share/datasets/fashion-mnist`.
#'
#' @param dir Directory holding the four files.
#' @param normalize If `TRUE`, pixels are divided by 255 into doubles in
#'   \[0, 1\]; if `FALSE`, they stay integers from 0 to 255 (half the
#'   memory).
#' @return A list with elements `train` (60000 images for MNIST) and `test`
#'   (10000), each a list of `x`, a matrix with one image per row and 784
#'   columns in row-major pixel order (`matrix(x[i, ], 28, 28, byrow =
#'   TRUE)` is image `i` upright), and `y`, the integer labels from 0 to 9.
#'   The normalized training matrix takes 376 MB.
#' @seealso [read_idx()] for single files.
#' @export
#' @examples
#' fashion <- "/usr/share/datasets/fashion-mnist"
#' if (dir.exists(fashion)) {
#'   mnist <- read_mnist(fashion)
#'   print(dim(mnist$train$x))
#'   print(table(mnist$test$y))
#'   img <- matrix(mnist$train$x[1, ], 28, 28, byrow = TRUE)
#'   image(t(img[28:1, ]), col = grDevices::grey(seq(1, 0, length.out = 256)),
#'         axes = FALSE, asp = 1)
#' }
read_mnist <- function(dir, normalize = TRUE) {
  dir <- check_path(dir, "dir", dir = TRUE)
  normalize <- check_flag(normalize, "normalize")
  stems <- c("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
  paths <- vapply(stems, mnist_file, character(1), dir = dir)
  if (anyNA(paths))
    arg_error("`dir` must hold the four MNIST files; '", dir, "' has no ",
              paste0(stems[is.na(paths)], "(.gz)", collapse = ", "), ".")
  list(train = mnist_part(paths[[1L]], paths[[2L]], normalize),
       test = mnist_part(paths[[3L]], paths[[4L]], normalize))
}

mnist_file <- function(stem, dir) {
  dotted <- sub("-idx", ".idx", stem, fixed = TRUE)
  cand <- file.path(dir, c(stem, paste0(stem, ".gz"), dotted, paste0(dotted, ".gz")))
  cand <- cand[file.exists(cand)]
  if (length(cand)) cand[1L] else NA_character_
}

# One images file and its labels -> list(x, y). Keeps at most the raw bytes,
# their transposition and the result alive at once.
mnist_part <- function(images, labels, normalize) {
  lab <- idx_read_raw(labels)
  if (lab$type$code != 0x08 || length(lab$dim) != 1L)
    stop("'", labels, "' must hold a vector of unsigned bytes (labels).",
         call. = FALSE)
  img <- idx_read_raw(images)
  if (img$type$code != 0x08 || length(img$dim) != 3L)
    stop("'", images, "' must hold unsigned-byte images (3 dimensions).",
         call. = FALSE)
  if (img$dim[1L] != lab$dim[1L])
    stop("'", images, "' holds ", img$dim[1L], " images but '", labels,
         "' holds ", lab$dim[1L], " labels.", call. = FALSE)
  d <- img$dim
  x <- img$bytes
  rm(img)
  dim(x) <- c(d[2L] * d[3L], d[1L])
  x <- t(x)
  if (normalize) {
    d <- dim(x)
    x <- as.double(x) / 255 # the fresh vector is divided in place
    dim(x) <- d
  } else {
    storage.mode(x) <- "integer"
  }
  list(x = x, y = as.integer(lab$bytes))
}

# ---- generators for 2-D problems ------------------------------------------

# Class sizes as equal as possible: the first n %% k classes get one more.
class_sizes <- function(n, k) {
  n %/% k + (seq_len(k) <= n %% k)
}

check_n_classes <- function(n, k, what) {
  if (n < k)
    arg_error("`n` must be at least the number of ", what, " (", k,
              "), not ", n, ".")
}

#' Interleaved spirals
#'
#' Points on the arms of a spiral, one arm per class, for the two-class
#' spiral problem of the articles and its many-class variants. The arms
#' wind around the origin and interleave, so no straight line separates
#' two classes, while a small network with one or two hidden layers can
#' learn them.
#'
#' Arm `k` of `classes` is the curve of radius \eqn{t} and angle
#' \eqn{2\pi(\mathit{turns} \cdot t + (k - 1) / \mathit{classes})} for
#' \eqn{t} in \[0, 1\]. Points are spread evenly along the arm (\eqn{t} is
#' the square root of a uniform draw), then Gaussian noise is added to both
#' coordinates. Neighbouring arms lie `1 / (turns * classes)` apart along
#' any ray from the origin; `noise` is measured in that unit.
#'
#' @param n Total number of points, shared as evenly as possible between
#'   the classes.
#' @param classes Number of arms (classes).
#' @param noise Standard deviation of the noise added to each coordinate,
#'   as a fraction of the distance between neighbouring arms: 0 puts the
#'   points exactly on the arms, about 0.5 makes neighbouring arms overlap.
#' @param turns Number of turns each arm makes around the origin.
#' @return A data frame with `n` rows, grouped by class: numeric columns `x1`
#'   and `x2` (within about \[-1, 1\]) and `y`, a factor with levels `"1"`
#'   to `classes`. Only R's random number generator is used, so
#'   [set.seed()] makes the result reproducible.
#' @seealso [make_blobs()], [train_test_from_df()]
#' @export
#' @importFrom stats rnorm runif
#' @examples
#' set.seed(42)
#' s <- make_spirals(400)
#' plot(s$x1, s$x2, col = s$y, pch = 19, asp = 1)
#' s3 <- make_spirals(600, classes = 3, noise = 0.1)
#' plot(s3$x1, s3$x2, col = s3$y, pch = 19, asp = 1)
#' d <- train_test_from_df(s, 3, 0.8)
make_spirals <- function(n = 200, classes = 2, noise = 0.2, turns = 1.5) {
  n <- check_count(n, "n")
  classes <- check_count(classes, "classes")
  noise <- check_number(noise, "noise", min = 0)
  turns <- check_number(turns, "turns", positive = TRUE)
  check_n_classes(n, classes, "classes")
  k <- rep(seq_len(classes), class_sizes(n, classes))
  t <- sqrt(runif(n))
  theta <- 2 * pi * (turns * t + (k - 1) / classes)
  sd <- noise / (turns * classes)
  data.frame(x1 = t * cos(theta) + rnorm(n, sd = sd),
             x2 = t * sin(theta) + rnorm(n, sd = sd),
             y = factor(k, levels = seq_len(classes)))
}

#' Gaussian clusters
#'
#' Points drawn from round two-dimensional normal distributions, one per
#' class, for the articles' decision-region pictures with 3, 6 or 10
#' classes.
#'
#' @param n Total number of points, shared as evenly as possible between
#'   the clusters.
#' @param centers Either the number of clusters, placed evenly on a circle
#'   around the origin (the first at the top) with neighbouring centres at
#'   distance 1, or a numeric matrix with one row per cluster and two
#'   columns, its centre. For randomly placed centres, pass for example
#'   `matrix(runif(2 * k, -2, 2), k)`.
#' @param sd Standard deviation of each coordinate within a cluster: one
#'   positive number, or one per cluster. With the default 0.2, clusters
#'   placed by a count are well apart but touch; 0.35 makes them overlap.
#' @return A data frame with `n` rows, grouped by cluster: numeric columns
#'   `x1` and `x2` and `y`, a factor with one level per cluster, `"1"`,
#'   `"2"`, .... Only R's random number generator is used, so [set.seed()]
#'   makes the result reproducible.
#' @seealso [make_spirals()], [train_test_from_df()]
#' @export
#' @examples
#' set.seed(1)
#' b <- make_blobs(600, centers = 6)
#' plot(b$x1, b$x2, col = b$y, pch = 19, asp = 1)
#' b2 <- make_blobs(200, centers = rbind(c(0, 0), c(1, 1)), sd = c(0.3, 0.1))
#' table(b2$y)
make_blobs <- function(n = 300, centers = 3, sd = 0.2) {
  n <- check_count(n, "n")
  if (is.matrix(centers) && is.numeric(centers)) {
    if (ncol(centers) != 2L || nrow(centers) < 1L || any(!is.finite(centers)))
      arg_error("`centers` must be a count or a numeric matrix with two ",
                "columns and one finite row per cluster, not ", describe(centers), ".")
  } else {
    k <- check_count(centers, "centers")
    check_n_classes(n, k, "clusters")
    angle <- pi / 2 + 2 * pi * (seq_len(k) - 1) / k
    radius <- if (k == 1L) 0 else 0.5 / sin(pi / k) # neighbours 1 apart
    centers <- radius * cbind(cos(angle), sin(angle))
  }
  k <- nrow(centers)
  if (!is.numeric(sd) || !(length(sd) %in% c(1L, k)) || anyNA(sd) ||
      any(!is.finite(sd)) || any(sd <= 0))
    arg_error("`sd` must be one positive number or one per cluster (", k,
              "), not ", describe(sd), ".")
  check_n_classes(n, k, "clusters")
  cls <- rep(seq_len(k), class_sizes(n, k))
  sd <- rep_len(sd, k)[cls]
  data.frame(x1 = centers[cls, 1L] + rnorm(n, sd = sd),
             x2 = centers[cls, 2L] + rnorm(n, sd = sd),
             y = factor(cls, levels = seq_len(k)))
}

# ---- train_test_from_df -----------------------------------------------------

#' Split a data frame into training and test pairs
#'
#' Prepares a data frame for [neuralnetwork()] as the articles do: drops
#' the rows with missing values, scales the numeric inputs, one-hot encodes
#' the categorical columns, shuffles the rows and splits them into a
#' training and a test set of `(x, y)` pairs, one pair per row, in the
#' layout of Nielsen's network.
#'
#' Inputs are all columns except the target:
#' * numeric columns are divided by their largest absolute value when
#'   `scale_input` is `TRUE` (a column of zeros is left as is), so that
#'   non-negative columns end up in \[0, 1\];
#' * logical columns become one 0/1 input;
#' * factor and character columns become one 0/1 indicator input per level
#'   present in the data.
#'
#' The target is never scaled. A factor, character or logical target
#' becomes a one-hot vector over its levels present in the data; a numeric
#' target is kept as its value. Scaling uses all rows before the split,
#' like the articles.
#'
#' @param df A data frame with the inputs and the target.
#' @param predict_col_index The target column: its number or its name.
#' @param train_ratio Share of the rows used for training, strictly between
#'   0 and 1: the first `round(train_ratio * n)` rows (after shuffling) go
#'   to training, the rest to testing.
#' @param shuffle_input If `TRUE`, rows are put in random order with
#'   [sample()] before the split, so [set.seed()] reproduces it.
#' @param scale_input If `TRUE`, numeric inputs are scaled as described.
#' @return A list with elements `training` and `testing` (also reachable as
#'   `[[1]]` and `[[2]]`), each a list with one element per row: a pair
#'   `list(x, y)` where `x` is a one-column matrix of the `p` inputs and `y`
#'   a one-column matrix, the one-hot target (`k x 1`) or its value
#'   (`1 x 1`). Both lists carry the attributes `features` (names of the
#'   inputs, in the order of `x`), `scale` (the divisor of each numeric
#'   input, 1 where none was applied) and, for a categorical target,
#'   `levels` (the classes, in the order of `y`), and the class
#'   `nnfs_pairs`, whose `[` method keeps those attributes in subsets.
#' @seealso [neuralnetwork()] takes these pairs; [digits], [make_spirals()]
#'   and [make_blobs()] give data to try.
#' @export
#' @importFrom stats complete.cases
#' @examples
#' set.seed(1)
#' d <- train_test_from_df(iris, 5, 0.7)
#' length(d$training)
#' length(d$testing)
#' d$training[[1]]
#' attr(d$training, "levels")
#' attr(d$training, "scale")
train_test_from_df <- function(df, predict_col_index, train_ratio,
                               shuffle_input = TRUE, scale_input = TRUE) {
  if (!is.data.frame(df))
    arg_error("`df` must be a data frame, not ", describe(df), ".")
  if (ncol(df) < 2L)
    arg_error("`df` must have at least two columns (inputs and target), not ",
              ncol(df), ".")
  target <- check_target_col(predict_col_index, df)
  check_column_types(df)
  check_ratio(train_ratio)
  shuffle_input <- check_flag(shuffle_input, "shuffle_input")
  scale_input <- check_flag(scale_input, "scale_input")

  df <- df[complete.cases(df), , drop = FALSE]
  n <- nrow(df)
  if (n < 2L)
    arg_error("`df` must have at least two rows without missing values, not ",
              n, ".")
  n_train <- round(train_ratio * n)
  if (n_train < 1 || n_train > n - 1)
    arg_error("`train_ratio` = ", format(train_ratio), " leaves ",
              if (n_train < 1) "no row for training" else "no row for testing",
              " out of ", n, "; each part needs at least one row.")

  y <- encode_target(df[[target]], names(df)[target])
  x <- encode_inputs(df[-target], scale_input)
  rows <- if (shuffle_input) sample.int(n) else seq_len(n)
  parts <- list(training = rows[seq_len(n_train)],
                testing = rows[seq.int(n_train + 1, n)])
  lapply(parts, function(r) {
    pairs <- lapply(r, function(i) list(x = x$x[, i, drop = FALSE],
                                        y = y$y[, i, drop = FALSE]))
    structure(pairs, features = x$features, scale = x$scale,
              levels = y$levels, class = c("nnfs_pairs", "list"))
  })
}

# Subsets of a pair list keep its class names, input names and scales, so
# that a network trained on training[1:100] still knows its classes.
#' @export
`[.nnfs_pairs` <- function(x, i) {
  out <- unclass(x)[i]
  for (a in c("features", "scale", "levels")) attr(out, a) <- attr(x, a)
  class(out) <- class(x)
  out
}

#' @export
print.nnfs_pairs <- function(x, ...) {
  lev <- attr(x, "levels")
  p <- if (length(x)) length(x[[1L]][[1L]]) else 0L
  cat(sprintf("<%d (x, y) pairs: %d inputs, %s>\n", length(x), p,
              if (is.null(lev)) "numeric target" else
                sprintf("%d classes (%s)", length(lev), paste(utils::head(lev, 10L),
                                                             collapse = ", "))))
  if (length(x)) {
    cat("First pair:\n")
    utils::str(unclass(x)[[1L]])
  }
  invisible(x)
}

check_target_col <- function(x, df) {
  p <- ncol(df)
  if (is.character(x) && length(x) == 1L && !is.na(x)) {
    if (x %in% names(df)) return(match(x, names(df)))
    arg_error("`predict_col_index` must be a column number or a column name of ",
              "`df`; `df` has no column \"", x, "\".")
  }
  ok <- is.numeric(x) && length(x) == 1L && !is.na(x) && x == round(x) &&
    x >= 1 && x <= p
  if (!ok)
    arg_error("`predict_col_index` must be a column number from 1 to ", p,
              " or a column name of `df`, not ", describe(x), ".")
  as.integer(x)
}

check_column_types <- function(df) {
  ok <- vapply(df, function(v) is.numeric(v) || is.logical(v) ||
                 is.factor(v) || is.character(v), logical(1))
  if (!all(ok))
    arg_error("`df` columns must be numeric, logical, factor or character; ",
              paste0("'", names(df)[!ok], "' is ",
                     vapply(df[!ok], function(v) class(v)[1L], ""),
                     collapse = ", "), ".")
}

check_ratio <- function(x) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x <= 0 || x >= 1)
    arg_error("`train_ratio` must be a number strictly between 0 and 1, not ",
              describe(x), ".")
}

# A target column -> list(y = k x n matrix, levels = classes or NULL).
encode_target <- function(v, name) {
  if (is.factor(v) || is.character(v) || is.logical(v)) {
    f <- droplevels(as.factor(v))
    lev <- levels(f)
    y <- matrix(0, length(lev), length(f))
    y[cbind(as.integer(f), seq_along(f))] <- 1
    return(list(y = y, levels = lev))
  }
  if (any(!is.finite(v)))
    arg_error("`df` column '", name, "' (the target) must not hold infinite values.")
  list(y = matrix(as.double(v), nrow = 1L), levels = NULL)
}

# Input columns -> list(x = p x n matrix, features = its row names, scale).
# The matrix has no dimnames, so that the pairs cut from it carry none.
encode_inputs <- function(df, scale_input) {
  blocks <- Map(function(v, name) {
    if (is.factor(v) || is.character(v)) {
      f <- droplevels(as.factor(v))
      b <- outer(levels(f), as.character(f), "==") + 0
      rownames(b) <- paste0(name, "_", levels(f))
      return(b)
    }
    v <- as.double(v)
    if (any(!is.finite(v)))
      arg_error("`df` column '", name, "' must not hold infinite values.")
    matrix(v, nrow = 1L, dimnames = list(name, NULL))
  }, df, names(df))
  numeric_cols <- vapply(df, is.numeric, logical(1))
  scale <- rep(1, sum(numeric_cols))
  names(scale) <- names(df)[numeric_cols]
  if (scale_input) {
    m <- vapply(blocks[numeric_cols], function(b) max(abs(b)), numeric(1))
    scale[m > 0] <- m[m > 0]
    blocks[numeric_cols] <- Map(`/`, blocks[numeric_cols], scale)
  }
  x <- do.call(rbind, blocks)
  features <- rownames(x)
  dimnames(x) <- NULL
  list(x = x, features = features, scale = scale)
}
