# Argument checks shared by every front door. Each names the argument and
# says what was expected, so that the C code can trust what it receives.

# Raise an error about one argument, without the call of this helper.
arg_error <- function(...) {
  stop(paste0(...), call. = FALSE)
}

# A short description of what the user passed, for error messages.
describe <- function(x) {
  if (is.null(x)) return("NULL")
  if (is.function(x)) return("a function")
  if (is.data.frame(x)) return(sprintf("a data frame with %d rows", nrow(x)))
  if (is.factor(x)) return(sprintf("a factor of length %d", length(x)))
  if (is.matrix(x)) return(sprintf("a %s matrix (%d x %d)", typeof(x), nrow(x), ncol(x)))
  if (is.atomic(x) && length(x) == 1L) return(sprintf("%s", format(x)))
  sprintf("a %s of length %d", if (is.list(x)) "list" else typeof(x), length(x))
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
  storage.mode(x) <- "double"
  if (anyNA(x) || any(!is.finite(x)))
    arg_error("`", arg, "` must not contain NA, NaN or infinite values.")
  x
}

# Number of threads for the C kernels: option `nnfs.threads`, at most 2 by
# default. Results do not depend on it.
nnfs_threads <- function() {
  n <- getOption("nnfs.threads", 2L)
  if (!is.numeric(n) || length(n) != 1L || is.na(n) || n < 1)
    arg_error("option `nnfs.threads` must be a positive whole number, not ",
              describe(n), ".")
  as.integer(n)
}
