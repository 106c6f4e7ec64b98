# The package's matrix product on its own, for tests and benchmarks. Not
# exported: every model reaches gemm() from C.
#
# alpha * op(A) %*% op(B) + beta * C, where op(X) is X or t(X). With C = NULL
# beta is ignored (the product starts from nothing); naive = TRUE runs the
# triple-loop reference kernel instead of the optimised one.
nnfs_gemm <- function(A, B, trans_a = FALSE, trans_b = FALSE, naive = FALSE,
                      threads = 1L, alpha = 1, beta = 0, C = NULL) {
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
  if (!is.null(C)) {
    C <- as_dmatrix(C)
    m <- if (trans_a) ncol(A) else nrow(A)
    n <- if (trans_b) nrow(B) else ncol(B)
    if (nrow(C) != m || ncol(C) != n) {
      arg_error("`C` must be ", m, " x ", n, ", not ", nrow(C), " x ", ncol(C))
    }
  }
  .Call(C_gemm, A, B, isTRUE(trans_a), isTRUE(trans_b), isTRUE(naive),
        as.integer(threads), as.double(alpha), as.double(beta), C)
}
