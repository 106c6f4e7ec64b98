# The layer kinds added through the engine's table (src/layers.c):
# average pooling and batch normalisation, each checked against plain R
# and by finite differences.

# n random images of h x w x ch (n x h x w, or n x h x w x ch)
random_images <- function(n, h, w = h, ch = 1) {
  d <- if (ch == 1) c(n, h, w) else c(n, h, w, ch)
  array(rnorm(n * h * w * ch), d)
}

# Average pooling of one h x w x ch image (an array) in plain R: windows
# of p x p moving by p.
r_avgpool <- function(img, p) {
  d <- dim(img)
  if (length(d) == 2L) d <- c(d, 1L)
  img <- array(img, d)
  out <- array(0, c(d[1] / p, d[2] / p, d[3]))
  for (c in seq_len(d[3])) for (ox in seq_len(d[2] / p)) for (oy in seq_len(d[1] / p))
    out[oy, ox, c] <- mean(img[(oy - 1) * p + 1:p, (ox - 1) * p + 1:p, c])
  out
}

# The output of the first `upto` layers of a network for samples x (rows)
first_layers <- function(net, x, upto = 1L) {
  engine_predict(net$layers[seq_len(upto)], network_params(net)[seq_len(upto)],
                 flatten_samples(x))
}

test_that("average pooling is the mean of each window, per channel", {
  set.seed(1)
  imgs <- random_images(5, 6, 6, 3)
  y <- factor(sample(letters[1:3], 5, TRUE))
  for (p in 2:3) {
    net <- cnn(list(layer_avgpool2d(p), layer_flatten(), layer_dense(3, "softmax")),
               list(x = imgs, y = y), 1, 5, 0.1)
    got <- first_layers(net, imgs)
    want <- t(vapply(1:5, function(i) as.vector(r_avgpool(imgs[i, , , ], p)),
                     numeric(3 * (6 / p)^2)))
    expect_equal(got, want, tolerance = 1e-14)
  }
  expect_identical(net$layers[[1]]$kind, "avgpool2d")
  expect_null(network_params(net)[[1]])
  expect_output(print(layer_avgpool2d(3)), "avgpool2d: 3x3")
})

test_that("average pooling backpropagates its gradient (grad_check)", {
  set.seed(2)
  imgs <- random_images(6, 8)
  y <- factor(sample(letters[1:3], 6, TRUE))
  net <- cnn(list(layer_conv2d(3, 3, "tanh"), layer_avgpool2d(3), layer_flatten(),
                  layer_dense(3, "softmax")),
             list(x = imgs, y = y), 1, 3, 0.1)
  gc <- grad_check(net, list(x = imgs, y = y))
  expect_lt(gc$max_rel_error, 1e-6)
  expect_setequal(gc$by_layer$parameter, c("W", "b"))
})

test_that("average pooling refuses what it cannot pool", {
  imgs <- random_images(4, 5)
  y <- factor(c("a", "b", "a", "b"))
  expect_error(cnn(list(layer_avgpool2d(2), layer_flatten(), layer_dense(2, "softmax")),
                   list(x = imgs, y = y), 1, 2, 0.1), "does not divide")
  expect_error(cnn(list(layer_flatten(), layer_avgpool2d(2), layer_dense(2, "softmax")),
                   list(x = imgs, y = y), 1, 2, 0.1), "needs an image")
  expect_error(layer_avgpool2d(0), "pool_size")
})
