# The articles' train_test_from_df(): a data frame -> lists of (x, y) pairs.

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
#' @param train_ratio Share of the rows used for training, a number in
#'   (0, 1]: the first `round(train_ratio * n)` rows (after shuffling) go
#'   to training, the rest to testing. With `1`, as in the tutorials'
#'   MNIST and spiral examples, every row goes to training and the testing
#'   list is empty.
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
  # 1 puts every row in training, as the tutorials do; below 1 each part
  # needs a row
  if (n_train < 1 || (train_ratio < 1 && n_train > n - 1))
    arg_error("`train_ratio` = ", format(train_ratio), " leaves ",
              if (n_train < 1) "no row for training" else "no row for testing",
              " out of ", n, "; use 1 to put every row in training, or a ",
              "share that leaves each part at least one row.")

  y <- encode_target(df[[target]], names(df)[target])
  x <- encode_inputs(df[-target], scale_input)
  rows <- if (shuffle_input) sample.int(n) else seq_len(n)
  parts <- list(training = rows[seq_len(n_train)],
                testing = rows[-seq_len(n_train)])
  lapply(parts, function(r) {
    pairs <- lapply(r, function(i) list(x = x$x[, i, drop = FALSE],
                                        y = y$y[, i, drop = FALSE]))
    structure(pairs, features = x$features, scale = x$scale,
              levels = y$levels, preprocess = x$prep,
              class = c("nnfs_pairs", "list"))
  })
}

# Subsets of a pair list keep its class names, input names and scales, so
# that a network trained on training[1:100] still knows its classes.
#' @export
`[.nnfs_pairs` <- function(x, i) {
  out <- unclass(x)[i]
  for (a in c("features", "scale", "levels", "preprocess")) attr(out, a) <- attr(x, a)
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
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x <= 0 || x > 1)
    arg_error("`train_ratio` must be a number in (0, 1], not ",
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

# Input columns -> list(x = p x n matrix, features = its row names, scale,
# prep), encoded as the model will encode raw rows (R/preprocess.R). The
# matrix has no dimnames, so that the pairs cut from it carry none.
encode_inputs <- function(df, scale_input) {
  prep <- prep_learn(df, if (scale_input) "max" else "none")
  x <- t(prep_apply(prep, df, "df"))
  dimnames(x) <- NULL
  list(x = x, features = prep$features, scale = prep$scale, prep = prep)
}
