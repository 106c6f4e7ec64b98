# gemm(): the optimised kernel against R's %*% and the naive reference, on
# sizes around every register-tile and cache-block edge, in all four
# transposition combinations; alpha and beta as BLAS defines them; and
# results that do not depend on the thread count. Each test runs for both
# builds of the kernels: double (gemm) and single precision (gemm_f, its
# inputs rounded to float and its float results returned as doubles).

gemm <- nnfs:::nnfs_gemm
precisions <- c("double", "single")

rand_mat <- function(r, c) matrix(stats::runif(r * c, -1, 1), r, c)
# multiples of 2^-10 in [-1, 1]: exact in float as in double, for tests
# that compare a single-precision result with R's doubles exactly
rand_exact <- function(r, c) round(rand_mat(r, c) * 1024) / 1024

# operands stored so that op(A) is m x k and op(B) is k x n
operands <- function(m, n, k, ta, tb) {
  list(A = if (ta) rand_mat(k, m) else rand_mat(m, k),
       B = if (tb) rand_mat(n, k) else rand_mat(k, n))
}

op <- function(X, trans) if (trans) t(X) else X

# got == alpha op(A) op(B) + beta C up to rounding. Double: relative
# tolerance 1e-12 (all.equal's mean relative difference), as ever. Single:
# an elementwise bound from float's epsilon and k. Rounding A, B and C to
# float, the k multiply-adds, the product by alpha and the final addition
# each err by at most u = 2^-24 (half of float's epsilon 2^-23) relative
# to |alpha| |op(A)| |op(B)| + |beta| |C|, to first order (k u for a sum
# of k terms, in any order or with fused multiply-adds); the bound is
# (k + 4) * 2^-23 times that, twice the first-order estimate. A dropped or
# repeated term of the sum, or a sum kept in half precision, exceeds it.
expect_product <- function(got, ref, A, B, ta, tb, precision, label,
                           alpha = 1, beta = 0, C = NULL) {
  if (precision == "double") {
    expect_equal(got, ref, tolerance = 1e-12, label = label)
    return(invisible())
  }
  scale <- abs(alpha) * (abs(op(A, ta)) %*% abs(op(B, tb)))
  if (!is.null(C)) scale <- scale + abs(beta) * abs(C)
  k <- if (ta) nrow(A) else ncol(A)
  bound <- (k + 4) * 2^-23 * scale
  err <- abs(got - ref)
  worst <- max(0, err / pmax(bound, .Machine$double.xmin))
  expect_true(all(err <= bound), label = sprintf(
    "%s: worst |error| / bound = %.3g (float's bound (k + 4) eps)",
    label, worst))
}

transposes <- list(c(FALSE, FALSE), c(TRUE, FALSE), c(FALSE, TRUE),
                   c(TRUE, TRUE))

# m, n and k each run through the odd sizes while the other two stay
# fixed, then a few shapes of the package's own workloads (dense layers
# with a batch of 10, im2col convolution, skinny regression gradients).
# The single-precision tiles have twice the rows (32 on AVX-512), so 31,
# 32 and 33 sit on their edges.
odd <- c(1, 2, 7, 8, 9, 31, 32, 33, 64, 65, 257)
shapes <- rbind(
  cbind(m = odd, n = 9, k = 33),
  cbind(m = 17, n = odd, k = 8),
  cbind(m = 65, n = 7, k = odd),
  cbind(m = c(30, 784, 576, 25, 576, 257, 1, 100),
        n = c(10, 10, 8, 8, 25, 130, 300, 1),
        k = c(784, 30, 25, 576, 8, 257, 700, 2000))
)

test_that("gemm matches %*% and the naive kernel on odd sizes", {
  for (precision in precisions) {
    set.seed(42)
    for (tt in transposes) {
      for (s in seq_len(nrow(shapes))) {
        m <- shapes[s, "m"]; n <- shapes[s, "n"]; k <- shapes[s, "k"]
        x <- operands(m, n, k, tt[1], tt[2])
        ref <- op(x$A, tt[1]) %*% op(x$B, tt[2])
        fast <- gemm(x$A, x$B, tt[1], tt[2], precision = precision)
        naive <- gemm(x$A, x$B, tt[1], tt[2], naive = TRUE,
                      precision = precision)
        label <- sprintf("%s %s%s m %d n %d k %d", precision,
                         if (tt[1]) "T" else "N", if (tt[2]) "T" else "N",
                         m, n, k)
        expect_product(fast, ref, x$A, x$B, tt[1], tt[2], precision, label)
        expect_product(naive, ref, x$A, x$B, tt[1], tt[2], precision,
                       paste(label, "naive"))
        if (precision == "single") {
          # the fast and the naive float kernels, each within the bound
          # of the exact product, are within twice of each other
          expect_product(fast, naive, x$A, 2 * x$B, tt[1], tt[2], precision,
                         paste(label, "fast against naive"))
        }
      }
    }
  }
})

test_that("the single build computes in float", {
  set.seed(5)
  x <- rand_mat(50, 3)
  # the identity product returns A rounded to float: within float's
  # half-epsilon of A, and not A itself
  got <- gemm(x, diag(3), precision = "single")
  expect_true(all(abs(got - x) <= 2^-24 * abs(x)))
  expect_true(any(got != x))
  expect_identical(gemm(x, diag(3)), x)
  # a sum float cannot hold: 1 + 2^-30 is 1 in float
  one <- matrix(c(1, 2^-30), 1)
  expect_identical(gemm(one, matrix(1, 2, 1), precision = "single"),
                   matrix(1))
  expect_identical(gemm(one, matrix(1, 2, 1)), matrix(1 + 2^-30))
})

test_that("k = 0 gives zeros, and an empty result is empty", {
  for (precision in precisions) {
    for (tt in transposes) {
      x <- operands(9, 7, 0, tt[1], tt[2])
      expect_identical(gemm(x$A, x$B, tt[1], tt[2], precision = precision),
                       matrix(0, 9, 7))
      expect_identical(gemm(x$A, x$B, tt[1], tt[2], naive = TRUE,
                            precision = precision),
                       matrix(0, 9, 7))
    }
    C <- rand_exact(9, 7)
    x <- operands(9, 7, 0, FALSE, FALSE)
    expect_identical(gemm(x$A, x$B, beta = 1, C = C, precision = precision), C)
    expect_identical(gemm(x$A, x$B, beta = 2, C = C, precision = precision),
                     2 * C)
    expect_identical(dim(gemm(matrix(0, 0, 5), rand_mat(5, 3),
                              precision = precision)), c(0L, 3L))
    expect_identical(dim(gemm(rand_mat(4, 5), matrix(0, 5, 0),
                              precision = precision)), c(4L, 0L))
  }
})

test_that("alpha scales the product and beta adds C", {
  for (precision in precisions) {
    set.seed(7)
    for (tt in transposes) {
      for (mnk in list(c(9, 7, 33), c(300, 130, 70), c(65, 10, 600),
                       c(700, 100, 500))) {
        x <- operands(mnk[1], mnk[2], mnk[3], tt[1], tt[2])
        C <- rand_mat(mnk[1], mnk[2])
        AB <- op(x$A, tt[1]) %*% op(x$B, tt[2])
        label <- sprintf("%s %s%s %s", precision, if (tt[1]) "T" else "N",
                         if (tt[2]) "T" else "N", paste(mnk, collapse = "x"))
        expect_product(gemm(x$A, x$B, tt[1], tt[2], alpha = 0.5, beta = 1,
                            C = C, precision = precision),
                       0.5 * AB + C, x$A, x$B, tt[1], tt[2], precision,
                       label, alpha = 0.5, beta = 1, C = C)
        expect_product(gemm(x$A, x$B, tt[1], tt[2], alpha = -1, beta = 2.5,
                            C = C, precision = precision),
                       -AB + 2.5 * C, x$A, x$B, tt[1], tt[2], precision,
                       label, alpha = -1, beta = 2.5, C = C)
        expect_product(gemm(x$A, x$B, tt[1], tt[2], alpha = 3, beta = -1,
                            C = C, naive = TRUE, precision = precision),
                       3 * AB - C, x$A, x$B, tt[1], tt[2], precision,
                       paste(label, "naive"), alpha = 3, beta = -1, C = C)
      }
    }
  }
})

test_that("beta = 0 does not read C, alpha = 0 does not read A and B", {
  for (precision in precisions) {
    set.seed(3)
    for (mnk in list(c(9, 7, 33), c(300, 130, 70), c(65, 10, 600),
                     c(700, 100, 500))) {
      for (tt in transposes) {
        x <- operands(mnk[1], mnk[2], mnk[3], tt[1], tt[2])
        C <- matrix(NaN, mnk[1], mnk[2])
        ref <- op(x$A, tt[1]) %*% op(x$B, tt[2])
        label <- sprintf("%s %s%s %s", precision, if (tt[1]) "T" else "N",
                         if (tt[2]) "T" else "N", paste(mnk, collapse = "x"))
        for (naive in c(FALSE, TRUE)) {
          got <- gemm(x$A, x$B, tt[1], tt[2], beta = 0, C = C, naive = naive,
                      precision = precision)
          expect_false(anyNA(got), label = label)
          expect_product(got, ref, x$A, x$B, tt[1], tt[2], precision,
                         paste(label, if (naive) "naive"))
        }
      }
      A <- rand_mat(mnk[1], mnk[3])
      A[1, 1] <- NaN
      C <- rand_exact(mnk[1], mnk[2])
      expect_identical(gemm(A, rand_mat(mnk[3], mnk[2]), alpha = 0,
                            beta = 0.5, C = C, precision = precision),
                       0.5 * C)
    }
  }
})

test_that("NaN and Inf in A or B reach exactly the elements they touch", {
  # rows 16 and 32 and column 12 sit on the edges of the largest register
  # tiles (double and float)
  for (precision in precisions) {
    for (tt in transposes) {
      for (r in c(16, 32)) {
        x <- operands(40, 25, 40, tt[1], tt[2])
        if (tt[1]) x$A[5, r] <- NaN else x$A[r, 5] <- NaN
        if (tt[2]) x$B[12, 9] <- Inf else x$B[9, 12] <- Inf
        res <- gemm(x$A, x$B, tt[1], tt[2], precision = precision)
        expect_true(all(is.nan(res[r, ])))
        expect_true(all(is.infinite(res[-r, 12]) | is.nan(res[-r, 12])))
        expect_true(all(is.finite(res[-r, -12])))
      }
    }
  }
})

test_that("results are bit-identical whatever the thread count", {
  big <- list(c(300, 200, 500), c(1000, 10, 300), c(300, 10, 1000),
              c(10, 600, 400), c(700, 300, 600))
  for (precision in precisions) {
    set.seed(11)
    for (tt in transposes) {
      for (mnk in big) {
        x <- operands(mnk[1], mnk[2], mnk[3], tt[1], tt[2])
        C <- rand_mat(mnk[1], mnk[2])
        one <- gemm(x$A, x$B, tt[1], tt[2], threads = 1L, alpha = 0.3,
                    beta = 1, C = C, precision = precision)
        expect_identical(gemm(x$A, x$B, tt[1], tt[2], threads = 2L,
                              alpha = 0.3, beta = 1, C = C,
                              precision = precision), one)
        expect_identical(gemm(x$A, x$B, tt[1], tt[2], threads = 3L,
                              alpha = 0.3, beta = 1, C = C,
                              precision = precision), one)
      }
    }
  }
})

test_that("lda = 1 reads overlapping columns of A in place", {
  # op(A)(i, p) = a[i + p] (1-based: a[i + p - 1]), the sliding windows of
  # the convolution's in-place im2col, against the same windows copied out;
  # shapes of the convolution (long m or long k, short the other), one
  # through the packed path and one through the dot-product path
  hankel <- function(a, rows, cols) {
    matrix(a[outer(seq_len(rows), seq_len(cols), "+") - 1L], rows, cols)
  }
  for (precision in precisions) {
    set.seed(13)
    for (mnk in list(c(576, 8, 5), c(30, 7, 40), c(700, 300, 600),
                     c(5, 8, 576), c(1, 9, 200))) {
      m <- mnk[1]; n <- mnk[2]; k <- mnk[3]
      for (ta in c(FALSE, TRUE)) {
        # A's storage, shaped as op(A) is stored; only its first m + k - 1
        # elements are read
        A <- if (ta) rand_mat(k, m) else rand_mat(m, k)
        W <- if (ta) hankel(A, k, m) else hankel(A, m, k)
        B <- rand_mat(k, n)
        label <- sprintf("%s %s m %d n %d k %d", precision,
                         if (ta) "T" else "N", m, n, k)
        got <- gemm(A, B, ta, lda = 1, threads = 2L, precision = precision)
        expect_identical(got, gemm(W, B, ta, precision = precision),
                         label = label)
        expect_product(got, op(W, ta) %*% B, W, B, ta, FALSE, precision,
                       label)
        expect_product(gemm(A, B, ta, lda = 1, naive = TRUE,
                            precision = precision),
                       op(W, ta) %*% B, W, B, ta, FALSE, precision,
                       paste(label, "naive"))
      }
    }
  }
})

test_that("the R wrapper checks shapes", {
  expect_error(gemm(rand_mat(3, 4), rand_mat(5, 2)), "not conformable")
  expect_error(gemm(rand_mat(3, 4), rand_mat(4, 2), C = rand_mat(2, 3)),
               "must be 3 x 2")
  expect_error(gemm(rand_mat(3, 4), rand_mat(4, 2), lda = 0), "positive")
  expect_error(gemm(rand_mat(3, 4), rand_mat(4, 2), lda = 4), "past the end")
  expect_error(gemm(rand_mat(3, 4), rand_mat(4, 2), precision = "half"))
})
