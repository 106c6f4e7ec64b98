# A small workload for valgrind (run by tools/valgrind.sh, not by hand:
#   bash tools/valgrind.sh
# ). It touches every .Call entry the package's main paths use: dense
# training with validation (data copied and data read in place),
# prediction, a tiny CNN (convolution, max
# pooling, flatten, dense), convolution(), and the three regressions; then
# the single-precision engine (the _f entries: training, prediction,
# backprop_trace, a warm start), a CNN with batch normalisation and
# average pooling in both precisions, and regressions by gradient descent
# with the optimizer, penalties, early stopping and single precision;
# image-like data in R's rows through byte codes and through chunks of
# the rows in both precisions (a dense network, and a CNN with 2x2 max
# pooling), batches of 784-value grey-level samples decoded from the codes
# on two threads, the byte codes themselves (C_byte_codes: grey levels
# four at a time with a scalar tail, and off-level values), read_idx()
# and read_mnist() of small IDX files, and the threaded finiteness check
# on more than 2^20 values.
# Sizes are tiny because memcheck runs ~30-50x slower than native.
library(nnfs)
set.seed(1)

# Dense network on iris, a few epochs, with validation and prediction.
d <- train_test_from_df(iris, 5, 0.7)
net <- neuralnetwork(c(4, 10, 3), d[[1]], 3, 10, 0.5, validation_data = d[[2]])
print(evaluate(net, d[[2]]))
p <- predict(net, iris[1:20, 1:4])
print(table(p))
pr <- predict(net, iris[1:5, 1:4], type = "prob")
print(round(pr, 3))
# Other code paths: relu/tanh, dropout, softmax output, adam, gradient check.
net2 <- neuralnetwork(c(4, 8, 6, 3), d[[1]], 2, 16, 0.01,
                      activation = c("relu", "tanh"), output = "softmax",
                      dropout = c(0.2, 0), optimizer = "adam")
print(evaluate(net2, d[[2]]))
print(grad_check(net2, d[[2]]))

# Data read in place (as large data are): shuffled batches come through
# the engine's chunk reader; a batch of 7 does not divide the chunks.
options(nnfs.copy_limit = 0)
net3 <- neuralnetwork(c(4, 5, 3), d[[1]], 2, 7, 0.5, validation_data = d[[2]])
print(table(predict(net3, iris[1:20, 1:4])))
options(nnfs.copy_limit = NULL)

# A tiny CNN on 50 digits images.
imgs <- as_images(as.matrix(digits[1:50, 1:64]) / 16, 8)
cn <- cnn(list(layer_conv2d(2, 3, padding = "same"), layer_maxpool2d(2),
               layer_flatten(), layer_dense(10, "softmax")),
          list(x = imgs[1:40, , , drop = FALSE], y = digits$digit[1:40]),
          2, 10, 0.05,
          validation_data = list(x = imgs[41:50, , , drop = FALSE],
                                 y = digits$digit[41:50]),
          optimizer = "adam")
print(table(predict(cn, imgs[1:10, , , drop = FALSE])))
# Two unpadded stride-1 convolutions: products read from the image in
# place, and the second layer's input gradient. Data read in place too.
options(nnfs.copy_limit = 0)
cn2 <- cnn(list(layer_conv2d(3, 3), layer_conv2d(2, 3), layer_maxpool2d(2),
                layer_flatten(), layer_dense(10, "softmax")),
           list(x = imgs[1:40, , , drop = FALSE], y = digits$digit[1:40]),
           2, 8, 0.05)
print(table(predict(cn2, imgs[1:10, , , drop = FALSE])))
options(nnfs.copy_limit = NULL)

# convolution() with a fixed filter.
img <- matrix(unlist(digits[7, 1:64]), 8, 8, byrow = TRUE) / 16
cv <- convolution(img, filter_bank("sobel_x"), show = FALSE, out = TRUE)
print(dim(cv))

# The three regressions.
x <- runif(50, -5, 5)
y <- x + rnorm(50) + 3
print(coef(linear_reg(x, y)))
print(coef(linear_reg(x, y, method = "gd", epochs = 50, lr = 0.1)))
vv <- iris[51:150, ]
X <- as.matrix(vv[, c("Sepal.Length", "Petal.Length")]) / 7.9
print(coef(logistic_reg(X, vv$Species == "virginica", 200, 5, verbose = FALSE)))
print(coef(softmax_reg(as.matrix(iris[, 1:4]), iris$Species, 200, 0.1,
                       verbose = FALSE)))
# Single precision (the engine compiled for float, C_train_f and the
# others): a dense network with validation, data copied to float and read
# in place from R's rows, prediction, backprop_trace() and a warm start.
set.seed(4)
s1 <- neuralnetwork(c(4, 10, 3), d[[1]], 3, 10, 0.5, validation_data = d[[2]],
                    optimizer = "adam", precision = "single")
print(evaluate(s1, d[[2]]))
print(round(predict(s1, iris[1:5, 1:4], type = "prob"), 3))
print(backprop_trace(s1, iris[1:4, 1:4], iris$Species[1:4])$loss)
s2 <- neuralnetwork(c(4, 10, 3), d[[1]], 2, 10, 0.5, optimizer = "adam",
                    precision = "single", warm_start = s1)
print(nrow(s2$history))
options(nnfs.copy_limit = 0)
s3 <- neuralnetwork(c(4, 5, 3), d[[1]], 2, 7, 0.5, precision = "single")
print(table(predict(s3, iris[1:20, 1:4])))
options(nnfs.copy_limit = NULL)

# A CNN with batch normalisation (of an image, per channel, and of a
# vector, per unit) and average pooling, in both precisions, with
# validation (the running statistics), prediction, a warm start,
# feature_maps() and grad_check().
bn_layers <- list(layer_conv2d(3, 3, padding = "same"), layer_batchnorm(),
                  layer_avgpool2d(2), layer_flatten(), layer_batchnorm(0.8),
                  layer_dense(10, "softmax"))
for (precision in c("double", "single")) {
  set.seed(5)
  cb <- cnn(bn_layers, list(x = imgs[1:40, , , drop = FALSE], y = digits$digit[1:40]),
            2, 10, 0.05, optimizer = "adam", precision = precision,
            validation_data = list(x = imgs[41:50, , , drop = FALSE],
                                   y = digits$digit[41:50]))
  print(table(predict(cb, imgs[1:10, , , drop = FALSE])))
  cb2 <- cnn(bn_layers, list(x = imgs[1:40, , , drop = FALSE], y = digits$digit[1:40]),
             1, 10, 0.05, optimizer = "adam", precision = precision, warm_start = cb)
  print(round(unlist(cb2$tensors[[2L]]), 3))
  print(length(feature_maps(cb2, imgs[1, , ], layer = 1, plot = FALSE)))
}
print(grad_check(cb2, imgs[1:6, , , drop = FALSE], digits$digit[1:6], n_params = 40))

# Regressions by gradient descent with the networks' settings: Adam with
# L2, early stopping on a held-out share, and single precision.
print(coef(linear_reg(x, y, method = "gd", epochs = 100, lr = 0.05,
                      optimizer = "adam", l2 = 0.1, patience = 5,
                      validation_split = 0.2)))
print(coef(logistic_reg(X, vv$Species == "virginica", 200, 5, verbose = FALSE,
                        optimizer = "rmsprop", l1 = 0.01, precision = "single")))
print(coef(softmax_reg(as.matrix(iris[, 1:4]), iris$Species, 100, 0.1,
                       verbose = FALSE, optimizer = "momentum",
                       precision = "single")))

# Image-like data in R's rows through the data paths of src/data_codes.c
# and src/train.c: 600 samples (two threads code 512 or more) of 16 grey
# levels k / 255 (coded by arithmetic) and of 200 arbitrary values with -0
# (a dictionary per thread, merged and renumbered), trained through byte
# codes in double (n * p bytes <= nnfs.copy_limit < 8 n * p) and in single
# (n * p <= the limit), with validation on the same data (the codes
# shared), and again through chunks of R's rows with a limit of a few KB;
# the networks must be identical on both paths.
options(nnfs.threads = 2)
set.seed(6)
n_img <- 600
grey <- matrix(sample(0:255, n_img * 16, TRUE) / 255, n_img)
vals <- c(-0, 0, 1e-300, runif(197, -2, 2))
arb <- matrix(sample(vals, n_img * 16, TRUE), n_img)
arb[n_img:1, ] <- arb # the second thread meets the values in another order
lab <- factor(sample(c("a", "b", "c"), n_img, TRUE))
fit_rows <- function(x, limit, precision) {
  options(nnfs.copy_limit = limit)
  on.exit(options(nnfs.copy_limit = NULL))
  set.seed(7)
  neuralnetwork(c(16, 8, 3), list(x = x, y = lab), 2, 10, 0.01,
                optimizer = "adam", precision = precision,
                validation_data = list(x = x, y = lab))
}
for (precision in c("double", "single")) {
  for (x in list(grey, arb)) {
    coded <- fit_rows(x, 4 * length(x), precision)
    chunked <- fit_rows(x, 3000, precision)
    print(identical(coded$weights, chunked$weights))
    print(round(coded$history$val_loss, 4))
  }
}
# A CNN with 2x2 max pooling on images of whole numbers 0..255 in an
# n x h x w x c array: through byte codes (limit n * p) and through chunks
# of one batch (limit 0), in both precisions, with prediction.
imgs_rows <- array(as.double(sample(0:255, 520 * 6 * 6 * 2, TRUE)), c(520, 6, 6, 2)) / 255
lab2 <- factor(sample(1:2, 520, TRUE))
for (precision in c("double", "single")) {
  fit_cnn_rows <- function(limit) {
    options(nnfs.copy_limit = limit)
    on.exit(options(nnfs.copy_limit = NULL))
    set.seed(8)
    cnn(list(layer_conv2d(2, 3, padding = "same", activation = "relu"),
             layer_maxpool2d(2), layer_flatten(), layer_dense(2, "softmax")),
        list(x = imgs_rows, y = lab2), 1, 16, 0.05, precision = precision)
  }
  cr <- fit_cnn_rows(length(imgs_rows))
  print(identical(cr$weights, fit_cnn_rows(0)$weights))
  print(table(predict(cr, imgs_rows[1:20, , , , drop = FALSE])))
}
# Batches of at least 50000 values are decoded from the byte codes on two
# threads (gather_codes()): 300 samples of 784 grey levels in R's rows,
# batches of 100 (78400 values), through byte codes (limit 4 n * p) and
# read in place (limit n * p - 1), in both precisions. The thread count
# is fixed (no adaptive policy), so that every batch is decoded on two.
mnist_like <- matrix(sample(0:255, 300 * 784, TRUE) / 255, 300)
lab3 <- factor(sample(c("a", "b"), 300, TRUE))
fit_wide <- function(limit, precision) {
  options(nnfs.copy_limit = limit, nnfs.adaptive_threads = FALSE)
  on.exit(options(nnfs.copy_limit = NULL, nnfs.adaptive_threads = NULL))
  set.seed(9)
  neuralnetwork(c(784, 5, 2), list(x = mnist_like, y = lab3), 1, 100, 0.5,
                precision = precision)$weights
}
for (precision in c("double", "single"))
  print(identical(fit_wide(4 * length(mnist_like), precision),
                  fit_wide(length(mnist_like) - 1, precision)))
# The byte codes themselves (C_byte_codes, two coding threads): 201 grey
# levels in 603 rows (the second thread's runs end in 3 values, left to
# the scalar tail of the four-at-a-time loop), then an off-level value met
# by the vector loop (row 560) or by its tail (row 603), which sends the
# data to the dictionary (202 values); decoded, each must be the matrix
# bit for bit.
byte_decoded <- function(x) {
  b <- .Call(nnfs:::C_byte_codes, x, 2L)
  matrix(b$values[as.integer(b$codes) + 1L], nrow = ncol(b$codes), byrow = TRUE)
}
grey603 <- matrix(sample(0:200, 603 * 16, TRUE) / 255, 603)
print(identical(byte_decoded(grey603), grey603, num.eq = FALSE))
for (i in c(560, 603)) {
  off <- grey603
  off[i, 5] <- (off[i, 5] * 255 + 0.3) / 255
  print(identical(byte_decoded(off), off, num.eq = FALSE))
}
options(nnfs.threads = NULL)

# read_idx() of small IDX files written to tempdir(): unsigned bytes
# (filled into the result by C_idx_rows a chunk at a time), plain and
# gzipped, and read_mnist() of one part.
idx_path <- file.path(tempdir(), "vg-images-idx3-ubyte")
write_idx <- function(path, dims, bytes, gz = FALSE) {
  con <- if (gz) gzfile(path, "wb") else file(path, "wb")
  writeBin(as.raw(c(0, 0, 8, length(dims))), con)
  writeBin(as.integer(dims), con, size = 4, endian = "big")
  writeBin(as.raw(bytes), con)
  close(con)
  path
}
px <- sample(0:255, 7 * 4 * 5, TRUE)
xi <- read_idx(write_idx(idx_path, c(7, 4, 5), px))
print(identical(as.vector(t(xi)), px))
xg <- read_idx(write_idx(paste0(idx_path, ".gz"), c(7, 4, 5), px, gz = TRUE))
print(identical(xg, xi))
mn <- file.path(tempdir(), "vg-mnist")
dir.create(mn, showWarnings = FALSE)
invisible(write_idx(file.path(mn, "t10k-images-idx3-ubyte"), c(7, 4, 5), px))
invisible(write_idx(file.path(mn, "t10k-labels-idx1-ubyte"), 7, 0:6))
m <- read_mnist(mn, sets = "test")
attr(xi, "idx_dim") <- NULL
print(identical(m$test, list(x = xi / 255, y = 0:6)))

# The finiteness check on more than 2^20 values (threaded, in blocks of
# 65536): finite, then with an NA in the last block.
big <- runif(2^20 + 1000)
options(nnfs.threads = 2)
print(nnfs:::all_finite(big))
big[2^20 + 999] <- NA
print(nnfs:::all_finite(big))
options(nnfs.threads = NULL)

# The forked worker comes last: under valgrind the child of mcparallel()
# goes on reading and running the script after its job (base R does the
# same: mccollect(mcparallel(1 + 1)) followed by cat() lines prints them
# twice), and as parent and child share the offset of the script's file,
# code after it was read in pieces (a parse error in the parent).
# Threads (src/threads.c): a training with products large enough for two
# threads, on every batch and with the adaptive policy, then the same
# training in a forked worker (one thread there, as the fork handler says).
xs <- matrix(runif(64 * 100), 64)
ys <- factor(sample(1:3, 64, TRUE))
fit_big <- function(adaptive) {
  options(nnfs.threads = 2, nnfs.adaptive_threads = adaptive)
  set.seed(3)
  neuralnetwork(c(100, 400, 3), list(x = xs, y = ys), 2, 32, 0.1)$weights
}
w_fixed <- fit_big(FALSE)
print(identical(w_fixed, fit_big(TRUE)))
if (.Platform$OS.type == "unix") {
  kid <- parallel::mccollect(parallel::mcparallel(fit_big(TRUE)))[[1L]]
  print(identical(kid, w_fixed))
}
options(nnfs.threads = NULL, nnfs.adaptive_threads = NULL)
cat("valgrind-demo.R: done\n")
