# Argument checks shared by every front door. Each names the argument and
# says what was expected, so that the C code can trust what it receives.

# Raise an error about one argument, without the call of this helper. Every
# error of the package is a condition of class "nnfs_error" and of a
# subclass saying its kind, so that callers can catch errors by kind:
#   nnfs_error_argument  an argument (or option) is not what is expected
#   nnfs_error_model     a model that cannot be used as asked (edited,
#                        or incompatible with the data or another model)
#   nnfs_error_data      a data file that cannot be read
nnfs_error <- function(kind, ...) {
  stop(structure(class = c(paste0("nnfs_error_", kind), "nnfs_error", "error",
                           "condition"),
                 list(message = paste0(...), call = NULL)))
}

arg_error <- function(...) nnfs_error("argument", ...)

model_error <- function(...) nnfs_error("model", ...)

# A short description of what the user passed, for error messages.
describe <- function(x) {
  if (is.null(x)) return("NULL")
  if (is.function(x)) return("a function")
  if (inherits(x, "nnfs_cnn")) return("a network returned by cnn()")
  if (inherits(x, "nnfs_network")) return("a network returned by neuralnetwork()")
  if (is.data.frame(x)) return(sprintf("a data frame with %d rows", nrow(x)))
  if (is.factor(x)) return(sprintf("a factor of length %d", length(x)))
  if (is.matrix(x)) return(sprintf("%s matrix (%d x %d)", with_article(typeof(x)), nrow(x), ncol(x)))
  if (is.character(x) && length(x) == 1L && !is.na(x)) return(sprintf('"%s"', x))
  if (is.atomic(x) && length(x) == 1L) return(sprintf("%s", format(x)))
  sprintf("%s of length %d", with_article(if (is.list(x)) "list" else typeof(x)), length(x))
}

# TRUE when numeric or logical x has no NA, NaN or Inf: one pass in C,
# without the copies of any(!is.finite(x)); training's threads share the
# pass over millions of values.
all_finite <- function(x) {
  .Call(C_all_finite, x, if (length(x) >= 2^20) nnfs_threads() else 1L)
}

with_article <- function(word) {
  paste(if (grepl("^[aeiou]", word)) "an" else "a", word)
}

check_count <- function(x, arg, min = 1) {
  ok <- is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) &&
    x == round(x) && x >= min && x <= .Machine$integer.max
  if (!ok) {
    what <- if (min == 1) "a positive whole number" else
      sprintf("a whole number >= %d", as.integer(min))
    arg_error("`", arg, "` must be ", what, ", not ", describe(x), ".")
  }
  as.integer(x)
}

check_number <- function(x, arg, min = -Inf, max = Inf, positive = FALSE,
                         what = NULL) {
  ok <- is.numeric(x) && length(x) == 1L && !is.na(x) && is.finite(x) &&
    x >= min && x <= max && (!positive || x > 0)
  if (!ok) {
    if (is.null(what)) {
      what <- if (positive) "a positive finite number" else
        if (is.finite(min) && is.finite(max)) sprintf("a number between %g and %g", min, max) else
        if (is.finite(min)) sprintf("a finite number >= %g", min) else "a finite number"
    }
    arg_error("`", arg, "` must be ", what, ", not ", describe(x), ".")
  }
  as.double(x)
}

check_flag <- function(x, arg) {
  if (!is.logical(x) || length(x) != 1L || is.na(x))
    arg_error("`", arg, "` must be TRUE or FALSE, not ", describe(x), ".")
  x
}

check_choice <- function(x, choices, arg) {
  if (!is.character(x) || length(x) < 1L || is.na(x[1L]) ||
      !(x[1L] %in% choices) || (length(x) != 1L && !identical(x, choices)))
    arg_error("`", arg, "` must be one of ", paste0('"', choices, '"', collapse = ", "),
              ", not ", describe(x), ".")
  x[1L]
}

# Coerce a numeric vector, matrix or data frame of numeric columns to a
# double matrix with one row per observation; reject anything non-finite.
as_numeric_matrix <- function(x, arg) {
  if (is.data.frame(x)) {
    bad <- !vapply(x, function(col) is.numeric(col) || is.logical(col), logical(1))
    if (any(bad))
      arg_error("`", arg, "` must have only numeric columns; column ",
                paste0("'", names(x)[bad], "'", collapse = ", "), " is not.")
    x <- as.matrix(x)
  } else if (is.numeric(x) && is.null(dim(x))) {
    x <- matrix(x, ncol = 1L)
  } else if (!(is.matrix(x) && (is.numeric(x) || is.logical(x)))) {
    arg_error("`", arg, "` must be a numeric vector, matrix or data frame, not ",
              describe(x), ".")
  }
  if (nrow(x) < 1L || ncol(x) < 1L)
    arg_error("`", arg, "` must have at least one row and one column.")
  if (!is.double(x)) storage.mode(x) <- "double"
  if (!all_finite(x))
    arg_error("`", arg, "` must not contain NA, NaN or infinite values.")
  x
}

# Data larger than this many bytes are read in place by the engine rather
# than copied to one sample per column (see engine_samples()).
nnfs_copy_limit <- function() {
  n <- getOption("nnfs.copy_limit", 2^27)
  if (!is.numeric(n) || length(n) != 1L || is.na(n) || n < 0)
    arg_error("option `nnfs.copy_limit` must be a number of bytes (>= 0), not ",
              describe(n), ".")
  as.double(n)
}

# Reject arguments a function does not have: names caught by its `...`, and
# abbreviations that R would silently complete to one of its arguments (so
# that a typo such as `epoch = 3` is an error, never ignored or guessed).
# `call` is sys.call() of the function, `fun` its name, `formal_names` its
# argument names and `dots` its list(...). Suggests the closest argument.
check_arg_names <- function(call, fun, formal_names, dots) {
  n_pos <- match("...", formal_names, nomatch = length(formal_names) + 1L) - 1L
  formal_names <- setdiff(formal_names, "...")
  given <- c(names(as.list(call))[-1L], names(dots))
  bad <- unique(setdiff(given[!is.na(given) & nzchar(given)], formal_names))
  if (length(bad)) {
    near <- vapply(bad, function(b) {
      cand <- formal_names[startsWith(formal_names, b)]
      if (!length(cand)) {
        dist <- utils::adist(b, formal_names)[1L, ]
        cand <- formal_names[dist <= 2 & dist == min(dist)]
      }
      if (length(cand)) cand[1L] else NA_character_
    }, character(1))
    hint <- if (all(is.na(near))) "." else if (length(bad) == 1L)
      paste0("; did you mean `", near, "`?") else
      paste0("; did you mean ", paste0("`", near[!is.na(near)], "` for `",
                                       bad[!is.na(near)], "`", collapse = ", "), "?")
    partial <- any(vapply(bad, function(b) any(startsWith(formal_names, b)), NA))
    arg_error(paste0("`", bad, "`", collapse = ", "),
              if (length(bad) == 1L) " is not an argument of " else " are not arguments of ",
              fun, "()", hint,
              if (partial) " Argument names must be spelled out in full.")
  }
  n_unnamed <- if (is.null(names(dots))) length(dots) else sum(!nzchar(names(dots)))
  if (n_unnamed > 0L)
    arg_error(fun, "() takes ", n_pos, " arguments by position (up to `",
              formal_names[n_pos], "`) but got ", n_unnamed, " more unnamed; ",
              "name every argument after those.")
  invisible(NULL)
}

# A value as the user would type it, for error messages: short atomic
# vectors are deparsed (`c(4, 0, 3)`, `"relux"`), anything else described.
describe_value <- function(x) {
  if (is.atomic(x) && !is.null(x) && length(x) >= 1L && length(x) <= 6L &&
      is.null(dim(x)) && !is.factor(x))
    return(paste(deparse(unname(x), width.cutoff = 60L), collapse = " "))
  describe(x)
}
