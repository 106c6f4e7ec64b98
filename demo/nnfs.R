# The articles' experiments with nnfs, each next to a reference.
library(nnfs)

## 1. Linear regression: closed form and gradient descent against lm()
set.seed(1234567)
x <- runif(100, -5, 5)
y <- x + rnorm(100) + 3
rbind(ols = coef(linear_reg(x, y)),
      gd = coef(linear_reg(x, y, method = "gd", epochs = 200, lr = 0.1)),
      lm = coef(lm(y ~ x)))

## 2. Logistic regression on two iris species against glm()
flowers <- iris[51:150, ]
# both columns divided by the largest value among them (7.9), which is the
# scaling that gives the article's coefficients -39.84, -31.73, 105.17
X <- flowers[, c("Sepal.Length", "Petal.Length")]
X <- X / max(X)
is_virginica <- as.numeric(flowers$Species == "virginica")
t_c <- system.time(fit <- logistic_reg(X, is_virginica, epochs = 300000, lr = 5))
ref <- glm(is_virginica ~ Sepal.Length + Petal.Length, family = binomial, data = X)
rbind(nnfs = coef(fit), glm = coef(ref))
c(nnfs = as.numeric(logLik(fit)), glm = as.numeric(logLik(ref)))
cat(sprintf("300000 epochs of gradient descent took %.2f s\n", t_c[["elapsed"]]))

## 3. Softmax regression on three overlapping clusters against nnet::multinom()
set.seed(42)
blobs <- make_blobs(300, centers = 3, sd = 0.5)
smax <- softmax_reg(blobs[, c("x1", "x2")], blobs$y, epochs = 5000, lr = 1,
                    verbose = FALSE)
mn <- nnet::multinom(y ~ x1 + x2, data = blobs, trace = FALSE, maxit = 1000)
cat(sprintf("largest difference in fitted probabilities: %.1e\n",
            max(abs(predict(smax, blobs[, c("x1", "x2")], type = "prob") -
                    predict(mn, blobs, type = "probs")))))

## 4. The articles' network on iris: sizes c(4, 40, 3), 30 epochs
set.seed(1)
d <- train_test_from_df(iris, 5, 0.7)
net <- neuralnetwork(c(4, 40, 3), d[[1]], 30, 10, 0.5, validation_data = d[[2]])
evaluate(net, d[[2]])

## 5. Handwritten digits, 64-200-10, softmax output
set.seed(1)
dd <- train_test_from_df(digits, 65, 0.8)
t_d <- system.time(dnet <- neuralnetwork(c(64, 200, 10), dd[[1]], 30, 10, 0.1,
                                         output = "softmax",
                                         validation_data = dd[[2]]))
evaluate(dnet, dd[[2]])
cat(sprintf("30 epochs on %d digits took %.2f s\n", length(dd[[1]]), t_d[["elapsed"]]))

## 6. The same network as R users call models: a formula, predict() on raw rows
set.seed(1)
fit <- neuralnetwork(Species ~ ., data = iris, hidden = 10, validation_split = 0.2)
fit
table(predicted = predict(fit, iris), actual = iris$Species)
