# The data layer: the shipped digits and a reader for IDX files (MNIST and
# Fashion-MNIST). The 2-D toy problems are in R/generators.R, the articles'
# train_test_from_df() in R/train_test.R.

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

# Open an IDX file and read its header, checking it. Returns the open
# connection `con` (the caller closes it), the `path`, the `type` (one row
# of idx_types), the dimensions `dim`, the payload's size in bytes
# `nbytes` and its `shape` in words, for messages. The payload is read by
# idx_rows() (bytes) or idx_values() (the other types).
idx_open <- function(path) {
  con <- gzfile(path, "rb") # reads gzipped and plain files alike
  opened <- FALSE
  on.exit(if (!opened) close(con))
  magic <- readBin(con, "raw", 4L)
  type <- match(as.integer(magic[3L]), idx_types$code)
  if (length(magic) < 4L)
    nnfs_error("data", "'", path, "' is not an IDX file: it has only ", length(magic),
         " bytes.")
  if (any(magic[1:2] != 0) || is.na(type) || magic[4L] == 0)
    nnfs_error("data", "'", path, "' is not an IDX file: it starts with bytes ",
         paste(magic, collapse = " "), ", not 00 00, a type code (08, 09, 0b,",
         " 0c, 0d or 0e) and the number of dimensions.")
  ndim <- as.integer(magic[4L])
  dims <- readBin(con, "integer", ndim, size = 4L, endian = "big")
  if (length(dims) < ndim)
    nnfs_error("data", "'", path, "' is truncated: it ends inside its header.")
  if (any(dims < 0L))
    nnfs_error("data", "'", path, "' is not an IDX file: negative dimension in its header.")
  type <- idx_types[type, ]
  nbytes <- prod(as.double(dims)) * type$size
  shape <- sprintf("%s values of type %s", paste(dims, collapse = " x "), type$name)
  if (nbytes > .Machine$integer.max)
    nnfs_error("data", "'", path, "' holds ", shape, ", more than this reader can hold.")
  idx_check_size(path, 4 + 4 * ndim, nbytes, shape)
  opened <- TRUE
  list(con = con, path = path, type = type, dim = dims, nbytes = nbytes, shape = shape)
}

# The payload a header announces must fit in the file before the result is
# allocated for it: the reader fills a preallocated matrix, and a damaged
# header of a few bytes can announce 2^31 values (an 8 GB integer matrix,
# 17 GB of doubles for read_mnist(normalize = TRUE), allocated and zeroed
# before the file was found to end). A plain file holds exactly its size
# less the header; a gzip file at most 1032 bytes for each of its own
# (deflate's largest ratio, reached by long runs of one byte). Files in the
# other formats gzfile() reads (bzip2, xz) are not bounded here, nor what
# has no size (a pipe).
idx_check_size <- function(path, header, nbytes, shape) {
  size <- file.size(path)
  if (is.na(size) || size == 0) return(invisible())
  magic <- readBin(path, "raw", 2L)
  if (identical(magic, as.raw(c(0x1f, 0x8b)))) {
    if (nbytes + header > 1032 * size)
      nnfs_error("data", "'", path, "' is truncated or damaged: its header ",
                 "announces ", shape, " (", format(nbytes, big.mark = ","),
                 " bytes), more than its ", format(size, big.mark = ","),
                 " gzipped bytes can hold.")
  } else if (identical(magic, as.raw(c(0, 0)))) { # an IDX file as it is
    if (nbytes > size - header)
      nnfs_error("data", "'", path, "' is truncated: its header announces ", shape,
                 " (", format(nbytes, big.mark = ","), " bytes) but only ",
                 format(size - header, big.mark = ",", scientific = FALSE),
                 " bytes follow.")
  }
  invisible()
}

# The next `n` bytes of an open IDX file's payload, of which `done` bytes
# were read before: a file that ends sooner is truncated.
idx_bytes <- function(idx, n, done = 0) {
  bytes <- readBin(idx$con, "raw", n)
  if (length(bytes) < n)
    nnfs_error("data", "'", idx$path, "' is truncated: its header announces ", idx$shape,
         " (", format(idx$nbytes, big.mark = ","), " bytes) but only ",
         format(done + length(bytes), big.mark = ",", scientific = FALSE),
         " bytes follow.")
  bytes
}

# After the payload, nothing may follow.
idx_end <- function(idx) {
  if (length(readBin(idx$con, "raw", 1L)))
    nnfs_error("data", "'", idx$path, "' is longer than its header announces (",
         idx$shape, ", ", format(idx$nbytes, big.mark = ","), " bytes).")
  invisible()
}

# Bytes idx_rows() reads at a time.
idx_chunk_bytes <- 2^20

# The payload of an open IDX file of bytes (unsigned or signed), each byte
# b becoming table[b + 1] (256 values, integer or double: the result's
# type), as a vector for one dimension and otherwise an items x
# values-per-item matrix in the file's row-major order. Whole items,
# about `chunk` bytes of them, are read at a time and written by C
# straight into their rows of the preallocated result, so that neither
# the file's bytes nor their transposition exist in full: the peak is the
# result and a chunk. Each chunk is garbage once written: a collection of
# the young generation (cheap) frees it before the next is read, where R
# would otherwise let the file's worth of chunks pile up. A chunk is
# dropped by assigning NULL, not by rm(), whose call keeps this frame
# referenced after the return, so that the result would count as shared
# and read_idx()'s attr<- would copy it.
idx_rows <- function(idx, table, chunk = idx_chunk_bytes) {
  dims <- idx$dim
  n <- dims[1L]
  zero <- if (is.double(table)) 0 else 0L
  if (length(dims) > 1L) {
    per <- prod(as.double(dims[-1L]))
    x <- matrix(zero, n, per) # fresh, so C may fill it in place
  } else {
    per <- 1
    x <- rep_len(zero, n)
  }
  if (idx$nbytes > 0) {
    k <- max(1, chunk %/% per) # items per chunk
    done <- 0
    while (done < n) {
      m <- min(k, n - done)
      bytes <- idx_bytes(idx, m * per, done * per)
      .Call(C_idx_rows, x, bytes, done, table)
      bytes <- NULL # not rm(), see above
      done <- done + m
      if (done < n) invisible(gc(verbose = FALSE, full = FALSE))
    }
  }
  idx_end(idx)
  x
}

# The payload of an open IDX file of a type wider than a byte, decoded by
# readBin() from the whole payload, as idx_rows() shapes it.
idx_values <- function(idx) {
  type <- idx$type
  dims <- idx$dim
  bytes <- idx_bytes(idx, idx$nbytes)
  idx_end(idx)
  x <- readBin(bytes, type$what, length(bytes) / type$size, size = type$size,
               signed = type$signed, endian = "big")
  bytes <- NULL # not rm(): see idx_rows()
  if (length(dims) > 1L) {
    dim(x) <- c(prod(dims[-1L]), dims[1L])
    x <- t(x)
  }
  x
}

# What each byte of an IDX file of bytes reads as.
idx_byte_table <- function(type) if (type$signed) c(0:127, -128:-1) else 0:255

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
  idx <- idx_open(path)
  on.exit(close(idx$con))
  x <- if (idx$type$size == 1L) idx_rows(idx, idx_byte_table(idx$type)) else
    idx_values(idx)
  if (length(idx$dim) > 1L) attr(x, "idx_dim") <- idx$dim
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
#' The images are read a chunk at a time straight into the result, so that
#' reading needs little more memory than the matrices returned. With
#' `sets`, only the files of the parts asked for are needed and read.
#'
#' @param dir Directory holding the four files (or the two of `sets`).
#' @param normalize If `TRUE`, pixels are divided by 255 into doubles in
#'   \[0, 1\]; if `FALSE`, they stay integers from 0 to 255 (half the
#'   memory).
#' @param sets The parts to read: `"train"`, `"test"` or both (the
#'   default), a subset of `c("train", "test")`.
#' @return A list with elements `train` (60000 images for MNIST) and `test`
#'   (10000), each a list of `x`, a matrix with one image per row and 784
#'   columns in row-major pixel order (`matrix(x[i, ], 28, 28, byrow =
#'   TRUE)` is image `i` upright), and `y`, the integer labels from 0 to 9.
#'   The normalized training matrix takes 376 MB. A part not in `sets` is
#'   left out of the list: `read_mnist(dir, sets = "train")` is a list of
#'   `train` alone, equal to `read_mnist(dir)["train"]`. The parts come in
#'   the order `train`, `test` whatever the order of `sets`.
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
#'
#'   # Short of memory: the test part alone (63 MB instead of 439 MB)
#'   test <- read_mnist(fashion, sets = "test")$test
#'   dim(test$x)
#' }
read_mnist <- function(dir, normalize = TRUE, sets = c("train", "test")) {
  dir <- check_path(dir, "dir", dir = TRUE)
  normalize <- check_flag(normalize, "normalize")
  sets <- check_sets(sets)
  stems <- list(train = c("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                test = c("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))[sets]
  paths <- lapply(stems, vapply, mnist_file, character(1), dir = dir)
  missing <- unlist(stems)[is.na(unlist(paths))]
  if (length(missing))
    arg_error("`dir` must hold the ", if (length(sets) == 2L) "four MNIST files" else
                sprintf('two MNIST %s files (`sets` = "%s")',
                        c(train = "training", test = "test")[[sets]], sets),
              "; '", dir, "' has no ", paste0(missing, "(.gz)", collapse = ", "), ".")
  lapply(paths, function(p) mnist_part(p[[1L]], p[[2L]], normalize))
}

# `sets` of read_mnist(): "train", "test" or both, returned in that order.
check_sets <- function(sets) {
  choices <- c("train", "test")
  if (!is.character(sets) || !length(sets) || anyNA(sets) || !all(sets %in% choices)) {
    shown <- if (is.character(sets) && length(sets) %in% 2:4 && !anyNA(sets))
      paste0("c(", paste0('"', sets, '"', collapse = ", "), ")") else describe(sets)
    arg_error('`sets` must be "train", "test" or c("train", "test"), not ', shown, ".")
  }
  choices[choices %in% sets]
}

mnist_file <- function(stem, dir) {
  dotted <- sub("-idx", ".idx", stem, fixed = TRUE)
  cand <- file.path(dir, c(stem, paste0(stem, ".gz"), dotted, paste0(dotted, ".gz")))
  cand <- cand[file.exists(cand)]
  if (length(cand)) cand[1L] else NA_character_
}

# One images file and its labels -> list(x, y). Both headers are checked
# before any payload is read; the images are then read a chunk at a time
# into the result (idx_rows()), so that the peak is the result and a chunk.
mnist_part <- function(images, labels, normalize) {
  lab <- idx_open(labels)
  on.exit(close(lab$con))
  if (lab$type$code != 0x08 || length(lab$dim) != 1L)
    nnfs_error("data", "'", labels, "' must hold a vector of unsigned bytes (labels).")
  img <- idx_open(images)
  on.exit(close(img$con), add = TRUE)
  if (img$type$code != 0x08 || length(img$dim) != 3L)
    nnfs_error("data", "'", images, "' must hold unsigned-byte images (3 dimensions).")
  if (img$dim[1L] != lab$dim[1L])
    nnfs_error("data", "'", images, "' holds ", img$dim[1L], " images but '", labels,
         "' holds ", lab$dim[1L], " labels.")
  y <- idx_rows(lab, 0:255)
  # 0:255 / 255: each pixel divided by 255 exactly as R divides
  x <- idx_rows(img, if (normalize) 0:255 / 255 else 0:255)
  list(x = x, y = y)
}
