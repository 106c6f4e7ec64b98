# Made tests/testthat/fixtures/models-0.1.0.rds with nnfs 0.1.0 installed (the
# release whose models stored lists of 12 fields); kept so that later versions
# can check they still read and predict with such saved models. Run from the
# package root with 0.1.0 installed, never with a later version.
library(nnfs)
set.seed(42)
d <- train_test_from_df(iris, 5, 0.7)
net <- neuralnetwork(c(4, 6, 3), d[[1]], 5, 10, 0.5, validation_data = d[[2]],
                     optimizer = "momentum", dropout = 0.1)
set.seed(7)
x <- array(runif(20 * 6 * 6), c(20, 6, 6, 1))
y <- factor(sample(c("a", "b"), 20, TRUE))
cn <- cnn(list(x = x, y = y), layers = list(layer_conv2d(2, 3), layer_maxpool2d(2), layer_flatten(), layer_dense(2, activation = "softmax")), epochs = 2, mini_batch_size = 5, lr = 0.1)
fix <- list(version = as.character(packageVersion("nnfs")),
            net = net, net_x = as.matrix(iris[1:10, 1:4]) / 8,
            net_prob = predict(net, as.matrix(iris[1:10, 1:4]) / 8, type = "prob"),
            cnn = cn, cnn_x = x[1:4, , , , drop = FALSE],
            cnn_prob = predict(cn, x[1:4, , , , drop = FALSE], type = "prob"))
saveRDS(fix, "tests/testthat/fixtures/models-0.1.0.rds", version = 2)
str(fix, max.level = 1)
vv <- iris[51:150, ]
X <- data.frame(a = vv$Sepal.Length / 8, b = vv$Petal.Length / 7)
lg <- logistic_reg(X, vv$Species, 2000, 5, verbose = FALSE)
sm <- softmax_reg(as.matrix(iris[, 1:2]), iris$Species, 500, 0.5, verbose = FALSE)
lm1 <- linear_reg(iris$Sepal.Width, iris$Sepal.Length)
fix$logistic <- lg; fix$logistic_x <- X[1:5, ]; fix$logistic_p <- predict(lg, X[1:5, ])
fix$softmax <- sm; fix$softmax_x <- as.matrix(iris[c(1, 51, 101), 1:2]); fix$softmax_p <- predict(sm, fix$softmax_x, type = "prob")
fix$linear <- lm1; fix$linear_x <- c(3, 3.5); fix$linear_p <- predict(lm1, c(3, 3.5))
saveRDS(fix, "tests/testthat/fixtures/models-0.1.0.rds", version = 2)
