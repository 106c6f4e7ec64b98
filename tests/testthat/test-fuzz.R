# Fuzz test of every exported function: thousands of calls that start from a
# valid call and corrupt one or two arguments (wrong types, NA/NaN/Inf, empty
# or one-row data, mismatched sizes, bad counts, malformed pair lists, edited
# model objects, impossible layer sequences). Each call must end in a result
# or an R error; an "internal error" from C means the R checks missed a case.
#
# The harness (everything above the test_that() block) is also what
# tools/fuzz.R runs for long runs: it parses this file and evaluates only the
# assignments of `fuzz_*` and `run_fuzz`, so there is one copy of the code.

# Mutations that reach known bugs in the package (see tools/fuzz-results.md).
# The generator leaves them out unless run_fuzz(include_known = TRUE). The
# edited-model and make_blobs() cases found by the first runs are fixed
# (check_network() in R/train.R, geometry checks in src/glue_train.c).
fuzz_known_bugs <- character(0)

# Bad values for any argument. Counts that would make a valid call run for
# long (huge epochs or sample sizes) are in fuzz_huge, used only where an
# argument's size does not set the amount of work.
fuzz_bad_values <- function() {
  list(NULL, NA, NA_real_, NA_integer_, NA_character_, NaN, Inf, -Inf, -1,
       0, 0.5, -0.5, 1e-300, "a", c("a", "b"), "", TRUE, FALSE, c(TRUE, NA),
       list(), list(1, 2), list(x = 1), function(x) x, factor(c("a", "b")),
       factor(character(0)), integer(0), numeric(0), character(0), 1:3,
       c(1, NA), c(2, 3.5), matrix(numeric(0), 0, 2), matrix(NA_real_, 2, 2),
       matrix("a", 2, 2), data.frame(), data.frame(a = 1),
       data.frame(a = c("u", "v")), methods::getClass("numeric"),
       new.env(), quote(x), as.raw(1:2), 1i, array(1, c(1, 1, 1, 1, 1)),
       structure(1, class = "weird"), Sys.Date())
}

fuzz_huge <- function() {
  list(.Machine$integer.max, .Machine$integer.max + 1, 2^31, 1e15, 1e300,
       -.Machine$integer.max)
}

fuzz_pick <- function(lst) lst[[sample.int(length(lst), 1L)]]

# ---- fixtures ---------------------------------------------------------------

# Small valid data and fitted models the generators start from.
fuzz_fixtures <- function() {
  x <- matrix(c(0.1, 0.9, 0.2, 0.8, 0.7, 0.3, 0.6, 0.4), 4, 2)
  y <- factor(c("a", "b", "a", "b"))
  imgs <- array(seq(0, 1, length.out = 64), c(4, 4, 4))
  cnn_layers <- list(layer_conv2d(2, 2), layer_maxpool2d(1), layer_flatten(),
                     layer_dense(2, "softmax"))
  # the kinds with tensors of their own (batchnorm) and average pooling
  bn_layers <- list(layer_conv2d(2, 2, padding = "same"), layer_batchnorm(),
                    layer_avgpool2d(2), layer_flatten(), layer_batchnorm(0.8),
                    layer_dense(2, "softmax"))
  dir <- tempfile("fuzz")
  dir.create(dir)
  f <- list(x = x, y = y, yn = c(0.5, 1, 1.5, 2), y01 = c(0, 1, 0, 1),
            imgs = imgs, cnn_layers = cnn_layers, bn_layers = bn_layers,
            dir = dir,
            df = data.frame(a = c(1, 2, 3, 4, 5), b = c(5, 3, 1, 2, 4),
                            cls = factor(c("u", "v", "u", "v", "u"))))
  f$net <- neuralnetwork(c(2, 3, 2), list(x = x, y = y), 1, 2, 0.1)
  f$pairs <- lapply(1:4, function(i) list(x = x[i, ], y = diag(2)[, as.integer(y[i])]))
  f$frame <- data.frame(a = x[, 1], b = x[, 2], y = y)
  f$net_reg <- neuralnetwork(c(2, 2, 1), list(x = x, y = f$yn), 1, 2, 0.1,
                             C = "mse", output = "linear")
  f$cnn <- cnn(cnn_layers, list(x = imgs, y = y), 1, 2, 0.1)
  f$cnn_bn <- cnn(bn_layers, list(x = imgs, y = y), 1, 2, 0.1, optimizer = "adam")
  # networks trained (and predicting) in single precision
  f$net_single <- neuralnetwork(c(2, 3, 2), list(x = x, y = y), 1, 2, 0.1,
                                precision = "single")
  f$cnn_single <- cnn(bn_layers, list(x = imgs, y = y), 1, 2, 0.1,
                      precision = "single")
  f$lin <- linear_reg(x, f$yn)
  f$logit <- logistic_reg(x, f$y01, 2, 0.1, verbose = FALSE)
  f$soft <- softmax_reg(x, y, 2, 0.1, verbose = FALSE)
  f$logit_single <- logistic_reg(x, f$y01, 2, 0.1, verbose = FALSE,
                                 optimizer = "adam", l2 = 0.1, precision = "single")
  f
}

# Bad values of `precision`: the two good ones are sampled by the calls.
fuzz_bad_precision <- function() {
  fuzz_pick(list("float", "Single", "half", c("double", "single"), NA_character_,
                 "", 32, TRUE, NULL, list("single"), factor("single")))
}

# ---- corruptions --------------------------------------------------------------

# Bad data for a network: list(x = , y = ) or pair lists gone wrong.
fuzz_bad_data <- function(f) {
  x <- f$x; y <- f$y
  pairs <- lapply(1:4, function(i) list(x[i, ], y[i]))
  fuzz_pick(list(
    list(x = x[1, , drop = FALSE], y = y[1]),
    list(x = x[0, , drop = FALSE], y = y[0]),
    list(x = x, y = y[1:3]),
    list(x = x[, 1], y = y),
    list(x = cbind(x, 1), y = y),
    list(x = replace(x, 2, NA), y = y),
    list(x = replace(x, 3, Inf), y = y),
    list(x = x, y = replace(y, 2, NA)),
    list(x = x, y = c(1, 2, NaN, 1)),
    list(x = x, y = c(-1, 5, 2, 7)),
    list(x = x, y = matrix(1, 4, 3)),
    list(x = x, y = list(1, 2, 3, 4)),
    list(x = "a", y = y),
    list(x = as.data.frame(x), y = y),
    list(x = data.frame(a = letters[1:4], b = 1:4), y = y),
    list(x = x, y = y, z = 1),
    list(x = x),
    list(y = y),
    pairs[-1],
    pairs[1],
    c(pairs, list(list(1, "a"))),
    c(pairs, list(list(c(1, 2, 3), "a"))),
    c(pairs, list(list(NULL, "a"))),
    c(pairs, list(list(1))),
    lapply(pairs, function(p) list(p[[1]], p[[2]], 3)),
    lapply(pairs, function(p) list(as.character(p[[1]]), p[[2]])),
    lapply(pairs, function(p) list(p[[1]], numeric(0))),
    list(list(x = list(1, 2), y = 1)),
    f$imgs,
    list(x = f$imgs, y = y),
    list(x = array(NA_real_, c(4, 4, 4)), y = y),
    fuzz_pick(fuzz_bad_values())))
}

# An edited network: fields removed or changed. `kind` names the mutation.
fuzz_edit_model <- function(net, kind) {
  j <- sample.int(length(net$weights), 1L)
  l <- sample.int(length(net$layers), 1L)
  switch(kind,
    model_fields = {
      field <- sample(c("levels", "task", "features", "settings",
                        "history", "sizes", "best_epoch"), 1L)
      if (runif(1) < 0.5) net[field] <- list(NULL) else
        net[[field]] <- fuzz_pick(fuzz_bad_values()[-1L])
    },
    model_class = {
      class(net) <- fuzz_pick(list("nnfs_network", "nnfs_cnn", "list",
                                   c("nnfs_network", "nnfs_cnn")))
    },
    model_weights = {
      w <- net$weights[[j]]
      net$weights[[j]] <- fuzz_pick(list(if (is.matrix(w)) w[, -1, drop = FALSE]
                                         else w[-1], rbind(w, 1), NULL, "a",
                                         as.integer(w), numeric(0)))
      if (runif(1) < 0.3) net$biases[[j]] <- c(net$biases[[j]], 1)
      if (runif(1) < 0.2) net$weights <- net$weights[-j]
    },
    model_layers = {
      if (length(net$layers) > 1L && runif(1) < 0.5) {
        net$layers <- rev(net$layers)
      } else if (runif(1) < 0.5) {
        net$layers <- net$layers[-l]
      } else {
        net$layers[[l]][[sample(c("kind", "n_in", "n_out", "slope", "rate"), 1L)]] <-
          fuzz_pick(list(NULL, -1L, 0L, 99L, "a", c(1L, 2L)))
      }
    },
    model_input_dim = {
      net$input_dim <- fuzz_pick(list(NULL, 0L, 1L, c(2L, 2L), "a"))
    },
    model_act = {
      net$layers[[l]]$act <- fuzz_pick(list(-1L, 6L, 99L, NA_integer_))
    },
    model_nonfinite = {
      w <- net$weights[[j]]
      w[sample.int(length(w), 1L)] <- fuzz_pick(list(NA, NaN, Inf, -Inf, 1e308))
      net$weights[[j]] <- w
    },
    model_geom = {
      g <- which(!vapply(net$layers, function(s) is.null(s$geom), NA))
      if (length(g)) {
        i <- g[sample.int(length(g), 1L)]
        net$layers[[i]]$geom[sample.int(11L, 1L)] <- fuzz_pick(list(0L, -1L, 50L))
      }
    },
    # batch normalisation's tensors (gamma, beta, running statistics) and
    # its settings
    model_tensors = {
      t <- which(!vapply(if (is.list(net$tensors)) net$tensors else list(),
                          is.null, NA))
      if (!length(t)) {
        net$tensors <- fuzz_pick(list(list(), list(NULL), "a",
                                      rep(list(NULL), length(net$layers))))
      } else {
        i <- t[sample.int(length(t), 1L)]
        nm <- sample(names(net$tensors[[i]]), 1L)
        v <- net$tensors[[i]][[nm]]
        k <- sample.int(length(v), 1L)
        r <- runif(1)
        if (r < 0.15) {
          net$tensors[[i]][nm] <- list(NULL)
        } else if (r < 0.3) {
          net$tensors[[i]][[nm]] <- fuzz_pick(list(v[-1], c(v, 1), as.integer(v),
                                                   "a", numeric(0)))
        } else if (r < 0.4) {
          names(net$tensors[[i]])[names(net$tensors[[i]]) == nm] <- "zz"
        } else if (r < 0.5) {
          net$tensors <- net$tensors[-i]
        } else if (r < 0.6) {
          net$layers[[i]][[sample(c("eps", "momentum"), 1L)]] <-
            fuzz_pick(list(NULL, -1, 0, 2, NA_real_, Inf, "a", c(1, 2)))
        } else {
          # finite values large enough to overflow the arithmetic of a
          # forward pass (a scale of 1e308) give non-finite outputs by IEEE
          # rules, not through a missing check: 1e308 only goes into the
          # running variance (a divisor), where it tests the range of
          # single precision
          v[k] <- fuzz_pick(list(NA, NaN, Inf, -Inf, -1, 0, -1e-300, 1e-300, 1e10,
                                 if (nm == "running_var") 1e308 else -1e10))
          net$tensors[[i]][[nm]] <- v
        }
      }
    },
    # the settings the engine reads: the precision and the cost
    model_settings = {
      if (runif(1) < 0.5) {
        net$settings$precision <- fuzz_pick(list(NULL, "single", "double",
                                                 fuzz_bad_precision()))
      } else {
        net$settings$C <- fuzz_pick(list(NULL, "mse", "ce", "zz", NA_character_,
                                         c("ce", "mse"), 1, factor("ce")))
      }
    })
  net
}

fuzz_model_kinds <- function(include_known) {
  kinds <- c("model_fields", "model_class", "model_weights", "model_layers",
             "model_act", "model_nonfinite", "model_geom", "model_input_dim",
             "model_tensors", "model_settings")
  if (include_known) kinds else setdiff(kinds, fuzz_known_bugs)
}

# Impossible or malformed layer lists for cnn().
fuzz_bad_layers <- function(f) {
  fuzz_pick(list(
    list(),
    list(layer_dense(2)),
    list(layer_flatten(), layer_conv2d(1, 2), layer_dense(2, "softmax")),
    list(layer_conv2d(1, 9), layer_flatten(), layer_dense(2, "softmax")),
    list(layer_conv2d(1, 2, padding = "same", stride = 3), layer_flatten(),
         layer_dense(2, "softmax")),
    list(layer_conv2d(1, 2, stride = .Machine$integer.max, padding = "same"),
         layer_flatten(), layer_dense(2, "softmax")),
    list(layer_conv2d(1, c(1, 4), stride = 3, padding = "same"),
         layer_maxpool2d(2), layer_flatten(), layer_dense(2, "softmax")),
    list(layer_maxpool2d(3), layer_flatten(), layer_dense(2, "softmax")),
    list(layer_maxpool2d(c(1, 2)), layer_flatten(), layer_dense(2, "softmax")),
    list(layer_conv2d(1, 2), layer_dense(2, "softmax")),
    list(layer_conv2d(1, 2), layer_flatten()),
    list(layer_flatten(), layer_dense(3, "softmax"), layer_dense(2, "softmax")),
    list(layer_flatten(), layer_dense(2, "softmax"), layer_dropout(0.5)),
    list(layer_flatten(), layer_dropout(0.5), layer_dense(2, "sigmoid")),
    list(layer_flatten(), layer_dense(1, "sigmoid")),
    list(layer_flatten(), layer_dense(3, "softmax")),
    list(layer_flatten(), layer_dense(2, "relu")),
    list(layer_conv2d(1, 1), 1, layer_dense(2, "softmax")),
    list(layer_batchnorm()),
    list(layer_batchnorm(), layer_dense(2, "softmax")),
    list(layer_flatten(), layer_dense(2, "softmax"), layer_batchnorm()),
    list(layer_flatten(), layer_avgpool2d(2), layer_dense(2, "softmax")),
    list(layer_avgpool2d(3), layer_flatten(), layer_dense(2, "softmax")),
    list(layer_avgpool2d(c(1, 2)), layer_flatten(), layer_dense(2, "softmax")),
    list(layer_avgpool2d(4), layer_avgpool2d(2), layer_flatten(),
         layer_dense(2, "softmax")),
    list(layer_avgpool2d(4), layer_batchnorm(), layer_flatten(),
         layer_dense(2, "softmax")),
    list(layer_batchnorm(), layer_batchnorm(0, 1e-300), layer_flatten(),
         layer_batchnorm(1), layer_dense(2, "softmax")),
    list(layer_conv2d(1, 4, stride = 4), layer_batchnorm(), layer_flatten(),
         layer_dense(2, "softmax")),
    list(layer_flatten(), layer_dropout(0.5), layer_batchnorm(),
         layer_dense(3, "relu"), layer_batchnorm(), layer_dense(2, "softmax")),
    c(f$bn_layers[-1], f$bn_layers[1]),
    layer_batchnorm(),
    layer_dense(2),
    c(f$cnn_layers, list(NULL)),
    rev(f$cnn_layers),
    fuzz_pick(fuzz_bad_values())))
}

# ---- the calls --------------------------------------------------------------

# A valid call to each function: list(fun, args, huge = args that may take
# huge counts, special = list(arg = function() bad value) for arguments with
# their own corruptions). Each generator returns one such call.
fuzz_calls <- function(f, include_known) {
  model <- function(net) function() {
    fuzz_edit_model(net, sample(fuzz_model_kinds(include_known), 1L))
  }
  data <- function() fuzz_bad_data(f)
  # An IDX file: random bytes, a random header, or a valid file of `dims`
  # unsigned bytes (with `damage`, maybe cut short or extended).
  idx_file <- function(dims = sample(1:3, sample(1:3, 1L), replace = TRUE),
                       valid = runif(1) < 0.3, damage = TRUE) {
    path <- tempfile("idx", f$dir)
    if (valid) {
      bytes <- c(as.raw(c(0, 0, 8, length(dims))),
                 writeBin(as.integer(dims), raw(), endian = "big"),
                 as.raw(sample(0:255, prod(dims), replace = TRUE)))
      if (damage && runif(1) < 0.2) bytes <- bytes[-length(bytes)]
      if (damage && runif(1) < 0.1) bytes <- c(bytes, as.raw(0))
      writeBin(bytes, path)
      return(path)
    }
    n <- sample(0:40, 1L)
    bytes <- as.raw(sample(0:255, n, replace = TRUE))
    if (n >= 4L && runif(1) < 0.7) {
      bytes[1:2] <- as.raw(0)
      bytes[3] <- as.raw(sample(c(8, 9, 11:14, 1), 1L))
      bytes[4] <- as.raw(sample(0:4, 1L))
    }
    writeBin(bytes, path)
    path
  }
  mnist_dir <- function() {
    d <- tempfile("mnist", f$dir)
    dir.create(d)
    stems <- c("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    n <- sample(1:3, 1L)
    good <- runif(1) < 0.5 # four valid files of n samples, else anything
    for (s in if (good) stems else sample(stems, sample(0:4, 1L))) {
      dims <- if (grepl("images", s)) c(n, 2L, 2L) else n
      if (!good && runif(1) < 0.3) dims <- sample(1:3, sample(1:3, 1L), replace = TRUE)
      path <- if (good) idx_file(dims, valid = TRUE, damage = FALSE) else
        idx_file(dims, valid = runif(1) < 0.7)
      file.copy(path, file.path(d, s))
    }
    d
  }
  mat_list <- function() fuzz_pick(list(
    list(), list(matrix(1, 2, 2), matrix(1, 3, 3)), list(matrix(1, 2, 2), "a"),
    list(matrix(NA_real_, 2, 2)), list(matrix(numeric(0), 0, 0)),
    array(1, c(2, 2, 0)), array(1, c(2, 2, 3)), list(matrix(Inf, 2, 2)),
    list(matrix(TRUE, 1, 1)), fuzz_pick(fuzz_bad_values())))
  nets <- list(f$net, f$net_reg, f$cnn, f$cnn_bn, f$net_single, f$cnn_single)
  a_net <- function() nets[[sample.int(length(nets), 1L)]]
  a_cnn <- function() fuzz_pick(list(f$cnn, f$cnn_bn, f$cnn_single))
  precision <- function() sample(c("double", "single"), 1L)
  # the settings of gradient descent the regressions share with networks
  gd_args <- function() list(optimizer = sample(c("sgd", "adam", "rmsprop",
                                                  "nesterov", "momentum"), 1L),
                             l1 = sample(c(0, 0.01), 1L), l2 = sample(c(0, 0.1), 1L),
                             patience = if (runif(1) < 0.3) 2,
                             validation_split = sample(c(0, 0, 0.25, 0.5), 1L),
                             precision = precision())
  gd_special <- list(optimizer = function() fuzz_pick(list("SGD", "lbfgs",
                       c("sgd", "adam"), NA_character_, "")),
                     precision = fuzz_bad_precision,
                     validation_split = function() fuzz_pick(list(0.99, 0.75, 1,
                       1 - 1e-12, 1e-12, -0.1)),
                     patience = function() fuzz_pick(list(0, 1, 1.5, -2, 1e9)))
  list(
    neuralnetwork = function() list(args = list(
      sizes = c(2, 3, 2), training_data = list(x = f$x, y = f$y), epochs = 1,
      mini_batch_size = 2, lr = 0.1, C = "ce", validation_data = NULL,
      activation = "sigmoid", output = "sigmoid", init = "xavier",
      optimizer = sample(c("sgd", "adam", "rmsprop", "nesterov"), 1L),
      dropout = 0, l2 = 0, patience = NULL, warm_start = NULL,
      precision = precision()),
      huge = c("mini_batch_size", "patience", "slope", "l1", "l2", "epsilon"),
      special = list(training_data = data, validation_data = data,
                     warm_start = model(fuzz_pick(list(f$net, f$net_single))),
                     precision = fuzz_bad_precision,
                     sizes = function() fuzz_pick(list(c(2, 2), c(2, 0, 2),
                       c(3, 3, 2), c(2, 3, 1), c(2, 3, 4), 2, c(2, NA, 2))))),
    cnn = function() {
      bn <- runif(1) < 0.5
      list(args = list(
        layers = if (bn) f$bn_layers else f$cnn_layers,
        training_data = list(x = f$imgs, y = f$y),
        epochs = 1, mini_batch_size = 2, lr = 0.1, C = "ce",
        validation_data = NULL,
        optimizer = sample(c("sgd", "adam", "momentum"), 1L), warm_start = NULL,
        precision = precision(), l2 = sample(c(0, 0.01), 1L),
        validation_split = sample(c(0, 0.5), 1L)),
        huge = c("mini_batch_size", "l2"),
        special = list(layers = function() fuzz_bad_layers(f),
                       training_data = data, validation_data = data,
                       precision = fuzz_bad_precision,
                       validation_split = gd_special$validation_split,
                       warm_start = model(if (bn) fuzz_pick(list(f$cnn_bn, f$cnn_single))
                                          else f$cnn)))
    },
    layer_conv2d = function() list(args = list(filters = 2, kernel_size = 3,
      activation = "relu", stride = 1, padding = "same"),
      huge = c("filters", "kernel_size", "stride")),
    layer_maxpool2d = function() list(args = list(pool_size = 2),
                                      huge = "pool_size"),
    layer_avgpool2d = function() list(args = list(pool_size = 2),
                                      huge = "pool_size"),
    layer_batchnorm = function() list(args = list(momentum = 0.9, epsilon = 1e-5),
                                      huge = "epsilon"),
    layer_flatten = function() list(args = list()),
    layer_dense = function() list(args = list(units = 2, activation = "relu"),
                                  huge = "units"),
    layer_dropout = function() list(args = list(rate = 0.5)),
    predict = function() list(args = list(object = a_net(), newdata = f$x,
      type = "prob"), special = list(object = model(a_net()), newdata = data)),
    evaluate = function() list(args = list(x = f$net,
      data = list(x = f$x, y = f$y)),
      special = list(x = model(f$net), data = data)),
    # the tutorial's helpers, on the biases and weights of a network
    evaluate_pairs = function() list(args = list(x = f$pairs,
      biases = f$net[[1]], weights = f$net[[2]]),
      special = list(x = data, biases = mat_list, weights = mat_list)),
    feedforward = function() list(args = list(a = f$x[1, ], biases = f$net[[1]],
      weights = f$net[[2]], all = TRUE),
      special = list(a = data, biases = mat_list, weights = mat_list)),
    get_predictions = function() list(args = list(test_X = lapply(f$pairs, `[[`, 1L),
      biases = f$net[[1]], weights = f$net[[2]]),
      special = list(test_X = data, biases = mat_list, weights = mat_list)),
    # the formula and x/y doors
    nn_formula = function() list(args = list(sizes = y ~ ., training_data = f$frame,
      hidden = 2, epochs = 1, validation_split = 0),
      huge = c("hidden", "epochs"),
      special = list(sizes = function() fuzz_pick(list(y ~ nothing, ~ a, y ~ a + b,
        a ~ ., y ~ log(a))), training_data = function() fuzz_pick(list(
          f$frame[0, ], f$frame[1, ], f$frame[, 1, drop = FALSE],
          transform(f$frame, y = "u"), transform(f$frame, a = NA))))),
    nn_xy = function() list(args = list(x = f$frame[c("a", "b")], y = f$frame$y,
      hidden = 2, epochs = 1), huge = c("hidden", "epochs"),
      special = list(x = data, y = function() fuzz_pick(list(f$y[1:3], f$yn,
        factor(rep("a", 4)), as.list(f$y))))),
    summary = function() list(args = list(object = a_net()),
                              special = list(object = model(a_net()))),
    print = function() list(args = list(x = a_net()),
                            special = list(x = model(a_net()))),
    coef = function() list(args = list(object = a_net()),
                           special = list(object = model(a_net()))),
    plot = function() list(args = list(x = a_net()),
                           special = list(x = model(a_net()))),
    grad_check = function() list(args = list(net = fuzz_pick(list(f$net,
      f$net_single)), x = f$x, y = f$y, eps = 1e-5, n_params = 3),
      huge = c("n_params", "eps"),
      special = list(net = model(fuzz_pick(list(f$net, f$net_single))), x = data)),
    backprop_trace = function() list(args = list(net = a_net(), x = f$x, y = f$y),
      special = list(net = model(a_net()), x = data,
                     y = function() fuzz_pick(list(f$yn, f$y01, f$y[1:3], f$df)))),
    # gradient descent's settings go with method = "gd" (least squares
    # refuses them)
    linear_reg = function() {
      gd <- runif(1) < 0.7
      list(args = c(list(X = f$x, y = f$yn, method = if (gd) "gd" else "ols",
                         epochs = 2, lr = 0.1), if (gd) gd_args()),
           special = c(list(X = function() fuzz_pick(list(f$x[1, , drop = FALSE],
             cbind(f$x, f$x[, 1]), matrix(1, 4, 6), f$x[0, ]))), gd_special),
           huge = c("lr", "l1", "l2", "patience"))
    },
    logistic_reg = function() list(args = c(list(X = f$x, y = f$y01, epochs = 2,
      lr = 0.1, verbose = FALSE), gd_args()), huge = c("lr", "l1", "l2", "patience"),
      special = c(list(y = function() fuzz_pick(list(c(0, 1, 2, 1), f$y[1:3],
        factor(c("a", "a", "a", "a")), c(TRUE, FALSE, NA, TRUE),
        factor(c("a", "b", "c", "a"))))), gd_special)),
    softmax_reg = function() list(args = c(list(X = f$x, y = f$y, epochs = 2,
      lr = 0.1, verbose = FALSE), gd_args()), huge = c("lr", "l1", "l2", "patience"),
      special = c(list(y = function() fuzz_pick(list(c(1, 1, 1, 1),
        c(1.5, 2, 1, 2), f$y[1:3], factor(c("a", NA, "b", "a"))))), gd_special)),
    predict_reg = function() list(args = list(
      object = fuzz_pick(list(f$lin, f$logit, f$soft, f$logit_single)), newdata = f$x,
      type = NULL), special = list(newdata = data)),
    summary_reg = function() list(args = list(
      object = fuzz_pick(list(f$lin, f$logit, f$soft, f$logit_single)))),
    print_reg = function() list(args = list(
      x = fuzz_pick(list(f$lin, f$logit, f$soft, f$logit_single)))),
    logLik_reg = function() list(args = list(
      object = fuzz_pick(list(f$lin, f$logit, f$soft, f$logit_single)))),
    convolution = function() list(args = list(input_img = matrix(1:25, 5, 5),
      filter = filter_bank("sobel_x"), show = FALSE, out = TRUE, stride = 1,
      padding = "valid"), huge = c("stride"),
      special = list(input_img = function() fuzz_pick(list(array(1, c(3, 3, 2)),
        matrix(1, 1, 1), array(1, c(3, 3, 0)), array(1, c(2, 2, 2, 2)))),
      filter = function() fuzz_pick(list(matrix(1, 9, 1), matrix(1, 6, 6))))),
    filter_bank = function() list(args = list(name = "sobel_x")),
    random_filters = function() list(args = list(n = 2, size = 3)),
    square_stack_lst_of_matrices = function() list(args = list(
      lst = random_filters(3), sep = 1, fill = NA),
      special = list(lst = mat_list)),
    plot_feature_maps = function() list(args = list(lst = random_filters(3),
      sep = 1, normalize = TRUE, fill = NA), special = list(lst = mat_list)),
    show_image = function() list(args = list(m = matrix(1:6, 2, 3),
      col = c("white", "black"), main = NULL)),
    as_images = function() list(args = list(x = matrix(1:32, 2, 16),
      height = 4, width = 4, channels = 1),
      huge = c("height", "width", "channels")),
    plot_filters = function() list(args = list(net = a_cnn(), layer = 1,
      channel = 1), huge = c("layer", "channel"),
      special = list(net = model(a_cnn()))),
    feature_maps = function() list(args = list(net = a_cnn(),
      image = f$imgs[1, , ], layer = 1, plot = FALSE), huge = "layer",
      special = list(net = model(a_cnn()))),
    train_test_from_df = function() list(args = list(df = f$df,
      predict_col_index = 3, train_ratio = 0.6, shuffle_input = TRUE,
      scale_input = TRUE), huge = "predict_col_index",
      special = list(df = function() fuzz_pick(list(f$df[1, ], f$df[, 1, drop = FALSE],
        f$df[0, ], data.frame(a = c(1, NA, 3), b = c(Inf, 1, 2)),
        data.frame(a = 1:3, b = I(list(1, 2, 3))),
        data.frame(a = 1:3, b = as.Date("2020-01-01") + 1:3))),
      predict_col_index = function() fuzz_pick(list("zz", "cls", 4, 1.5)))),
    make_spirals = function() list(args = list(n = 6, classes = 2,
      noise = 0.2, turns = 1.5), huge = c("noise", "turns", "classes")),
    make_blobs = function() list(args = list(n = 6, centers = 3, sd = 0.2),
      huge = c("sd", if (include_known) "centers"),
      special = list(centers = function() fuzz_pick(list(matrix(1, 2, 3),
        matrix(NA_real_, 2, 2), matrix(numeric(0), 0, 2),
        matrix(1, 7, 2))))),
    read_idx = function() list(args = list(path = idx_file()),
      special = list(path = function() fuzz_pick(list(f$dir, tempfile(),
        idx_file(), idx_file())))),
    read_mnist = function() list(args = list(dir = mnist_dir(),
      normalize = TRUE), special = list(dir = function() fuzz_pick(list(
        mnist_dir(), tempfile(), idx_file()))))
  )
}

# The function each call name runs (methods called through their generics).
fuzz_function <- function(name) {
  switch(name,
    predict_reg = function(object, newdata, type)
      if (is.null(type)) predict(object, newdata) else
        predict(object, newdata, type = type),
    summary_reg = function(object) summary(object),
    print_reg = function(x) print(x),
    logLik_reg = function(object) logLik(object),
    summary = function(object) print(summary(object)),
    evaluate_pairs = function(x, biases, weights) evaluate(x, biases, weights),
    nn_formula = function(...) neuralnetwork(...),
    nn_xy = function(...) neuralnetwork(...),
    get(name, envir = asNamespace("nnfs")))
}

# Corrupt one or two arguments of a valid call: a bad value, a huge count
# where allowed, the argument's own corruption, or the argument left out.
fuzz_corrupt <- function(call) {
  args <- call$args
  if (!length(args)) {
    if (runif(1) < 0.5) args$extra <- fuzz_pick(fuzz_bad_values())
    return(args)
  }
  n_bad <- if (runif(1) < 0.1) 0L else sample(1:2, 1L)
  for (a in sample(names(args), min(n_bad, length(args)))) {
    r <- runif(1)
    if (r < 0.35 && !is.null(call$special[[a]])) {
      args[a] <- list(call$special[[a]]())
    } else if (r < 0.45 && a %in% call$huge) {
      args[a] <- list(fuzz_pick(fuzz_huge()))
    } else if (r < 0.5) {
      args[[a]] <- NULL
    } else {
      args[a] <- list(fuzz_pick(fuzz_bad_values()))
    }
  }
  if (runif(1) < 0.03) args$epoch <- 1 # a misspelt argument
  args
}

# Run one call; returns list(outcome, message). Outcomes: "ok", "error"
# (an R error), "internal" (an internal error from C: R validation missed
# it), "garbage" (predictions that are not finite, without an error).
fuzz_one <- function(name, args) {
  fun <- fuzz_function(name)
  res <- tryCatch(
    withCallingHandlers(
      list(value = suppressMessages(utils::capture.output(
        v <- do.call(fun, args, quote = TRUE))), v = v),
      warning = function(w) invokeRestart("muffleWarning")),
    error = function(e) e)
  if (inherits(res, "error")) {
    msg <- conditionMessage(res)
    return(list(outcome = if (grepl("internal error", msg, fixed = TRUE))
      "internal" else "error", message = msg))
  }
  v <- res$v
  if (name %in% c("predict", "feature_maps") && is.numeric(unlist(v)) &&
      !all(is.finite(unlist(v))))
    return(list(outcome = "garbage", message = "non-finite predictions"))
  list(outcome = "ok", message = "")
}

# n fuzzed calls from `seed`; returns a data frame with one row per call:
# fun, outcome, message. Plots go to a null device. With `log` a file path,
# each call's number and function are written there before it runs, so that
# the call that killed R can be found and replayed.
run_fuzz <- function(n, seed = 1, include_known = FALSE, log = NULL,
                     threads = 1L) {
  old_seed <- if (exists(".Random.seed", globalenv())) get(".Random.seed", globalenv())
  on.exit(if (is.null(old_seed)) rm(".Random.seed", envir = globalenv()) else
    assign(".Random.seed", old_seed, envir = globalenv()), add = TRUE)
  set.seed(seed)
  grDevices::pdf(NULL)
  dev <- grDevices::dev.cur()
  on.exit(grDevices::dev.off(dev), add = TRUE)
  old_opt <- options(nnfs.threads = threads, warn = 0, nnfs.copy_limit = NULL)
  on.exit(options(old_opt), add = TRUE)
  f <- fuzz_fixtures()
  on.exit(unlink(f$dir, recursive = TRUE), add = TRUE)
  calls <- fuzz_calls(f, include_known)
  funs <- sample(names(calls), n, replace = TRUE)
  out <- data.frame(fun = funs, outcome = "", message = "",
                    stringsAsFactors = FALSE)
  for (i in seq_len(n)) {
    args <- fuzz_corrupt(calls[[funs[i]]]())
    if (!is.null(log)) cat(i, funs[i], "\n", file = log)
    # every other call has the engine read its data in place
    options(nnfs.copy_limit = if (i %% 2L) 0 else NULL)
    r <- fuzz_one(funs[i], args)
    out$outcome[i] <- r$outcome
    out$message[i] <- r$message
  }
  out
}

if (identical(Sys.getenv("TESTTHAT"), "true")) {
  test_that("2000 fuzzed calls end in a result or a clear R error", {
    res <- run_fuzz(2000, seed = 20261121)
    failures <- res[res$outcome %in% c("internal", "garbage"), , drop = FALSE]
    expect_equal(nrow(res), 2000L)
    expect_equal(nrow(failures), 0L,
                 info = paste(utils::head(paste(failures$fun, failures$message), 10L),
                              collapse = "\n"))
    # every exported function was reached, and most calls were rejected
    expect_true(all(c("neuralnetwork", "cnn", "predict", "read_idx", "nn_formula",
                      "feedforward", "layer_avgpool2d", "layer_batchnorm",
                      "linear_reg") %in% res$fun))
    expect_gt(sum(res$outcome == "error"), 500L)
    expect_gt(sum(res$outcome == "ok"), 50L)
  })
}
