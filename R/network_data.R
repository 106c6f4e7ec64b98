# Data for the network front doors (neuralnetwork(), cnn(), predict(),
# evaluate()): every accepted format coerced to matrices or image arrays.

# ---- data -------------------------------------------------------------------

# Training, validation or test data -> list(x, y, levels, task, features):
#   x: n x p double matrix, or an n x h x w (x c) array when each sample is
#      an image (x given as such an array, or pairs whose x are images);
#      flatten_samples() makes it n x p for dense networks;
#   y: n x k double matrix of targets;
#   levels: class names in the order of y's columns (NULL for regression);
#   task: "classification" or "regression".
# For training data `levels` and `task` are NULL and inferred; validation
# and test data pass those of the training data, so their labels are
# encoded the same way. `k` (the network's outputs) only tells a binary
# target for one output unit from class labels.
as_network_data <- function(data, arg, levels = NULL, task = NULL, k = NULL) {
  if (is_xy_list(data))
    return(coerce_xy(data$x, data$y, paste0(arg, "$x"), paste0(arg, "$y"),
                     levels, task, k))
  if (is_pair_list(data)) {
    xy <- stack_pairs(data, arg)
    return(coerce_xy(xy$x, xy$y, arg, arg, levels, task, k))
  }
  arg_error("`", arg, "` must be a list of `list(x, y)` pairs (as made by ",
            "train_test_from_df()) or `list(x = , y = )`, not ", describe(data), ".")
}

is_xy_list <- function(data) {
  is.list(data) && !is.data.frame(data) && all(c("x", "y") %in% names(data)) &&
    length(data) == 2L && !(is.list(data$x) && !is.data.frame(data$x))
}

is_pair_list <- function(data) {
  is.list(data) && !is.data.frame(data) && length(data) >= 1L &&
    all(vapply(data, function(e) is.list(e) && !is.data.frame(e) &&
                 length(e) == 2L && is.atomic(e[[1L]]) && is.atomic(e[[2L]]), NA))
}

# Pairs -> x (n x p matrix, or n x dims array for image samples) and y
# (vector of labels or values when each y is a scalar, else n x k matrix),
# with the list's "features" and "levels" attributes as dimnames.
stack_pairs <- function(data, arg) {
  n <- length(data)
  xs <- lapply(data, `[[`, 1L)
  ys <- lapply(data, `[[`, 2L)
  p <- unique(lengths(xs))
  k <- unique(lengths(ys))
  numeric_x <- all(vapply(xs, function(v) is.numeric(v) || is.logical(v), NA))
  if (!numeric_x || length(p) != 1L)
    arg_error("`", arg, "`: the `x` of every pair must be numeric and of the ",
              "same length; lengths found: ",
              paste(utils::head(p, 5L), collapse = ", "), ".")
  if (length(k) != 1L || k < 1L)
    arg_error("`", arg, "`: the `y` of every pair must have the same length; ",
              "lengths found: ", paste(utils::head(k, 5L), collapse = ", "), ".")
  x <- matrix(as.double(unlist(xs, use.names = FALSE)), n, p, byrow = TRUE)
  d1 <- dim(xs[[1L]])
  if (length(d1) > 2L || (length(d1) == 2L && min(d1) > 1L)) {
    dim(x) <- c(n, d1)
  } else if (length(attr(data, "features")) == p) {
    colnames(x) <- attr(data, "features")
  }
  if (k == 1L) {
    y <- unlist(lapply(ys, function(v) if (is.factor(v)) as.character(v) else v),
                use.names = FALSE)
  } else {
    if (!all(vapply(ys, function(v) is.numeric(v) || is.logical(v), NA)))
      arg_error("`", arg, "`: the `y` of every pair must be numeric.")
    y <- matrix(as.double(unlist(ys, use.names = FALSE)), n, k, byrow = TRUE)
    if (length(attr(data, "levels")) == k) colnames(y) <- attr(data, "levels")
  }
  list(x = x, y = y)
}

# Flatten image samples: n x dims array -> n x p matrix.
flatten_samples <- function(x) {
  if (length(dim(x)) == 2L) x else matrix(x, nrow = dim(x)[1L])
}

coerce_x <- function(x, arg) {
  if (is.array(x) && length(dim(x)) > 2L) {
    if (!(is.numeric(x) || is.logical(x)) || !all_finite(x))
      arg_error("`", arg, "` must be a numeric array without NA, NaN or ",
                "infinite values.")
    if (!is.double(x)) storage.mode(x) <- "double"
    return(x)
  }
  as_numeric_matrix(x, arg)
}

coerce_xy <- function(x, y, x_arg, y_arg, levels, task, k) {
  x <- coerce_x(x, x_arg)
  n <- dim(x)[1L]
  if (is.data.frame(y) && ncol(y) == 1L) y <- y[[1L]]
  n_y <- if (is.null(dim(y))) length(y) else nrow(y)
  if (n_y != n)
    arg_error("`", y_arg, "` must have one target per sample of `", x_arg,
              "` (", n, "), not ", n_y, ".")
  out <- coerce_y(y, y_arg, levels, task, k)
  rownames(out$y) <- NULL
  features <- if (length(dim(x)) == 2L) colnames(x) else NULL
  c(list(x = x), out, list(features = features))
}

# Targets -> list(y = n x k matrix, levels, task); see as_network_data().
coerce_y <- function(y, arg, levels, task, k) {
  labels <- is.factor(y) || is.character(y) || is.logical(y)
  if (!labels && is.null(dim(y)) && !is.numeric(y))
    arg_error("`", arg, "` must be a factor, class labels, a numeric vector ",
              "or a numeric matrix, not ", describe(y), ".")
  if (labels && anyNA(y))
    arg_error("`", arg, "` must not contain missing class labels.")
  if (!labels) {
    was_matrix <- !is.null(dim(y))
    y <- as_numeric_matrix(y, arg)
    if (ncol(y) > 1L || identical(task, "regression") ||
        (was_matrix && !is.null(levels)))
      return(targets_matrix(y, arg, levels, task))
    v <- y[, 1L]
    whole <- all(v == round(v))
    labels <- !is.null(levels) ||
      (is.null(task) && whole && (!identical(k, 1L) || all(v %in% c(0, 1))))
    if (!labels) return(list(y = y, levels = NULL, task = "regression"))
    y <- v
  }
  if (is.null(levels)) {
    levels <- if (is.factor(y)) base::levels(y) else as.character(sort(unique(y)))
    if (is.logical(y)) levels <- c("FALSE", "TRUE")
  }
  idx <- match(as.character(y), levels)
  if (anyNA(idx))
    arg_error("`", arg, "` has classes not among those of the training data (",
              paste0('"', utils::head(levels, 10L), '"', collapse = ", "), "): ",
              paste0('"', utils::head(unique(as.character(y)[is.na(idx)]), 5L),
                     '"', collapse = ", "), ".")
  if (identical(k, 1L) && length(levels) == 2L) {
    onehot <- matrix(as.double(idx == 2L), ncol = 1L, dimnames = list(NULL, levels[2L]))
  } else {
    onehot <- matrix(0, length(idx), length(levels), dimnames = list(NULL, levels))
    onehot[cbind(seq_along(idx), idx)] <- 1
  }
  list(y = onehot, levels = levels, task = "classification")
}

# A numeric target matrix: classes when its rows are one-hot (k >= 2) or
# when the training data were classes; otherwise regression targets.
targets_matrix <- function(y, arg, levels, task) {
  if (!is.null(levels)) {
    k <- if (length(levels) == 2L && ncol(y) == 1L) 1L else length(levels)
    if (ncol(y) != k)
      arg_error("`", arg, "` must have ", k, " columns like the training ",
                "targets, not ", ncol(y), ".")
    return(list(y = y, levels = levels, task = "classification"))
  }
  onehot <- is.null(task) && ncol(y) >= 2L && all(y == 0 | y == 1) &&
    all(rowSums(y) == 1)
  if (!onehot) return(list(y = y, levels = NULL, task = "regression"))
  lev <- colnames(y)
  if (is.null(lev) || anyDuplicated(lev) || anyNA(lev))
    lev <- as.character(seq_len(ncol(y)))
  colnames(y) <- lev
  list(y = y, levels = lev, task = "classification")
}
