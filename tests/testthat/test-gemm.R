# gemm(): the optimised kernel against R's %*% and the naive reference, on
# sizes around every register-tile and cache-block edge, in all four
# transposition combinations; alpha and beta as BLAS defines them; and
# results that do not depend on the thread count.

gemm <- nnfs:::nnfs_gemm

rand_mat <- function(r, c) matrix(stats::runif(r * c, -1, 1), r, c)

# operands stored so that op(A) is m x k and op(B) is k x n
operands <- function(m, n, k, ta, tb) {
  list(A = if (ta) rand_mat(k, m) else rand_mat(m, k),
       B = if (tb) rand_mat(n, k) else rand_mat(k, n))
}

op <- function(X, trans) if (trans) t(X) else X

transposes <- list(c(FALSE, FALSE), c(TRUE, FALSE), c(FALSE, TRUE),
                   c(TRUE, TRUE))

# m, n and k each run through the odd sizes while the other two stay
# fixed, then a few shapes of the package's own workloads (dense layers
# with a batch of 10, im2col convolution, skinny regression gradients)
odd <- c(1, 2, 7, 8, 9, 33, 64, 65, 257)
shapes <- rbind(
  cbind(m = odd, n = 9, k = 33),
  cbind(m = 17, n = odd, k = 8),
  cbind(m = 65, n = 7, k = odd),
  cbind(m = c(30, 784, 576, 25, 576, 257, 1, 100),
        n = c(10, 10, 8, 8, 25, 130, 300, 1),
        k = c(784, 30, 25, 576, 8, 257, 700, 2000))
)

test_that("gemm matches %*% and the naive kernel on odd sizes", {
  set.seed(42)
  for (tt in transposes) {
    for (s in seq_len(nrow(shapes))) {
      m <- shapes[s, "m"]; n <- shapes[s, "n"]; k <- shapes[s, "k"]
      x <- operands(m, n, k, tt[1], tt[2])
      ref <- op(x$A, tt[1]) %*% op(x$B, tt[2])
      fast <- gemm(x$A, x$B, tt[1], tt[2])
      naive <- gemm(x$A, x$B, tt[1], tt[2], naive = TRUE)
      label <- sprintf("%s%s m %d n %d k %d", if (tt[1]) "T" else "N",
                       if (tt[2]) "T" else "N", m, n, k)
      expect_equal(fast, ref, tolerance = 1e-12, label = label)
      expect_equal(fast, naive, tolerance = 1e-12, label = label)
    }
  }
})

test_that("k = 0 gives zeros, and an empty result is empty", {
  for (tt in transposes) {
    x <- operands(9, 7, 0, tt[1], tt[2])
    expect_identical(gemm(x$A, x$B, tt[1], tt[2]), matrix(0, 9, 7))
    expect_identical(gemm(x$A, x$B, tt[1], tt[2], naive = TRUE),
                     matrix(0, 9, 7))
  }
  C <- rand_mat(9, 7)
  x <- operands(9, 7, 0, FALSE, FALSE)
  expect_identical(gemm(x$A, x$B, beta = 1, C = C), C)
  expect_identical(gemm(x$A, x$B, beta = 2, C = C), 2 * C)
  expect_identical(dim(gemm(matrix(0, 0, 5), rand_mat(5, 3))), c(0L, 3L))
  expect_identical(dim(gemm(rand_mat(4, 5), matrix(0, 5, 0))), c(4L, 0L))
})

test_that("alpha scales the product and beta adds C", {
  set.seed(7)
  for (tt in transposes) {
    for (mnk in list(c(9, 7, 33), c(300, 130, 70), c(65, 10, 600))) {
      x <- operands(mnk[1], mnk[2], mnk[3], tt[1], tt[2])
      C <- rand_mat(mnk[1], mnk[2])
      AB <- op(x$A, tt[1]) %*% op(x$B, tt[2])
      expect_equal(gemm(x$A, x$B, tt[1], tt[2], alpha = 0.5, beta = 1, C = C),
                   0.5 * AB + C, tolerance = 1e-12)
      expect_equal(gemm(x$A, x$B, tt[1], tt[2], alpha = -1, beta = 2.5, C = C),
                   -AB + 2.5 * C, tolerance = 1e-12)
      expect_equal(gemm(x$A, x$B, tt[1], tt[2], alpha = 3, beta = -1, C = C,
                        naive = TRUE),
                   3 * AB - C, tolerance = 1e-12)
    }
  }
})

test_that("beta = 0 does not read C, alpha = 0 does not read A and B", {
  set.seed(3)
  for (mnk in list(c(9, 7, 33), c(300, 130, 70), c(65, 10, 600))) {
    x <- operands(mnk[1], mnk[2], mnk[3], FALSE, FALSE)
    C <- matrix(NaN, mnk[1], mnk[2])
    expect_equal(gemm(x$A, x$B, beta = 0, C = C), x$A %*% x$B,
                 tolerance = 1e-12)
    expect_equal(gemm(x$A, x$B, beta = 0, C = C, naive = TRUE),
                 x$A %*% x$B, tolerance = 1e-12)
    A <- x$A
    A[1, 1] <- NaN
    C <- rand_mat(mnk[1], mnk[2])
    expect_identical(gemm(A, x$B, alpha = 0, beta = 0.5, C = C), 0.5 * C)
  }
})

test_that("NaN and Inf in A or B reach exactly the elements they touch", {
  # row 16 and column 12 sit on the edges of the largest register tiles
  for (tt in transposes) {
    x <- operands(33, 25, 40, tt[1], tt[2])
    if (tt[1]) x$A[5, 16] <- NaN else x$A[16, 5] <- NaN
    if (tt[2]) x$B[12, 9] <- Inf else x$B[9, 12] <- Inf
    res <- gemm(x$A, x$B, tt[1], tt[2])
    expect_true(all(is.nan(res[16, ])))
    expect_true(all(is.infinite(res[-16, 12]) | is.nan(res[-16, 12])))
    expect_true(all(is.finite(res[-16, -12])))
  }
})

test_that("results are bit-identical whatever the thread count", {
  set.seed(11)
  big <- list(c(300, 200, 500), c(1000, 10, 300), c(300, 10, 1000),
              c(10, 600, 400))
  for (tt in transposes) {
    for (mnk in big) {
      x <- operands(mnk[1], mnk[2], mnk[3], tt[1], tt[2])
      C <- rand_mat(mnk[1], mnk[2])
      one <- gemm(x$A, x$B, tt[1], tt[2], threads = 1L, alpha = 0.3,
                  beta = 1, C = C)
      expect_identical(gemm(x$A, x$B, tt[1], tt[2], threads = 2L,
                            alpha = 0.3, beta = 1, C = C), one)
      expect_identical(gemm(x$A, x$B, tt[1], tt[2], threads = 3L,
                            alpha = 0.3, beta = 1, C = C), one)
    }
  }
})

test_that("the R wrapper checks shapes", {
  expect_error(gemm(rand_mat(3, 4), rand_mat(5, 2)), "not conformable")
  expect_error(gemm(rand_mat(3, 4), rand_mat(4, 2), C = rand_mat(2, 3)),
               "must be 3 x 2")
})
