# The package's matrix product on its own, for tests and benchmarks. Not
# exported: every model reaches gemm() from C.
#
# alpha * op(A) %*% op(B) + beta * C, where op(X) is X or t(X). With C = NULL
# beta is ignored (the product starts from nothing); naive = TRUE runs the
# triple-loop reference kernel instead of the optimised one. precision =
# "single" rounds A, B and C to float and runs the single-precision build
# of the same kernels (gemm_f), returning its float results as doubles.
# lda, when given, is the leading dimension A's storage is read with
# instead of its row count: lda = 1 reads overlapping columns (column p of
# op(A) starting one element after column p - 1), the way the convolution
# reads image patches in place; op(A) keeps the shape of A.
nnfs_gemm <- function(A, B, trans_a = FALSE, trans_b = FALSE, naive = FALSE,
                      threads = 1L, alpha = 1, beta = 0, C = NULL,
                      precision = c("double", "single"), lda = NULL) {
  precision <- match.arg(precision)
  as_dmatrix <- function(x) {
    if (!is.matrix(x) || !is.double(x)) {
      x <- as.matrix(x)
      storage.mode(x) <- "double"
    }
    x
  }
  A <- as_dmatrix(A)
  B <- as_dmatrix(B)
  k_a <- if (trans_a) nrow(A) else ncol(A)
  k_b <- if (trans_b) ncol(B) else nrow(B)
  if (k_a != k_b) {
    arg_error("`A` and `B` are not conformable: op(A) has ", k_a,
              " columns, op(B) has ", k_b, " rows")
  }
  m <- if (trans_a) ncol(A) else nrow(A)
  n <- if (trans_b) nrow(B) else ncol(B)
  if (!is.null(C)) {
    C <- as_dmatrix(C)
    if (nrow(C) != m || ncol(C) != n) {
      arg_error("`C` must be ", m, " x ", n, ", not ", nrow(C), " x ", ncol(C))
    }
  }
  if (!is.null(lda)) {
    if (!is.numeric(lda) || length(lda) != 1L || is.na(lda) || lda < 1 ||
        lda != round(lda)) {
      arg_error("`lda` must be a positive whole number")
    }
    lda <- as.integer(lda)
    # the last element read: row (column) m - 1 at p = k - 1 of op(A)
    if (m > 0 && k_a > 0) {
      last <- if (trans_a) {
        (k_a - 1) + (m - 1) * lda
      } else {
        (m - 1) + (k_a - 1) * lda
      }
      if (last >= length(A)) {
        arg_error("`lda` = ", lda, " reads past the end of `A`")
      }
    }
  }
  .Call(C_gemm, A, B, isTRUE(trans_a), isTRUE(trans_b), isTRUE(naive),
        as.integer(threads), as.double(alpha), as.double(beta), C, lda,
        precision == "single")
}
