# grad_check(): backpropagated gradients against finite differences, for
# every activation, output and cost the engine has.

# A 5-6-5-4-3 network with the given hidden activation, output and cost,
# with its data: 4 samples.
check_case <- function(act, output, cost) {
  kind <- if (output == "softmax") "onehot" else if (cost == "ce") "unit" else "real"
  d <- random_data(4, 5, 3, kind)
  net <- neuralnetwork(c(5, 6, 5, 4, 3), d, 1, 4, 0.01, C = cost,
                       activation = act, output = output, slope = 0.2,
                       validation_data = NULL)
  grad_check(net, d$x, d$y)
}

test_that("backpropagation matches finite differences everywhere", {
  # Relative errors are below 1e-6 wherever the gradient is not tiny. On
  # gradients below about 1e-5 (deep in sigmoid stacks, or at saturated
  # outputs) the finite differences' own rounding, about 1e-11 in absolute
  # terms, can make the relative error exceed 1e-6 (in about one network
  # in ten), so tiny gradients are held to an absolute bound instead.
  set.seed(1)
  cases <- expand.grid(act = c("linear", "sigmoid", "tanh", "relu", "leaky_relu"),
                       output = c("sigmoid", "softmax", "linear"),
                       cost = c("ce", "mse"), stringsAsFactors = FALSE)
  cases <- cases[!(cases$cost == "ce" & cases$output == "linear"), ]
  for (i in seq_len(nrow(cases))) {
    g <- check_case(cases$act[i], cases$output[i], cases$cost[i])
    big <- abs(g$details$backprop) > 1e-4
    expect_lt(max(g$details$rel_error[big]), 1e-6)
    expect_lt(g$max_abs_error, 1e-9)
    expect_lt(g$max_rel_error, 1e-4)
    expect_identical(g$n_checked, 30L + 6L + 30L + 5L + 20L + 4L + 12L + 3L)
  }
})

test_that("the check covers dropout networks and a layer per row", {
  set.seed(2)
  d <- random_data(4, 5, 3)
  net <- neuralnetwork(c(5, 6, 5, 3), d, 1, 4, 0.01, dropout = 0.5,
                       output = "softmax", validation_data = NULL)
  g <- grad_check(net, d)
  expect_lt(g$max_rel_error, 1e-6)
  expect_identical(g$by_layer$layer, rep(1:3, each = 2))
  expect_identical(g$by_layer$parameter, rep(c("W", "b"), 3))
  expect_identical(g$by_layer$checked, c(30L, 6L, 30L, 5L, 15L, 3L))
  expect_equal(max(g$by_layer$max_rel_error), g$max_rel_error)
  expect_equal(g$details$backprop, g$details$numeric, tolerance = 1e-6)
})

test_that("data formats and a random subset of parameters", {
  set.seed(3)
  xy <- iris_xy(c(1:3, 51:53, 101:103))
  net <- neuralnetwork(c(4, 7, 3), xy, 2, 3, 0.5, validation_data = NULL)
  full <- grad_check(net, xy$x, xy$y)
  expect_identical(grad_check(net, xy), full)
  pairs <- lapply(1:9, function(i) list(xy$x[i, ], diag(3)[as.integer(xy$y[i]), ]))
  expect_equal(grad_check(net, pairs)$details, full$details)
  set.seed(9)
  sub <- grad_check(net, xy, n_params = 10)
  set.seed(9)
  expect_identical(grad_check(net, xy, n_params = 10), sub)
  expect_identical(sub$n_checked, 10L)
  expect_identical(sub$n_params, 4L * 7L + 7L + 7L * 3L + 3L)
  expect_true(all(sub$details$rel_error %in% full$details$rel_error))
  expect_identical(grad_check(net, xy, n_params = 1000)$n_checked, sub$n_params)
})

test_that("the check notices wrong gradients", {
  # a coarse step makes the finite differences themselves wrong
  set.seed(4)
  d <- random_data(6, 5, 3)
  net <- neuralnetwork(c(5, 6, 3), d, 1, 6, 0.01, activation = "tanh",
                       output = "softmax", validation_data = NULL)
  expect_gt(grad_check(net, d, eps = 0.5)$max_rel_error, 1e-4)
})

test_that("grad_check prints a report", {
  set.seed(5)
  d <- random_data(4, 3, 2)
  net <- neuralnetwork(c(3, 4, 2), d, 1, 4, 0.1, output = "softmax",
                       validation_data = NULL)
  g <- grad_check(net, d)
  expect_output(print(g), "Gradient check of 26 of 26 parameters")
  expect_output(print(g), "backpropagation agrees with finite differences")
  expect_snapshot(error = TRUE, {
    grad_check(d, d$x, d$y)
    grad_check(net)
    grad_check(net, d$x)
    grad_check(net, d, eps = 0)
    grad_check(net, d, n_params = 0)
    grad_check(net, d$x[, 1:2], d$y)
  })
})
