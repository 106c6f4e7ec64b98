# predict(), evaluate(), print(), summary(), coef() and plot() for
# nnfs_network objects, and saving a network.

test_that("predict gives classes, probabilities and raw outputs", {
  d <- iris_pairs(1)
  set.seed(1)
  net <- neuralnetwork(c(4, 40, 3), d[[1]], 30, 10, 0.5)
  raw <- predict(net, d[[2]], type = "raw")
  prob <- predict(net, d[[2]], type = "prob")
  cls <- predict(net, d[[2]])
  expect_true(is.matrix(raw) && is.null(dimnames(raw)))
  expect_identical(dim(raw), c(45L, 3L))
  expect_identical(colnames(prob), net$levels)
  expect_equal(unname(prob), raw)
  expect_s3_class(cls, "factor")
  expect_identical(levels(cls), net$levels)
  expect_identical(as.integer(cls), max.col(raw, ties.method = "first"))
  # the outputs are the article's feedforward: sigmoid(W a + b), layer by layer
  x <- t(vapply(d[[2]], function(p) as.vector(p$x), numeric(4)))
  a <- t(x)
  for (l in 1:2) a <- 1 / (1 + exp(-(net$weights[[l]] %*% a + net$biases[[l]])))
  expect_equal(raw, t(a), tolerance = 1e-12)
})

test_that("predict takes every data format", {
  xy <- iris_xy()
  set.seed(1)
  net <- neuralnetwork(c(4, 8, 3), xy, 5, 10, 0.5)
  ref <- predict(net, xy$x, type = "raw")
  expect_identical(predict(net, as.data.frame(xy$x), type = "raw"), ref)
  expect_identical(predict(net, xy, type = "raw"), ref)
  expect_identical(predict(net, list(x = xy$x), type = "raw"), ref)
  pairs <- lapply(1:150, function(i) list(matrix(xy$x[i, ]), 1))
  expect_identical(predict(net, pairs, type = "raw"), ref)
  expect_identical(predict(net, xy$x[7, ], type = "raw"), ref[7, , drop = FALSE])
  # a data frame with the training feature names may hold other columns,
  # in any order
  df <- cbind(Species = iris$Species, as.data.frame(xy$x)[4:1])
  expect_identical(predict(net, df, type = "raw"), ref)
  expect_snapshot(error = TRUE, {
    predict(net)
    predict(net, xy$x[, 1:3])
    predict(net, xy$x, type = "response")
    predict(net, xy$x, typ = "prob")
    predict(net, list(a = 1))
    predict(net, "setosa")
  })
})

test_that("binary and regression networks predict sensibly", {
  xy <- iris_xy()
  yes <- factor(ifelse(xy$y == "virginica", "virginica", "other"))
  set.seed(1)
  bin <- neuralnetwork(c(4, 8, 1), list(x = xy$x, y = yes), 30, 10, 1,
                       validation_data = NULL)
  p <- predict(bin, xy$x, type = "prob")
  expect_identical(colnames(p), "virginica")
  cls <- predict(bin, xy$x)
  expect_identical(levels(cls), c("other", "virginica"))
  expect_identical(cls == "virginica", unname(p[, 1] > 0.5))
  expect_gte(mean(cls == yes), 0.9)
  expect_equal(evaluate(bin, list(x = xy$x, y = yes))$accuracy, mean(cls == yes))

  set.seed(1)
  x <- matrix(runif(200, -1, 1), 100, 2)
  y <- sin(2 * x[, 1]) + x[, 2]^2
  reg <- neuralnetwork(c(2, 20, 1), list(x = x, y = y), 200, 10, 0.01, C = "mse",
                       output = "linear", activation = "tanh", optimizer = "adam",
                       validation_data = NULL)
  fit <- predict(reg, x)
  expect_true(is.numeric(fit) && is.null(dim(fit)) && length(fit) == 100L)
  expect_identical(predict(reg, x, type = "prob"), predict(reg, x, type = "raw"))
  e <- evaluate(reg, list(x = x, y = y))
  expect_equal(e$mse, mean((fit - y)^2))
  expect_equal(e$rmse, sqrt(e$mse))
  expect_lt(e$rmse, 0.1)
  expect_equal(e$loss, 0.5 * e$mse)
  expect_output(print(e), "RMSE")
})

test_that("evaluate agrees with predict and the training history", {
  d <- iris_pairs(1)
  set.seed(1)
  for (out in c("sigmoid", "softmax")) {
    net <- neuralnetwork(c(4, 10, 3), d[[1]], 10, 10, 0.5, output = out,
                         validation_data = d[[2]])
    e <- evaluate(net, d[[2]])
    expect_s3_class(e, "nnfs_evaluation")
    actual <- factor(attr(d[[2]], "levels")[vapply(d[[2]], function(p) which.max(p$y), 1L)],
                     levels = net$levels)
    expect_equal(e$accuracy, mean(predict(net, d[[2]]) == actual))
    expect_equal(e$loss, net$history$val_loss[10], tolerance = 1e-12)
    expect_equal(e$accuracy, net$history$val_accuracy[10])
    expect_identical(names(dimnames(e$confusion)), c("predicted", "actual"))
    expect_identical(sum(e$confusion), 45L)
    expect_identical(sum(diag(e$confusion)), as.integer(round(e$accuracy * 45)))
  }
  expect_output(print(e), "accuracy [0-9.]+, mean loss \\(ce\\)")
  expect_snapshot(error = TRUE, {
    evaluate(net, d[[2]][[1]]$x)
    evaluate(net, list(x = iris[, 1:4], y = rep("rose", 150)))
  })
})

test_that("print and summary describe the network", {
  d <- iris_pairs(1)
  set.seed(1)
  net <- neuralnetwork(c(4, 8, 6, 3), d[[1]], 3, 10, 0.5, dropout = c(0.2, 0),
                       activation = c("relu", "tanh"), output = "softmax",
                       validation_data = d[[2]])
  expect_output(print(net), "4-8-6-3, 115 parameters")
  expect_output(print(net), "relu, tanh, softmax; cost \"ce\"")
  expect_output(print(net), "epoch 3: training loss [0-9.]+, accuracy [0-9.]+; validation")
  s <- summary(net)
  expect_s3_class(s, "summary.nnfs_network")
  expect_identical(s$layers$type, c("dense", "dropout", "dense", "dense"))
  expect_identical(s$layers$parameters, c(40, 0, 54, 21))
  expect_identical(s$layers$activation, c("relu", "rate 0.2", "tanh", "softmax"))
  expect_identical(s$parameters, 115)
  expect_output(print(s), "Total parameters: 115")
  expect_output(print(s), "Epoch 3 \\(the parameters kept\\): training loss")
  expect_output(print(s), "Validation loss [0-9.]+, accuracy")
})

test_that("coef gives each layer's W and b", {
  net <- small_net()
  cf <- coef(net)
  expect_named(cf, c("layer1", "layer2"))
  expect_identical(cf$layer1$W, net$weights[[1]])
  expect_identical(cf$layer2$b, net$biases[[2]])
})

test_that("plot draws the history and returns the network invisibly", {
  d <- iris_pairs(1)
  set.seed(1)
  net <- neuralnetwork(c(4, 8, 3), d[[1]], 25, 10, 0.5, validation_data = d[[2]])
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  res <- withVisible(plot(net))
  expect_false(res$visible)
  expect_identical(res$value, net)
  expect_identical(graphics::par("mfrow"), c(1L, 1L))
  nov <- neuralnetwork(c(4, 8, 3), d[[1]], 3, 10, 0.5, validation_data = NULL)
  expect_invisible(plot(nov))
})

test_that("a saved network predicts the same after readRDS", {
  d <- iris_pairs(1)
  set.seed(1)
  net <- neuralnetwork(c(4, 8, 3), d[[1]], 5, 10, 0.5, dropout = 0.1)
  path <- tempfile(fileext = ".rds")
  saveRDS(net, path)
  back <- readRDS(path)
  unlink(path)
  expect_identical(back, net)
  expect_identical(predict(back, d[[2]], "raw"), predict(net, d[[2]], "raw"))
  expect_identical(predict(back, d[[2]]), predict(net, d[[2]]))
  more <- neuralnetwork(c(4, 8, 3), d[[1]], 2, 10, 0.5, dropout = 0.1, warm_start = back)
  expect_identical(nrow(more$history), 7L)
})
