# neuralnetwork(): the dense-network front door, with the articles' call
# and the formula and x/y calls of R/doors.R. It checks every argument,
# coerces the data to (n x p, n x k) matrices, draws the initial
# parameters with R's RNG, describes the network as layer specs and hands
# all of it to engine_fit() (R/train.R). The result, of class
# "nnfs_network", is the articles' list(biases, weights) with the rest in
# attributes (R/network_object.R); R/methods.R works on it.

#' Train a dense neural network
#'
#' The network of the articles' fourth step, a port of Nielsen's
#' `network.py`: fully connected layers trained by mini-batch stochastic
#' gradient descent and backpropagation. Called with the article's
#' arguments it does what the article's code does; the C engine makes it
#' fast. Further arguments, all named and all defaulting to the article's
#' behaviour, add the exercises the articles suggest: other activations, a
#' softmax output, other initialisations and optimizers, L1 and L2
#' penalties, dropout, early stopping and continued training.
#'
#' @section Three ways to call it:
#' * The articles' call, `neuralnetwork(sizes, training_data, epochs,
#'   mini_batch_size, lr, ...)`, with the layer sizes and data prepared as
#'   in the tutorials (see the Data section).
#' * A formula, as for [nnet::nnet()] or [lm()]:
#'   `neuralnetwork(Species ~ ., data = iris, hidden = 10)`.
#' * Inputs and targets: `neuralnetwork(x, y, hidden = 10)`, with `x` a
#'   data frame or numeric matrix and `y` a factor, a numeric vector or a
#'   numeric matrix.
#'
#' The first argument decides which. With a formula or `x` and `y`, the
#' inputs are encoded by the network itself: numeric columns are
#' standardised (centred on their mean, divided by their standard
#' deviation), logical ones become 0/1, factor and character columns one
#' indicator per level; rows with missing values in a formula's variables
#' are dropped. The network keeps this encoding, and `predict()` applies it
#' to new raw rows. The output and cost follow `y`: a factor (or character
#' or logical vector) gives a softmax output with the cross-entropy, one
#' unit per class; numbers give a linear output with the squared error
#' (`C = "mse"`). These calls have defaults for everything but the data:
#' `hidden = 10`, `epochs = 100`, `mini_batch_size = 32`, `lr = 0.01`,
#' `optimizer = "adam"`, `activation = "relu"` and `init = "he"`; any of
#' them, and `output` and `C`, can be given.
#'
#' @section The article's network:
#' With the defaults every layer, the output included, applies the sigmoid;
#' biases are drawn from `rnorm()` and the weights of a layer with `n_in`
#' inputs from `rnorm() / sqrt(n_in)`, stored as `n_out x n_in` matrices.
#' The cost `C = "ce"` is the cross-entropy, whose output delta is `a - y`
#' (with sigmoid outputs, the binary cross-entropy of every output unit;
#' with `output = "softmax"`, the categorical cross-entropy); `C = "mse"` is
#' the quadratic cost `0.5 * sum((a - y)^2)`. Each epoch shuffles the
#' training samples, cuts them into mini-batches of `mini_batch_size` (the
#' last one may be smaller) and updates every parameter by
#' `w - (lr / batch) * grad`. Losses reported are means over the samples.
#'
#' @section Data:
#' `training_data` and `validation_data` take either
#' * a list of `list(x, y)` pairs, one per sample, as made by
#'   [train_test_from_df()]: `x` a vector or one-column matrix of the `p`
#'   inputs, `y` a one-hot vector or one-column matrix of length `k`, or a
#'   single class label or value. The list's attributes `levels` (class
#'   names) and `features` (input names) are used when present; or
#' * `list(x = , y = )`: `x` an `n x p` numeric matrix or data frame (an
#'   array with one image per first index is flattened), `y`
#'   a factor (one output per level, in the order of the levels), integer
#'   class labels (classes in sorted order), a numeric vector (regression),
#'   or an `n x k` matrix of targets (rows of 0 and 1 summing to 1 are
#'   classes named by its column names).
#'
#' With a single output unit (`sizes` ending in 1), a two-level factor or
#' 0/1 labels give a binary classifier whose output is the probability of
#' the second class, and other whole-number labels are taken as a numeric
#' target. To fit whole numbers as a regression with more outputs, pass `y`
#' as a matrix.
#'
#' @section Divergence:
#' If the loss of a mini-batch becomes NaN or infinite, or a parameter does
#' (a step can overflow the weights while the loss stays finite), training
#' stops with a warning of class `nnfs_warning_diverged` naming the epoch
#' and batch. The network returned holds the parameters of the end of the
#' last completed epoch: the starting ones (or those of `warm_start`) if
#' the first epoch diverged, and with `patience` those of the epoch with
#' the lowest validation loss. Its `history` and `epochs_run` count only
#' the completed epochs, and `predict()` accepts it. A smaller `lr`, or
#' inputs standardised to mean 0 and standard deviation 1, usually cures
#' it; catch it in code with `tryCatch(..., nnfs_warning_diverged =
#' function(w) ...)`.
#'
#' @section Reproducibility:
#' The initial parameters are drawn with R's random number generator before
#' training, in this order: the biases of every layer (first layer first),
#' then the weights of every layer, each matrix filled column by column, as
#' the article's code does. The engine shuffles and draws dropout masks
#' with the same generator, so [set.seed()] reproduces a run exactly.
#'
#' @param sizes Number of units of each layer, inputs first: at least two
#'   positive whole numbers. `sizes[1]` must be the number of inputs of
#'   the data and the last one its number of outputs (classes, or target
#'   columns).
#' @param training_data Training samples: a list of `list(x, y)` pairs or
#'   `list(x = , y = )` (see the Data section).
#' @param epochs Number of passes over the training data, a whole number at
#'   least 0. With `0` the network is returned as initialised, untrained (its
#'   history has no rows).
#' @param mini_batch_size Samples per gradient step, a positive whole number.
#' @param lr Learning rate, a positive number.
#' @param C Cost: `"ce"` (cross-entropy; needs a sigmoid or softmax output)
#'   or `"mse"` (quadratic cost). `NULL` (the default) is `"ce"` in the
#'   articles' call and follows `y` in the others.
#' @param verbose If `TRUE`, report the loss and accuracy (for a regression,
#'   the root mean squared error) after each epoch, with those of the
#'   validation data, through [message()], so [suppressMessages()] quiets
#'   them; in interactive sessions long epochs also show the batches done.
#' @param validation_data Held-out data evaluated after each epoch: in the
#'   articles' call, in the same formats as `training_data`; with a formula,
#'   a data frame with its variables; with `x` and `y`, `list(x = , y = )`
#'   of raw rows. `NULL` (the default) for none. The articles' code
#'   validated on the training data by default; that is not validation, so
#'   pass it explicitly if you want those numbers.
#' @param ... Must be empty: every argument after it is named, and a name
#'   that is not an argument of this function is an error.
#' @param x,y Inputs (a data frame or numeric matrix, one row per sample)
#'   and targets (a factor, numeric vector or numeric matrix) for the x/y
#'   call, when they are given by name. Positionally they are the first
#'   two arguments.
#' @param data With a formula as first argument, the data frame holding its
#'   variables (the second argument also serves).
#' @param hidden With a formula or `x` and `y`: the units of each hidden
#'   layer, positive whole numbers (default `10`, one layer).
#' @param validation_split Share of the training samples to hold out as
#'   validation data, in \[0, 1), drawn with R's random number generator
#'   (before the initial parameters). `0` (the default) holds out none.
#' @param activation Activation of the hidden layers: one of `"sigmoid"`,
#'   `"linear"`, `"tanh"`, `"relu"` and `"leaky_relu"`, or one per hidden
#'   layer. `NULL`: `"sigmoid"` in the articles' call, else `"relu"`.
#' @param slope Slope of the leaky ReLU for negative inputs, a number >= 0.
#' @param output Activation of the output layer: `"sigmoid"`, `"softmax"`
#'   (at least two outputs), `"linear"`, `"tanh"`, `"relu"` or
#'   `"leaky_relu"`. `NULL`: `"sigmoid"` in the articles' call, else
#'   chosen from `y`.
#' @param init Initial parameters, drawn as the tutorials draw them:
#'   * `"article"`: biases `rnorm()`, weights `rnorm() / sqrt(n_in)` (the
#'     R tutorial's script `03_neuralnetsimple.R`);
#'   * `"normal"`: biases and weights from a standard normal, `rnorm()`
#'     (its first network notebook, `03_NeuralNet`, and Nielsen's
#'     `network.py`);
#'   * `"relu_uniform"`: biases uniform within `1 / sqrt(n_out)`, weights
#'     uniform within `sqrt(3) * sqrt(2) / sqrt(n_in)`, the variance of He's
#'     initialisation (its ReLU notebook, `03_NeuralNet-v2`);
#'   * `"xavier"` (Glorot's normal initialisation: weights with standard
#'     deviation `sqrt(2 / (n_in + n_out))`, biases 0);
#'   * `"he"` (weights with standard deviation `sqrt(2 / n_in)`, biases 0).
#'
#'   All draw the biases of every layer first, then the weights. `NULL`:
#'   `"article"` in the articles' call, else `"he"`.
#' @param optimizer Update rule: `"sgd"`, `"momentum"`, `"nesterov"`,
#'   `"rmsprop"` or `"adam"`. `NULL`: `"sgd"` in the articles' call, else
#'   `"adam"`.
#' @param momentum Momentum coefficient of `"momentum"` and `"nesterov"`, in
#'   \[0, 1).
#' @param beta1,beta2 Decay rates of Adam's first and second moment
#'   estimates, in \[0, 1).
#' @param rho Decay rate of RMSprop's squared-gradient average, in \[0, 1).
#' @param epsilon Small positive number added to the denominators of
#'   RMSprop and Adam.
#' @param l1,l2 Penalties on the weights (not the biases), numbers >= 0:
#'   `l2 * w + l1 * sign(w)` is added to the mean gradient of each weight.
#' @param dropout Dropout rate of the hidden layers, in \[0, 1): one number,
#'   or one per hidden layer. Dropout is inverted (kept units are scaled by
#'   `1 / (1 - rate)`) and is switched off for prediction.
#' @param patience `NULL`, or a positive whole number: stop when the
#'   validation loss has not improved for that many epochs, and keep the
#'   parameters of the epoch with the lowest validation loss. Needs
#'   `validation_data` or `validation_split`.
#' @param warm_start `NULL`, or a network returned by `neuralnetwork()` to
#'   continue training from: its parameters are the starting point (no
#'   random initialisation), and its layer sizes, activations and classes
#'   must be those asked for here. With the same optimizer, training
#'   continues its optimizer state (velocities, moments, step count) and
#'   the sample order its last epoch left, so that 5 epochs and then 5 more
#'   give exactly the 10 epochs of one call from the same seed (with another
#'   optimizer, or a network saved by nnfs 0.1.0, the optimizer starts
#'   afresh). With early stopping, the state is that of the last epoch run.
#' @param precision `"double"` or `"single"`: the floating-point type the
#'   engine trains and predicts in (`NULL`: the option `nnfs.precision`,
#'   else `"double"`). Double reproduces the articles' numbers and is the
#'   default; single keeps a float copy of the training data (half the
#'   memory) and runs the same kernels in float, faster on large layers.
#'   The network records it in `settings` and predicts in it; its
#'   parameters are returned as R's doubles either way.
#' @return An object of class `nnfs_network`: the article's result, a list
#'   of exactly two elements, so that `net[[1]]` and `net[[-1]]` work as in
#'   the tutorials,
#'   \item{biases}{List of bias vectors, one per layer after the input.
#'     Its attribute `activation` names each layer's activation (and
#'     `slope` that of a leaky ReLU), so that [feedforward()],
#'     [get_predictions()] and [evaluate()] given `net[[1]]` and `net[[2]]`
#'     compute what the network computes.}
#'   \item{weights}{List of weight matrices, `n_out x n_in`.}
#'
#'   The rest is kept in attributes, read (and set) with `$` as if they
#'   were elements (see [network-fields]):
#'   \item{history}{Data frame with one row per epoch run: `epoch`, `loss`,
#'     `accuracy`, `val_loss`, `val_accuracy` (`NA` without validation
#'     data). `loss` and `accuracy` are averaged over the epoch's
#'     mini-batches as they were trained (with dropout on); the validation
#'     columns are computed after the epoch. After a warm start the history
#'     continues that of `warm_start`.}
#'   \item{sizes, layers, settings}{The layer sizes, the engine's layer
#'     descriptions and the training settings.}
#'   \item{levels, features, input_dim, task}{What [predict()] needs: the
#'     class names (`NULL` for regression), input names, number of inputs,
#'     and `"classification"` or `"regression"`.}
#'   \item{epochs_run, best_epoch}{Epochs run in this call and, with early
#'     stopping, the epoch whose parameters were kept (else `NA`).}
#'   \item{optimizer_state}{What a warm start continues: `optimizer`, its
#'     state `slots` (`velocity` for momentum and Nesterov, `mean_square`
#'     for RMSprop, `m` and `v` for Adam, none for plain SGD; each a list
#'     with one named list of tensors per layer, shaped like the
#'     parameters), its `step` count, and the sample `order` (0-based) the
#'     last epoch left.}
#'   \item{preprocess, formula}{How raw inputs are encoded (formula and x/y
#'     calls, or pairs from [train_test_from_df()]); `NULL` otherwise.}
#'   Accuracy is the share of samples whose largest output is the right
#'   class (with one output, whose output is on the right side of 0.5).
#' @seealso [predict.nnfs_network()], [evaluate()], [summary.nnfs_network()],
#'   [plot.nnfs_network()], [grad_check()], [train_test_from_df()].
#' @export
#' @examples
#' # As R users call it: a formula, or inputs and targets
#' set.seed(1)
#' fit <- neuralnetwork(Species ~ ., data = iris, hidden = 10)
#' fit
#' table(predict(fit, iris), iris$Species)
#' cars <- neuralnetwork(mtcars[, c("wt", "hp")], mtcars$mpg, hidden = 5,
#'                       epochs = 300, validation_split = 0.25)
#' tail(cars$history, 3)
#'
#' # The article's iris network
#' set.seed(1)
#' d <- train_test_from_df(iris, 5, 0.7)
#' net <- neuralnetwork(c(4, 40, 3), d[[1]], 30, 10, 0.5,
#'                      validation_data = d[[2]])
#' net
#' evaluate(net, d[[2]])
#'
#' # A ReLU network with a softmax output, trained by Adam
#' net2 <- neuralnetwork(c(4, 16, 16, 3), list(x = iris[, 1:4], y = iris$Species),
#'                       50, 16, 0.01, activation = "relu", output = "softmax",
#'                       init = "he", optimizer = "adam")
#' table(predict(net2, iris[, 1:4]), iris$Species)
neuralnetwork <- function(sizes, training_data, epochs, mini_batch_size, lr,
                          C = NULL, verbose = FALSE, validation_data = NULL,
                          ..., x = NULL, y = NULL, data = NULL, hidden = NULL,
                          validation_split = 0, activation = NULL, slope = 0.1,
                          output = NULL, init = NULL, optimizer = NULL,
                          momentum = 0.9, beta1 = 0.9, beta2 = 0.999,
                          rho = 0.9, epsilon = 1e-8, l1 = 0, l2 = 0,
                          dropout = 0, patience = NULL, warm_start = NULL,
                          precision = NULL) {
  check_arg_names(sys.call(), "neuralnetwork", names(formals(neuralnetwork)),
                  list(...))
  has <- function(a) !eval(call("missing", as.name(a)), parent.frame())
  door <- door_of(if (has("sizes")) sizes, has("sizes"), x)
  prep <- NULL
  task <- NULL
  if (door == "articles") {
    for (a in c("sizes", "training_data", "epochs", "mini_batch_size", "lr"))
      if (!has(a))
        arg_error("`", a, "` is missing: neuralnetwork() needs `sizes`, ",
                  "`training_data`, `epochs`, `mini_batch_size` and `lr` (or a ",
                  "formula and `data`, or `x` and `y`).")
    sizes <- check_sizes(sizes)
    prep <- attr(training_data, "preprocess", exact = TRUE)
  } else {
    formula <- NULL
    if (door == "formula") {
      formula <- sizes
      if (is.null(data) && has("training_data")) data <- training_data
      f <- formula_inputs(formula, data)
      d <- door_data(f$x, f$y, hidden %||% door_defaults$hidden, f$terms,
                     "data", "The response of `formula`")
    } else {
      if (has("sizes")) x <- sizes
      if (is.null(y) && has("training_data")) y <- training_data
      if (is.null(y)) arg_error("`y` is missing: give the targets of `x`.")
      d <- door_data(x, y, hidden %||% door_defaults$hidden)
    }
    sizes <- d$sizes
    training_data <- d$train
    prep <- d$prep
    task <- d$task
    classes <- task == "classification"
    for (a in c("epochs", "mini_batch_size", "lr"))
      if (!has(a)) assign(a, door_defaults[[a]])
    optimizer <- optimizer %||% door_defaults$optimizer
    activation <- activation %||% door_defaults$activation
    init <- init %||% door_defaults$init
    output <- output %||% if (classes) "softmax" else "linear"
    C <- C %||% if (classes) "ce" else "mse"
  }
  C <- C %||% "ce"
  activation <- activation %||% "sigmoid"
  output <- output %||% "sigmoid"
  init <- init %||% "article"
  optimizer <- optimizer %||% "sgd"
  s <- check_settings(mget(setting_names), length(sizes) - 2L)
  check_output(s$output, s$C, sizes)
  train <- as_network_data(training_data, "training_data", task = task,
                           k = sizes[length(sizes)])
  check_data_sizes(train, sizes, "training_data")
  check_ce_targets(train, s$C, "training_data")
  val <- if (door == "articles") validation_set(validation_data, train, sizes)
         else door_validation(validation_data, prep, formula, train$levels,
                              train$task, sizes[length(sizes)])
  parts <- held_out(train, val, s)
  train <- parts$train
  val <- parts$val

  layers <- dense_layer_specs(sizes, s$activation, s$slope, s$output, s$dropout)
  check_engine_memory(layers, s$mini_batch_size, nrow(train$x), s$optimizer, "sizes",
                      s$precision)
  if (is.null(warm_start)) {
    par <- init_dense_params(sizes, s$init)
  } else {
    check_warm_start(warm_start, layers, train, s$precision)
    par <- list(biases = warm_start$biases,
                weights = warm_start$weights)
  }
  net <- new_network(par, list(history = NULL, sizes = sizes, layers = layers,
                               settings = s, levels = train$levels,
                               features = train$features, preprocess = prep,
                               formula = if (door == "formula") stored_formula(formula),
                               input_dim = sizes[1L],
                               task = train$task, epochs_run = 0L,
                               best_epoch = NA_integer_),
                     "nnfs_network")

  train_network(net, train, val, s, warm_start)
}

# ---- argument checks --------------------------------------------------------

network_activations <- c("sigmoid", "linear", "tanh", "relu", "leaky_relu")

# Arguments of neuralnetwork() checked by check_settings() and kept in the
# network's `settings`.
setting_names <- c("epochs", "mini_batch_size", "lr", "C", "verbose",
                   "activation", "slope", "output", "init", "optimizer",
                   "momentum", "beta1", "beta2", "rho", "epsilon", "l1", "l2",
                   "dropout", "patience", "validation_split", "precision")

# a: the arguments named in setting_names; n_hidden: hidden layers.
check_settings <- function(a, n_hidden) {
  a <- check_training_settings(a, dense_inits)
  a$activation <- check_per_hidden(a$activation, "activation", n_hidden,
                                   network_activations)
  a$slope <- check_number(a$slope, "slope", min = 0)
  a$output <- check_choice(a$output, c(network_activations, "softmax"), "output")
  a$dropout <- check_per_hidden(a$dropout, "dropout", n_hidden)
  a
}

# Validation data given by the user (NULL for none), coerced like `train`.
validation_set <- function(data, train, sizes) {
  if (is.null(data)) return(NULL)
  val <- as_network_data(data, "validation_data", levels = train$levels,
                         task = train$task, k = sizes[length(sizes)])
  check_data_sizes(val, sizes, "validation_data")
  val
}

# At least `n` layer sizes: whole numbers from 1 to the integer maximum.
are_layer_sizes <- function(x, n) {
  is.numeric(x) && length(x) >= n && !anyNA(x) && all(is.finite(x)) &&
    all(x == round(x)) && all(x >= 1) && all(x <= .Machine$integer.max)
}

check_sizes <- function(sizes) {
  if (!are_layer_sizes(sizes, 2L))
    arg_error("`sizes` must be whole numbers >= 1, at least two of them ",
              "(inputs, ..., outputs), not ", describe_value(sizes), ".")
  as.integer(sizes)
}

# A number in [0, 1): decay rates and momentum.
check_rate <- function(x, arg) {
  check_number(x, arg, min = 0, max = 1, what = "a number in [0, 1)")
  if (x >= 1)
    arg_error("`", arg, "` must be a number in [0, 1), not ", describe_value(x), ".")
  as.double(x)
}

# One value for all hidden layers or one per hidden layer: activation names
# (choices given) or dropout rates (choices NULL); returns one per layer.
check_per_hidden <- function(x, arg, n_hidden, choices = NULL) {
  what <- if (is.null(choices)) "a rate in [0, 1)" else
    paste0("one of ", paste0('"', choices, '"', collapse = ", "))
  ok <- if (is.null(choices)) is.numeric(x) && !anyNA(x) && all(x >= 0 & x < 1)
        else is.character(x) && !anyNA(x) && all(x %in% choices)
  if (!ok || !(length(x) == 1L || length(x) == n_hidden))
    arg_error("`", arg, "` must be ", what, ", or one such value per hidden ",
              "layer (", n_hidden, "), not ", describe_value(x), ".")
  if (is.null(choices)) x <- as.double(x)
  rep_len(x, n_hidden)
}

check_output <- function(output, cost, sizes) {
  k <- sizes[length(sizes)]
  if (cost == "ce" && !(output %in% c("sigmoid", "softmax")))
    arg_error("`C = \"ce\"` needs `output = \"sigmoid\"` or `\"softmax\"`, not \"",
              output, "\": cross-entropy is defined on outputs in (0, 1). ",
              "Use `C = \"mse\"` for a \"", output, "\" output.")
  if (output == "softmax" && k < 2L)
    arg_error("`output = \"softmax\"` needs at least two output units, but the ",
              "last of `sizes` is ", k, ".")
}

# p and k of coerced data against `sizes` (training data) or against the
# training data (validation data).
check_data_sizes <- function(d, sizes, arg) {
  p <- prod(dim(d$x)[-1L])
  k <- ncol(d$y)
  L <- length(sizes)
  if (arg != "training_data" && (p != sizes[1L] || k != sizes[L]))
    arg_error("`", arg, "` must have the ", sizes[1L], " inputs and ", sizes[L],
              " outputs per sample of the training data, not ", p, " and ", k, ".")
  if (sizes[1L] != p)
    arg_error("`sizes[1]` must be the number of inputs in `", arg, "` (", p,
              "), not ", sizes[1L], ".")
  if (sizes[L] != k) {
    what <- if (is.null(d$levels)) paste(k, "target column(s)") else
      if (k == 1L) paste0("one output for the two classes ",
                          paste0('"', d$levels, '"', collapse = " and ")) else
      paste0("one per class: ",
             paste0('"', utils::head(d$levels, 10L), '"', collapse = ", "),
             if (length(d$levels) > 10L) ", ...")
    arg_error("`sizes[", L, "]` must be the number of outputs of `", arg, "` (",
              k, ", ", what, "), not ", sizes[L], ".")
  }
}

check_ce_targets <- function(d, cost, arg) {
  # min() and max() allocate nothing; the targets are finite by now
  if (cost == "ce" && (min(d$y) < 0 || max(d$y) > 1))
    arg_error("With `C = \"ce\"` the targets in `", arg, "` must lie in [0, 1]; ",
              "they range from ", format(min(d$y)), " to ", format(max(d$y)),
              ". Use `C = \"mse\"` (with `output = \"linear\"`) for regression.")
}

check_warm_start <- function(old, layers, data, precision) {
  if (!inherits(old, "nnfs_network"))
    arg_error("`warm_start` must be a network returned by neuralnetwork(), not ",
              describe(old), ".")
  check_network(old, "warm_start", precision)
  key <- function(specs) {
    specs <- specs[vapply(specs, function(s) s$kind == "dense", NA)]
    vapply(specs, function(s) sprintf("%d-%d %s", s$n_in, s$n_out,
                                      s$act), "")
  }
  if (!identical(key(old$layers), key(layers)))
    model_error("`warm_start` must have the layers asked for here: it has ",
              paste(key(old$layers), collapse = ", "), "; `sizes` and the ",
              "activations ask for ", paste(key(layers), collapse = ", "), ".")
  if (!identical(old$levels, data$levels) || !identical(old$task, data$task))
    model_error("`warm_start` was trained on other targets (",
              describe_target(old), ") than `training_data` (",
              describe_target(data), ").")
}

describe_target <- function(d) {
  if (is.null(d$levels)) return(d$task)
  paste0("classes ", paste0('"', d$levels, '"', collapse = ", "))
}

# ---- network description ----------------------------------------------------

# Dense layers with the given activations, each hidden one followed by a
# dropout layer when its rate is positive.
dense_layer_specs <- function(sizes, activation, slope, output, dropout) {
  L <- length(sizes) - 1L
  specs <- list()
  for (l in seq_len(L)) {
    act <- if (l == L) output else activation[l]
    specs[[length(specs) + 1L]] <- layer_spec("dense", sizes[l], sizes[l + 1L],
                                              act, slope)
    if (l < L && dropout[l] > 0)
      specs[[length(specs) + 1L]] <- layer_spec("dropout", sizes[l + 1L],
                                                sizes[l + 1L], rate = dropout[l])
  }
  specs
}

# Initial parameters, drawn in the article's order: all biases, then all
# weights (n_out x n_in, filled column by column).
init_dense_params <- function(sizes, init) {
  n_in <- sizes[-length(sizes)]
  n_out <- sizes[-1L]
  biases <- lapply(n_out, function(n)
    switch(init, article = , normal = stats::rnorm(n),
           relu_uniform = stats::runif(n, -1 / sqrt(n), 1 / sqrt(n)),
           numeric(n)))
  weights <- Map(function(o, i) {
    switch(init,
           article = matrix(stats::rnorm(o * i), o, i) / sqrt(i),
           normal = matrix(stats::rnorm(o * i), o, i),
           relu_uniform = matrix(stats::runif(o * i, -sqrt(3) * sqrt(2) / sqrt(i),
                                              sqrt(3) * sqrt(2) / sqrt(i)), o, i),
           xavier = matrix(stats::rnorm(o * i, sd = sqrt(2 / (i + o))), o, i),
           he = matrix(stats::rnorm(o * i, sd = sqrt(2 / i)), o, i))
  }, n_out, n_in)
  list(biases = biases, weights = weights)
}

# The initialisations neuralnetwork() offers, the articles' first.
dense_inits <- c("article", "normal", "relu_uniform", "xavier", "he")

# Layers whose tensors are a weight array W and a bias vector b, held in
# object$weights and object$biases, in order: the tutorials' view of a
# network. The tensors of any other layer (batch normalisation's gamma,
# beta and running statistics) are in object$tensors, one element per
# layer spec (NULL for layers without any); networks without such layers
# have no `tensors` field.
has_params <- function(spec) {
  spec$kind %in% c("dense", "conv2d")
}

# The object's tensors as the engine wants them: one element per layer
# spec, list(W, b), the layer's named list from `tensors`, or NULL.
network_params <- function(object) {
  j <- 0L
  tens <- object$tensors
  lapply(seq_along(object$layers), function(i) {
    if (!has_params(object$layers[[i]])) return(if (!is.null(tens)) tens[[i]])
    j <<- j + 1L
    list(W = object$weights[[j]], b = object$biases[[j]])
  })
}

# The inverse: put engine parameters (as from engine_fit()) into the object.
set_network_params <- function(object, params) {
  wb <- vapply(object$layers, has_params, NA)
  object$weights <- lapply(params[wb], `[[`, "W")
  object$biases <- lapply(params[wb], `[[`, "b")
  params[wb] <- list(NULL)
  object$tensors <- if (any(!vapply(params, is.null, NA))) params
  object
}

# The trainable tensors of each layer (what gradients and optimizer state
# are shaped like), as the engine marks them: network_params() without
# running statistics.
trainable_params <- function(object) {
  Map(function(p, s) {
    if (is.null(p)) return(NULL)
    t <- spec_tensors(s)
    p[t$name[t$trainable]]
  }, network_params(object), object$layers)
}

continue_history <- function(old, new) {
  if (is.null(old) || is.null(old$history) || nrow(old$history) == 0L)
    return(new)
  new$epoch <- new$epoch + max(old$history$epoch)
  rbind(old$history, new)
}
