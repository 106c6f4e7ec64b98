# Convolution, the article's step 5: convolution(), a small filter bank,
# random filters, feature-map tiling and upright grey plotting. The sliding
# window runs in C (src/layer_conv2d.c, matrix products on the image or its
# im2col patches), the same kernel the network engine's conv2d layers use.

# ---- convolution() ----

#' Slide a filter over an image
#'
#' Computes the cross-correlation of an image with a filter, as in the
#' "from scratch" convolution article: the filter is not flipped, and each
#' output pixel is the sum of the elementwise product of the filter with the
#' image patch under it. With `padding = "valid"` and `stride = 1` an
#' `n x m` image and a `k x l` filter give an `(n - k + 1) x (m - l + 1)`
#' result. The arithmetic runs in the package's C kernel (matrix products
#' on the image or its im2col patches): on a 250 x 250 image that is several
#' hundred times faster than the article's pure R loop.
#'
#' A 3-D array (height x width x channels), such as a colour image read by
#' `png::readPNG()`, is convolved channel by channel with the same 2-D
#' filter, giving a `height' x width' x channels` array.
#'
#' @param input_img The image: a numeric matrix (height x width), or a
#'   numeric 3-D array (height x width x channels). No missing or infinite
#'   values.
#' @param filter The filter: a numeric matrix, any rectangular size. With
#'   `padding = "valid"` it must not be larger than the image.
#' @param show If `TRUE`, draw the result as a grey image with
#'   [show_image()] (row 1 at the top, column 1 at the left; smallest value
#'   black, largest white). A 3-D result is drawn with its channels side by
#'   side, separated by a one-pixel gap, on one common grey scale.
#' @param out If `TRUE`, return the result visibly; otherwise it is returned
#'   invisibly.
#' @param stride Step between neighbouring filter positions, a positive
#'   whole number (the same along rows and columns).
#' @param padding `"valid"` (the default) uses only positions where the
#'   filter lies wholly inside the image. `"same"` pads the image with zeros
#'   so that the result has `ceiling(n / stride)` rows and
#'   `ceiling(m / stride)` columns; as in TensorFlow, the total padding along
#'   rows is `max((ceiling(n / stride) - 1) * stride + k - n, 0)`, of which
#'   the top gets the smaller half (likewise for columns, left first).
#'
#' @return The filtered image: a numeric matrix, or a 3-D array for 3-D
#'   input. Returned invisibly unless `out = TRUE`.
#' @seealso [filter_bank()] and [random_filters()] for filters,
#'   [plot_feature_maps()] to view many results at once.
#' @export
#' @examples
#' img <- datasets::volcano / max(datasets::volcano)
#' edges <- convolution(img, filter_bank("laplace"), show = FALSE, out = TRUE)
#' dim(edges)    # 85 x 59: two rows and two columns fewer than volcano
#'
#' # the article's emboss filter, drawn as a grey image
#' convolution(img, matrix(c(2, 0, 0, 0, -1, 0, 0, 0, -1), 3, 3))
#'
#' # same size as the input, every second position
#' dim(convolution(img, filter_bank("sobel_x"), show = FALSE, out = TRUE,
#'                 stride = 2, padding = "same"))
convolution <- function(input_img, filter, show = TRUE, out = FALSE,
                        stride = 1, padding = c("valid", "same")) {
  img <- check_image(input_img, "input_img")
  filter <- check_filter(filter, "filter")
  show <- check_flag(show, "show")
  out <- check_flag(out, "out")
  stride <- check_count(stride, "stride")
  padding <- check_choice(padding, c("valid", "same"), "padding")

  d <- dim(img)
  h <- d[1L]; w <- d[2L]; ch <- if (length(d) == 3L) d[3L] else 1L
  kh <- nrow(filter); kw <- ncol(filter)
  if (padding == "valid" && (kh > h || kw > w))
    arg_error("`filter` (", kh, " x ", kw, ") must not be larger than ",
              "`input_img` (", h, " x ", w, ") with padding = \"valid\".")
  rows <- conv_extent(h, kh, stride, padding)
  cols <- conv_extent(w, kw, stride, padding)
  if (as.double(rows[1L]) * cols[1L] * kh * kw > .Machine$integer.max)
    arg_error("`input_img` (", h, " x ", w, ") is too large for a ", kh,
              " x ", kw, " `filter`: the kernel's scratch would exceed ",
              "2^31 - 1 entries.")

  # channels are the batch: each is a one-channel sample for the kernel
  geom <- conv_geom(h, w, 1L, rows[1L], cols[1L], 1L, kh, kw, stride,
                    rows[2L], cols[2L])
  res <- conv2d_op(img, filter, NULL, geom)
  dim(res) <- if (length(d) == 3L) c(rows[1L], cols[1L], ch) else
    c(rows[1L], cols[1L])

  if (show) {
    if (length(d) == 3L) {
      maps <- lapply(seq_len(ch), function(i) res[, , i])
      show_image(tile_matrices(maps, 1L, ch, sep = 1L, fill = NA))
    } else {
      show_image(res)
    }
  }
  if (out) res else invisible(res)
}

# Output size and leading padding along one axis of length n for a window
# of k: c(out, pad_before). Computed in double, since n + stride or
# k + (out - 1) * stride can pass 2^31 - 1 although both results fit an
# integer (out <= n, pad_before < k).
conv_extent <- function(n, k, stride, padding) {
  n <- as.double(n); k <- as.double(k); stride <- as.double(stride)
  if (padding == "valid")
    return(as.integer(c((n - k) %/% stride + 1, 0)))
  out <- (n + stride - 1) %/% stride
  total <- max((out - 1) * stride + k - n, 0)
  as.integer(c(out, total %/% 2))
}

# The geometry the C kernels take: the fields of conv_geom (src/nnfs.h) in
# declaration order.
conv_geom <- function(in_h, in_w, in_c, out_h, out_w, out_c, kh, kw,
                      stride = 1L, pad_t = 0L, pad_l = 0L) {
  as.integer(c(in_h, in_w, in_c, out_h, out_w, out_c, kh, kw, stride,
               pad_t, pad_l))
}

# ---- the C kernels, one call each (also used by the tests) ----

# x doubles, B samples of in_h*in_w*in_c each (an (n_in x B) matrix or any
# array of that length); W the (kh, kw, in_c, filters) array; b NULL or one
# per filter. Returns (out_h*out_w*filters x B).
conv2d_op <- function(x, W, b, geom, naive = FALSE) {
  .Call(C_conv2d, x, as.double(W), b, geom, naive, nnfs_threads())
}

# Gradients for dz (out_h*out_w*filters x B): list(din, dW, db).
conv2d_grad <- function(dz, x, W, geom) {
  .Call(C_conv2d_backward, dz, x, as.double(W), geom, nnfs_threads())
}

# list(out, argmax), argmax 1-based within each sample's input.
maxpool2d_op <- function(x, geom) {
  .Call(C_maxpool2d_forward, x, geom)
}

maxpool2d_grad <- function(dout, argmax, geom) {
  .Call(C_maxpool2d_backward, dout, argmax, geom)
}

# ---- argument checks ----

# A numeric matrix or 3-D array without NA; returned as doubles.
check_image <- function(x, arg) {
  d <- dim(x)
  if (!(is.numeric(x) || is.logical(x)) || !(length(d) %in% 2:3))
    arg_error("`", arg, "` must be a numeric matrix or a 3-D array ",
              "(height x width x channels), not ", describe(x), ".")
  if (any(d < 1L))
    arg_error("`", arg, "` must have at least one row, one column and one ",
              "channel, not dimensions ", paste(d, collapse = " x "), ".")
  if (!all_finite(x))
    arg_error("`", arg, "` must not contain NA, NaN or infinite values.")
  if (prod(as.double(d)) > .Machine$integer.max)
    arg_error("`", arg, "` must have fewer than 2^31 elements.")
  if (!is.double(x)) storage.mode(x) <- "double"
  if (length(attributes(x)) > 1L) attributes(x) <- list(dim = d)
  x
}

# A numeric matrix without NA; returned as doubles.
check_filter <- function(x, arg) {
  if (!(is.numeric(x) || is.logical(x)) || !is.matrix(x))
    arg_error("`", arg, "` must be a numeric matrix, not ", describe(x), ".")
  if (nrow(x) < 1L || ncol(x) < 1L)
    arg_error("`", arg, "` must have at least one row and one column.")
  if (!all_finite(x))
    arg_error("`", arg, "` must not contain NA, NaN or infinite values.")
  storage.mode(x) <- "double"
  attributes(x) <- list(dim = dim(x))
  x
}

# ---- filters ----

#' Classic 3 x 3 image filters
#'
#' A small bank of named filters for [convolution()]. All are applied as a
#' cross-correlation (not flipped), with rows running down the image and
#' columns across it:
#' * `emboss`: the article's `matrix(c(2, 0, 0, 0, -1, 0, 0, 0, -1), 3, 3)`.
#' * `sharpen`: the article's `matrix(c(0, -1, 0, -1, 5, -1, 0, -1, 0), 3, 3)`.
#' * `laplace`: the 4-neighbour Laplacian, centre -4, edge neighbours 1.
#' * `laplace8`: the 8-neighbour Laplacian, centre -8, all neighbours 1.
#' * `sobel_x`: horizontal gradient, rows `(-1, 0, 1)`, `(-2, 0, 2)`,
#'   `(-1, 0, 1)`: positive where the image gets brighter to the right.
#' * `sobel_y`: its transpose, positive where the image gets brighter
#'   downwards.
#' * `box_blur`: all entries 1/9, the mean of the neighbourhood.
#' * `gaussian_blur`: `(1, 2, 1) %o% (1, 2, 1) / 16`.
#' * `identity`: 1 in the centre, 0 elsewhere.
#'
#' @param name `NULL` for the whole bank, or the name of one filter.
#' @return A 3 x 3 numeric matrix, or for `name = NULL` a named list of them.
#' @export
#' @examples
#' filter_bank("sobel_x")
#' names(filter_bank())
filter_bank <- function(name = NULL) {
  sobel <- rbind(c(-1, 0, 1), c(-2, 0, 2), c(-1, 0, 1))
  bank <- list(
    emboss = matrix(c(2, 0, 0, 0, -1, 0, 0, 0, -1), 3L, 3L),
    sharpen = matrix(c(0, -1, 0, -1, 5, -1, 0, -1, 0), 3L, 3L),
    laplace = matrix(c(0, 1, 0, 1, -4, 1, 0, 1, 0), 3L, 3L),
    laplace8 = matrix(c(1, 1, 1, 1, -8, 1, 1, 1, 1), 3L, 3L),
    sobel_x = sobel,
    sobel_y = t(sobel),
    box_blur = matrix(1 / 9, 3L, 3L),
    gaussian_blur = c(1, 2, 1) %o% c(1, 2, 1) / 16,
    identity = matrix(c(0, 0, 0, 0, 1, 0, 0, 0, 0), 3L, 3L)
  )
  if (is.null(name)) return(bank)
  bank[[check_choice(name, names(bank), "name")]]
}

#' Random filters with entries -1, 0 and 1
#'
#' The article's experiment: many small random filters, each entry drawn
#' uniformly from \{-1, 0, 1\} with R's random number generator, so
#' [set.seed()] makes them reproducible.
#'
#' @param n Number of filters, a positive whole number.
#' @param size Side of each square filter, a positive whole number.
#' @return A list of `n` numeric `size x size` matrices.
#' @export
#' @examples
#' set.seed(1)
#' fs <- random_filters(64)
#' img <- datasets::volcano
#' maps <- lapply(fs, function(f) convolution(img, f, show = FALSE, out = TRUE))
#' plot_feature_maps(maps)
random_filters <- function(n, size = 3) {
  n <- check_count(n, "n")
  size <- check_count(size, "size")
  lapply(seq_len(n), function(i)
    matrix(sample(c(-1, 0, 1), size * size, replace = TRUE), size, size))
}

# ---- tiling and plotting ----

#' Tile equal-sized matrices into one square grid
#'
#' Places the matrices of `lst` in a grid of `ceiling(sqrt(length(lst)))`
#' tiles per side, in reading order: the first tile at the top left, the
#' next to its right, a new grid row when one is full. Tiles left over in the
#' last grid row are filled with `fill`, as are the separators. The name is
#' the article's.
#'
#' @param lst A non-empty list of numeric matrices, all of the same
#'   dimensions; or a 3-D array, whose slices `lst[, , i]` are the tiles.
#' @param sep Width in pixels of the separator between tiles, a whole
#'   number >= 0.
#' @param fill Value for empty tiles and separators, a single number or `NA`
#'   (the default, which [show_image()] leaves as background).
#' @return A numeric matrix of `g * nrow + (g - 1) * sep` rows and
#'   `g * ncol + (g - 1) * sep` columns, where `g` is the number of tiles
#'   per side and `nrow x ncol` the size of one tile.
#' @export
#' @examples
#' lst <- lapply(1:5, function(i) matrix(i, 2, 3))
#' square_stack_lst_of_matrices(lst)
#' square_stack_lst_of_matrices(lst, sep = 1, fill = 0)
square_stack_lst_of_matrices <- function(lst, sep = 0, fill = NA) {
  lst <- check_matrix_list(lst, "lst")
  sep <- check_count(sep, "sep", min = 0)
  fill <- check_fill(fill, "fill")
  g <- as.integer(ceiling(sqrt(length(lst))))
  tile_matrices(lst, g, g, sep, fill)
}

#' Draw many feature maps as one picture
#'
#' Tiles the matrices with [square_stack_lst_of_matrices()] and draws the
#' result with [show_image()], row 1 of each map at the top.
#'
#' @inheritParams square_stack_lst_of_matrices
#' @param normalize If `TRUE` (the default), each map is rescaled to
#'   \[0, 1\] before tiling, so every map uses the full grey range (a
#'   constant map becomes mid-grey); if `FALSE`, all maps share one scale.
#' @param ... Passed on to [show_image()], e.g. `main` or `col`.
#' @return The tiled matrix, invisibly.
#' @export
#' @examples
#' img <- datasets::volcano
#' maps <- lapply(filter_bank(), function(f)
#'   convolution(img, f, show = FALSE, out = TRUE))
#' plot_feature_maps(maps, main = "the filter bank on volcano")
plot_feature_maps <- function(lst, sep = 1, normalize = TRUE, fill = NA,
                              ...) {
  lst <- check_matrix_list(lst, "lst")
  normalize <- check_flag(normalize, "normalize")
  if (normalize) lst <- lapply(lst, rescale01)
  big <- square_stack_lst_of_matrices(lst, sep = sep, fill = fill)
  show_image(big, ...)
  invisible(big)
}

#' Draw a matrix as an upright grey image
#'
#' Unlike [graphics::image()], which puts row 1 of a matrix at the left and
#' draws its columns upwards, `show_image()` draws the matrix the way it
#' prints: row 1 at the top, column 1 at the left, with square pixels. The
#' smallest value is black and the largest white; `NA` pixels are left
#' transparent (the background shows).
#'
#' @param m A numeric matrix; `NA` allowed.
#' @param col Colours from the smallest value to the largest; the default
#'   is 256 grey levels, linear in the pixel value.
#' @param main Optional title.
#' @param ... Further graphical parameters passed to [graphics::image()].
#' @return `m`, invisibly.
#' @importFrom grDevices grey
#' @export
#' @examples
#' m <- outer(1:20, 1:30)   # brightest at the bottom right
#' show_image(m, main = "row 1 at the top")
show_image <- function(m, col = grey(seq(0, 1, length.out = 256)),
                       main = NULL, ...) {
  if (!(is.numeric(m) || is.logical(m)) || !is.matrix(m) ||
      nrow(m) < 1L || ncol(m) < 1L)
    arg_error("`m` must be a numeric matrix with at least one row and ",
              "one column, not ", describe(m), ".")
  if (!is.character(col) || length(col) < 1L)
    arg_error("`col` must be a character vector of colours, not ",
              describe(col), ".")
  h <- nrow(m); w <- ncol(m)
  finite <- m[is.finite(m)]
  zlim <- if (length(finite)) range(finite) else c(0, 1)
  # image() draws z[i, j] at x = i, y = j counted upwards: transpose and
  # reverse the rows so that row 1 of m ends up at the top
  z <- t(m)[, h:1, drop = FALSE]
  z[!is.finite(z)] <- NA
  top <- if (is.null(main)) 0.2 else 2
  old_par <- graphics::par(mar = c(0.2, 0.2, top, 0.2))
  old_opt <- options(preferRaster = TRUE)
  on.exit({ graphics::par(old_par); options(old_opt) }, add = TRUE)
  graphics::image(x = 0:w + 0.5, y = 0:h + 0.5, z = z, zlim = zlim,
                  col = col, axes = FALSE, xlab = "", ylab = "", asp = 1,
                  main = main, ...)
  invisible(m)
}

# Tile matrices of equal size into a grid of nr x nc tiles, reading order.
tile_matrices <- function(lst, nr, nc, sep, fill) {
  th <- nrow(lst[[1L]]); tw <- ncol(lst[[1L]])
  big <- matrix(as.double(fill), nr * th + (nr - 1L) * sep,
                nc * tw + (nc - 1L) * sep)
  for (i in seq_along(lst)) {
    r <- (i - 1L) %/% nc; cc <- (i - 1L) %% nc
    big[r * (th + sep) + seq_len(th), cc * (tw + sep) + seq_len(tw)] <- lst[[i]]
  }
  big
}

# Rescale to [0, 1]; a constant matrix becomes 0.5. NA stay NA.
rescale01 <- function(m) {
  r <- suppressWarnings(range(m, na.rm = TRUE))
  if (!all(is.finite(r))) return(m)
  if (r[1L] == r[2L]) { m[!is.na(m)] <- 0.5; return(m) }
  (m - r[1L]) / (r[2L] - r[1L])
}

# A non-empty list of numeric matrices of one size (a 3-D array is split
# into its slices); returned as a list of double matrices.
check_matrix_list <- function(x, arg) {
  if ((is.numeric(x) || is.logical(x)) && length(dim(x)) == 3L)
    x <- lapply(seq_len(dim(x)[3L]), function(i) x[, , i, drop = FALSE][, , 1L])
  if (!is.list(x) || is.data.frame(x) || length(x) < 1L)
    arg_error("`", arg, "` must be a non-empty list of numeric matrices, not ",
              describe(x), ".")
  ok <- vapply(x, function(m) (is.numeric(m) || is.logical(m)) && is.matrix(m),
               logical(1))
  if (!all(ok))
    arg_error("`", arg, "` must contain only numeric matrices; element ",
              which(!ok)[1L], " is ", describe(x[[which(!ok)[1L]]]), ".")
  d1 <- dim(x[[1L]])
  same <- vapply(x, function(m) identical(dim(m), d1), logical(1))
  if (!all(same)) {
    j <- which(!same)[1L]
    arg_error("All matrices in `", arg, "` must have the same dimensions: ",
              "element 1 is ", d1[1L], " x ", d1[2L], ", element ", j, " is ",
              nrow(x[[j]]), " x ", ncol(x[[j]]), ".")
  }
  lapply(x, function(m) { storage.mode(m) <- "double"; m })
}

check_fill <- function(x, arg) {
  if (length(x) != 1L || !(is.numeric(x) || (is.logical(x) && is.na(x))) ||
      is.infinite(x))
    arg_error("`", arg, "` must be a single finite number or NA, not ",
              describe(x), ".")
  as.double(x)
}
