library(testthat)
library(nnfs)

test_check("nnfs")
