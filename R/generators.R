# Generators for the 2-D toy problems of the articles and vignettes.

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
