# A small workload for valgrind (run by tools/valgrind.sh, not by hand:
#   bash tools/valgrind.sh
# ). It touches every .Call entry the package's main paths use: dense
# training with validation (data copied and data read in place),
# prediction, a tiny CNN (convolution, max
# pooling, flatten, dense), convolution(), and the three regressions; then
# the single-precision engine (the _f entries: training, prediction,
# backprop_trace, a warm start), a CNN with batch normalisation and
# average pooling in both precisions, and regressions by gradient descent
# with the optimizer, penalties, early stopping and single precision.
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
