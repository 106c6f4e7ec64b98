# The one R-side path into the C engine, shared by every network front door
# (neuralnetwork(), cnn()). Front doors validate user arguments, then
# describe the network as a list of layer specs plus a parallel list of
# parameters, and call engine_fit() / engine_predict() / engine_backprop().
#
# Layer spec (what src/glue_train.c reads):
#   list(kind, act, slope, rate, n_in, n_out, geom[, eps, momentum])
#   kind: the name of a layer kind, act: the name of an activation, both
#         from the engine's tables (engine_tables()); n_in, n_out: elements
#         per sample
#   geom: NULL, or integer (in_h, in_w, in_c, out_h, out_w, out_c, kh, kw,
#         stride, pad_t, pad_l) for conv2d, pooling, and batch
#         normalisation of images
#   eps, momentum: batch normalisation only
# Parameters: one named list of tensors per layer, as the layer's kind
# names them (spec_tensors() asks the engine): list(W = <double
# matrix/array>, b = <double vector>) for dense (W is n_out x n_in) and
# conv2d (W is the array kh x kw x in_c x filters), list(gamma, beta,
# running_mean, running_var) for batchnorm, NULL for layers without any.

# The names the engine knows (layer kinds, activations, costs, optimizers
# and their state slots), read once from its own tables: R keeps no copy.
engine_tables <- local({
  tables <- NULL
  function() {
    if (is.null(tables)) tables <<- .Call(C_tables)
    tables
  }
})

# The integer codes nnfs 0.1.0 stored in its models, frozen: only used to
# read such models (legacy_specs()); the engine itself knows names only.
legacy_codes <- list(
  kind = c(dense = 1L, conv2d = 2L, maxpool2d = 3L, dropout = 4L, flatten = 5L),
  act = c(linear = 0L, sigmoid = 1L, tanh = 2L, relu = 3L, leaky_relu = 4L,
          softmax = 5L))

# Layer specs of a model saved by 0.1.0 (integer kind and act) with names
# in their place; specs that have names already are returned as they are.
legacy_specs <- function(specs) {
  if (!is.list(specs)) return(specs)
  lapply(specs, function(s) {
    if (!is.list(s)) return(s)
    for (f in c("kind", "act")) {
      v <- s[[f]]
      if (is.integer(v) && length(v) == 1L && !is.na(v) && v %in% legacy_codes[[f]])
        s[[f]] <- names(legacy_codes[[f]])[match(v, legacy_codes[[f]])]
    }
    s
  })
}

layer_spec <- function(kind, n_in, n_out, activation = "linear", slope = 0.1,
                       rate = 0, geom = NULL, eps = NULL, momentum = NULL) {
  s <- list(kind = kind, act = activation,
            slope = as.double(slope), rate = as.double(rate),
            n_in = as.integer(n_in), n_out = as.integer(n_out),
            geom = if (is.null(geom)) NULL else as.integer(geom))
  if (!is.null(eps)) s$eps <- as.double(eps)
  if (!is.null(momentum)) s$momentum <- as.double(momentum)
  s
}

# What the engine makes of a layer spec (C_layer_info): list(problem,
# tensors), problem NULL or what the kind's check finds wrong, tensors
# list(name, n, trainable, penalized, init, nonnegative) of the tensors its
# kind owns (nonnegative: values below 0 are invalid, a variance).
# The spec's fields must have the types the glue reads (check_network()
# makes sure of it for edited models).
engine_layer_info <- function(spec) .Call(C_layer_info, spec)

# The tensors of a layer spec that the engine accepts, as the engine
# describes them (see engine_layer_info()).
spec_tensors <- function(spec) {
  info <- engine_layer_info(spec)
  if (!is.null(info$problem))
    stop("internal error: a ", spec$kind, " layer with ", info$problem)
  info$tensors
}

# The settings every front door shares (epochs, batch, lr, cost, optimizer
# and its constants, penalties, early stopping), checked in place in the
# list `a` of the caller's arguments; `inits` are its initialisations.
check_training_settings <- function(a, inits) {
  rates <- c("momentum", "beta1", "beta2", "rho")
  a[rates] <- Map(check_rate, a[rates], rates)
  a$epochs <- check_count(a$epochs, "epochs", min = 0)
  a$mini_batch_size <- check_count(a$mini_batch_size, "mini_batch_size")
  a$lr <- check_number(a$lr, "lr", positive = TRUE)
  a$C <- check_choice(a$C, c("ce", "mse"), "C")
  a$verbose <- check_flag(a$verbose, "verbose")
  a$init <- check_choice(a$init, inits, "init")
  a$optimizer <- check_choice(a$optimizer, engine_tables()$optimizers, "optimizer")
  a$epsilon <- check_number(a$epsilon, "epsilon", positive = TRUE)
  a$l1 <- check_number(a$l1, "l1", min = 0)
  a$l2 <- check_number(a$l2, "l2", min = 0)
  if (!is.null(a$patience)) a$patience <- check_count(a$patience, "patience")
  a$precision <- check_precision(a$precision)
  a$validation_split <- check_number(a$validation_split, "validation_split",
                                     min = 0, max = 1, what = "a number in [0, 1)")
  if (a$validation_split >= 1)
    arg_error("`validation_split` must be a number in [0, 1), not ",
              describe_value(a$validation_split), ".")
  a
}

# Settings for C_train; the caller has validated each value.
engine_options <- function(epochs, batch, lr, cost = "ce", optimizer = "sgd",
                           momentum = 0.9, beta1 = 0.9, beta2 = 0.999,
                           rho = 0.9, eps = 1e-8, l1 = 0, l2 = 0,
                           patience = 0L, shuffle = TRUE) {
  list(epochs = as.integer(epochs), batch = as.integer(batch),
       lr = as.double(lr), cost = cost, optimizer = optimizer,
       momentum = as.double(momentum), beta1 = as.double(beta1),
       beta2 = as.double(beta2), rho = as.double(rho), eps = as.double(eps),
       l1 = as.double(l1), l2 = as.double(l2), patience = as.integer(patience),
       shuffle = as.integer(shuffle),
       threads = nnfs_threads(), adaptive_threads = nnfs_adaptive_threads())
}

# `precision`: "double" or "single", the option nnfs.precision when NULL.
check_precision <- function(precision) {
  check_choice(precision %||% getOption("nnfs.precision", "double"),
               c("double", "single"), "precision")
}

# The limits of single precision (C's FLT_MAX and FLT_MIN): the largest
# finite float, and the smallest positive normal one.
float_max <- 3.4028234663852886e38
float_min <- 1.1754943508222875e-38

# What layer specs ask of single precision that it cannot give: NULL, or
# the problem. Batch normalisation divides by sqrt(var + epsilon) computed
# in double and rounded to float; for a channel of zero variance in a
# batch (a filter that a ReLU keeps at 0, a constant input) that is
# 1 / sqrt(epsilon), which overflows float below epsilon = 1 / FLT_MAX^2
# (and NaN follows, 0 * Inf); epsilon >= FLT_MIN keeps it below 1e19, with
# room for the gradients it multiplies.
single_spec_problem <- function(specs) {
  for (i in seq_along(specs)) {
    e <- specs[[i]]$eps
    if (identical(specs[[i]]$kind, "batchnorm") && is.numeric(e) &&
        length(e) == 1L && !is.na(e) && e < float_min)
      return(sprintf(paste0("layer %d (batchnorm) has an epsilon of %s, below ",
                            "%s, the smallest that single precision handles"),
                     i, format(e, digits = 3), format(float_min, digits = 3)))
  }
  NULL
}

# The engine's entry points of one precision: double (C_train, ...) or
# single (C_train_f, ...), the same code compiled for float.
engine_entry <- function(name, precision) {
  if (identical(precision, "single")) name <- paste0(name, "_f")
  get(name, envir = asNamespace("nnfs"), inherits = FALSE)
}

# Samples in rows (n x p matrix, or n x h x w x c array) -> one sample per
# column, the engine's layout. Each sample's values keep R's array order.
samples_to_columns <- function(x) {
  n <- dim(x)[1L]
  if (length(dim(x)) != 2L) x <- matrix(x, nrow = n)
  x <- t(x)
  if (!is.double(x)) storage.mode(x) <- "double"
  x
}

# Data for the engine: list(x, rows). Shuffled batches are gathered fastest
# from one sample per column, so data whose copy takes up to
# nnfs_copy_limit() bytes are copied to that layout; larger data are read in
# place, one sample per row (rows 1), so that training needs no second copy
# of them. In single precision the engine makes that copy itself, in float,
# from R's rows (rows 2). Either way, rows whose values are at most 256
# distinct numbers (images) are copied by the engine as byte codes when
# that copy fits in nnfs_copy_limit() bytes (engine_fit()).
engine_samples <- function(x, precision = "double") {
  if (precision == "single") {
    if (!is.double(x)) storage.mode(x) <- "double"
    small <- 4 * as.double(length(x)) <= nnfs_copy_limit()
    return(list(x = x, rows = if (small) 2L else 1L))
  }
  if (8 * as.double(length(x)) <= nnfs_copy_limit())
    return(list(x = samples_to_columns(x), rows = FALSE))
  if (!is.double(x)) storage.mode(x) <- "double"
  list(x = x, rows = TRUE)
}

# Train; returns list(params, history, epochs_run, best_epoch,
# diverged_epoch, diverged_batch). A training that diverges returns the
# parameters of the last epoch it completed, with a warning (see
# warn_diverged()).
engine_fit <- function(layers, params, x, y, xval = NULL, yval = NULL, opts) {
  check_history_memory(opts$epochs)
  precision <- opts$precision %||% "double"
  xs <- engine_samples(x, precision)
  yt <- samples_to_columns(y)
  # validating on the training data (the articles' default) shares its data
  same <- !is.null(xval) && identical(xval, x) && identical(yval, y)
  xvs <- if (is.null(xval)) list(x = NULL, rows = FALSE) else
    if (same) xs else engine_samples(xval, precision)
  yvt <- if (is.null(yval)) NULL else if (same) yt else samples_to_columns(yval)
  opts$x_rows <- as.integer(xs$rows)
  # training rows of at most 256 distinct values (images) may instead be
  # copied once as one byte per value (src/data_codes.c)
  opts$x_codes <- as.integer(xs$rows > 0 && as.double(length(x)) <= nnfs_copy_limit())
  # and else a chunk of the rows at a time, of at most that many bytes
  opts$chunk_bytes <- as.double(nnfs_copy_limit())
  opts$xval_rows <- as.integer(xvs$rows)
  res <- .Call(engine_entry("C_train", precision), layers, params, xs$x, yt,
               xvs$x, yvt, opts)
  if (res$diverged_epoch > 0L) warn_diverged(res, opts$patience > 0L && !is.null(xval))
  n_run <- res$epochs_run
  h <- res$history[seq_len(n_run), , drop = FALSE]
  res$history <- data.frame(epoch = seq_len(n_run),
                            loss = h[, 1L], accuracy = h[, 2L],
                            val_loss = h[, 3L], val_accuracy = h[, 4L])
  res
}

# The warning for a training that stopped because it diverged (C_train's
# result `res`), of class "nnfs_warning_diverged" so that callers can catch
# it by kind. It says which parameters the network keeps: those of the end
# of the last completed epoch, the best one under early stopping
# (`stopping`), or the starting ones.
warn_diverged <- function(res, stopping) {
  e <- res$diverged_epoch
  where <- if (res$diverged_batch > 0L)
    sprintf("in epoch %d, batch %d: the loss became NaN or infinite", e,
            res$diverged_batch) else
    sprintf("in epoch %d: the parameters became NaN or infinite", e)
  kept <- if (stopping && res$best_epoch > 0L)
    sprintf("those of epoch %d, the lowest validation loss", res$best_epoch) else
    if (e > 1L) sprintf("those of the end of epoch %d", e - 1L) else
    "the starting ones (no epoch was completed)"
  msg <- paste0("Training diverged ", where, ". The network keeps its last ",
                "finite parameters, ", kept, ". Try a smaller learning rate ",
                "(`lr`), or standardise the inputs.")
  warning(structure(class = c("nnfs_warning_diverged", "nnfs_warning", "warning",
                              "condition"),
                    list(message = msg, call = NULL)))
}

# The tail every front door shares: train `net` (holding its starting
# parameters and layer specs) on coerced data `train` and `val` (NULL for
# none) with the validated settings `s`, and record the result in it.
train_network <- function(net, train, val, s, warm_start) {
  if (s$epochs == 0L) {
    # the articles' network before its first epoch, for teaching
    h <- task_history(empty_history(), net$task, s$C, n_outputs(net))
    net$history <- continue_history(warm_start, h)
    if (!is.null(warm_start)) net$optimizer_state <- warm_start$optimizer_state
    return(label_activations(net))
  }
  opts <- engine_options(s$epochs, s$mini_batch_size, s$lr, s$C, s$optimizer,
                         s$momentum, s$beta1, s$beta2, s$rho, s$epsilon,
                         s$l1, s$l2, if (is.null(s$patience)) 0L else s$patience)
  if (s$verbose)
    opts <- c(opts, progress_reporter(s$epochs, ceiling(nrow(train$x) / s$mini_batch_size),
                                      net$task, s$C, n_outputs(net), !is.null(val)))
  opts$state <- warm_state(warm_start, net, s$optimizer, nrow(train$x))
  opts$precision <- s$precision
  fit <- engine_fit(net$layers, network_params(net), train$x, train$y,
                    val$x, val$y, opts)
  net <- set_network_params(net, fit$params)
  net$optimizer_state <- c(list(optimizer = s$optimizer), fit$state)
  fit$history <- task_history(fit$history, net$task, s$C, n_outputs(net))
  net$history <- continue_history(warm_start, fit$history)
  net$epochs_run <- fit$epochs_run
  if (!is.null(s$patience)) net$best_epoch <- fit$best_epoch
  label_activations(net)
}

# The training state a warm start continues (C_train's `state`): the
# optimizer's state slots (velocities, or moments; each a list shaped like
# the network's parameters, one named list of tensors per layer), its step
# count, and the order of the samples the last epoch's shuffle left, so
# that 5 epochs and 5 more give the 10 epochs of one call. None (a fresh
# start) when `old` has none (saved by 0.1.0) or used another optimizer;
# the order restarts when the data have another number of samples.
warm_state <- function(old, net, optimizer, n) {
  st <- if (is.null(old)) NULL else old$optimizer_state
  if (is.null(st) || !identical(st$optimizer, optimizer)) return(NULL)
  params <- trainable_params(net)
  fits <- function(slot) {
    is.list(slot) && length(slot) == length(params) &&
      all(mapply(function(s, p) {
        if (is.null(p)) return(is.null(s))
        is.list(s) && identical(names(s), names(p)) &&
          all(mapply(function(a, b) is.double(a) && length(a) == length(b) &&
                       all_finite(a), s, p))
      }, slot, params))
  }
  # the layers with tensors in order: dropout layers may come and go
  with <- !vapply(params, is.null, NA)
  realign <- function(slot) {
    slot <- Filter(Negate(is.null), slot)
    if (length(slot) != sum(with)) return(NULL)
    out <- vector("list", length(params))
    out[with] <- slot
    out
  }
  slots <- engine_tables()$slots[[optimizer]]
  if (is.list(st$slots)) st$slots <- lapply(st$slots, realign)
  ok <- is.list(st$slots) && identical(names(st$slots), slots) &&
    all(vapply(st$slots, fits, NA)) &&
    is.numeric(st$step) && length(st$step) == 1L && is.finite(st$step) &&
    st$step >= 0 && is.integer(st$order)
  if (!ok)
    model_error("`warm_start` has an optimizer state that does not fit its ",
                "network (was it edited?).")
  order <- if (length(st$order) == n) st$order else seq_len(n) - 1L
  if (length(st$order) == n && !identical(sort(st$order), seq_len(n) - 1L))
    model_error("`warm_start` has a sample order that is not a permutation ",
                "(was it edited?).")
  list(slots = st$slots, step = as.double(st$step), order = order)
}

# What verbose training says, through message() so that suppressMessages()
# quiets it: one line per epoch and, in interactive sessions, the batches
# done within long epochs (about fifty updates an epoch, on one line).
# Returns the on_epoch, on_batch and tick settings of C_train.
progress_reporter <- function(epochs, n_batches, task, cost, k, has_val) {
  regression <- identical(task, "regression")
  metric <- function(loss, acc) {
    if (!regression) return(sprintf("loss %.4f, accuracy %.4f", loss, acc))
    if (cost != "mse") return(sprintf("loss %.4f", loss))
    sprintf("loss %.4f, RMSE %.4f", loss, loss_rmse(loss, cost, k))
  }
  live <- interactive() && n_batches >= 100L
  on_epoch <- function(v) {
    line <- sprintf("Epoch %d/%d: %s", as.integer(v[1L]), epochs, metric(v[2L], v[3L]))
    if (has_val) line <- paste0(line, " | validation ", metric(v[4L], v[5L]))
    message(if (live) "\r", line)
  }
  on_batch <- function(v)
    message(sprintf("\rEpoch %d/%d: batch %d/%d", as.integer(v[1L]), epochs,
                    as.integer(v[2L]), as.integer(v[3L])), appendLF = FALSE)
  list(on_epoch = on_epoch, on_batch = if (live) on_batch,
       tick = max(1L, n_batches %/% 50L))
}

# The engine counts accuracy for every network; a regression network has
# none, and reports the root mean squared error over its outputs instead,
# which the quadratic cost gives: loss = 0.5 * sum of squares / n.
task_history <- function(h, task, cost, k) {
  if (!identical(task, "regression")) return(h)
  data.frame(epoch = h$epoch, loss = h$loss, rmse = loss_rmse(h$loss, cost, k),
             val_loss = h$val_loss, val_rmse = loss_rmse(h$val_loss, cost, k))
}

# RMSE over k outputs from the mean quadratic cost; NA for other costs.
loss_rmse <- function(loss, cost, k) {
  if (cost == "mse") sqrt(2 * loss / k) else rep(NA_real_, length(loss))
}

empty_history <- function() {
  data.frame(epoch = integer(), loss = double(), accuracy = double(),
             val_loss = double(), val_accuracy = double())
}

# Outputs of the last layer, one row per sample (n x k).
engine_predict <- function(layers, params, x, precision = "double") {
  xs <- engine_samples(x, precision)
  t(.Call(engine_entry("C_predict", precision), layers, params, xs$x, xs$rows,
          nnfs_threads()))
}

# Mean loss over (x, y) and its gradient for every parameter, by
# backpropagation, without dropout or penalties.
engine_backprop <- function(layers, params, x, y, cost = "ce",
                            precision = "double") {
  .Call(engine_entry("C_backprop", precision), layers, params, samples_to_columns(x),
        samples_to_columns(y),
        list(cost = cost, threads = nnfs_threads()))
}

# ---- size limits -------------------------------------------------------------

# Numbers of values in the tensors of a layer spec, c(weights, others):
# the penalized ones (W) and the rest (biases, batch normalisation's
# scales, shifts and running statistics), as doubles (a product of sizes
# can pass the integer range), from the engine's own description.
spec_param_counts <- function(s) {
  t <- spec_tensors(s)
  c(sum(t$n[t$penalized]), sum(t$n[!t$penalized]))
}

# Refuse a network the engine cannot hold before anything is allocated: the
# kernels count a layer's weights in int, and the parameters (the result, the
# copy being trained and the copy of the epoch's start kept in case it
# diverges), gradients, optimizer state (and its copy of the epoch's start),
# the sample order (two copies), batch buffers and the engine's copy of the
# training data must fit in the memory available.
# `arg` names the argument that set the sizes.
check_engine_memory <- function(layers, batch, n, optimizer, arg,
                                precision = "double") {
  counts <- vapply(layers, spec_param_counts, c(0, 0))
  w <- counts[1L, ]
  b <- counts[2L, ]
  big <- which(w > .Machine$integer.max)
  if (length(big))
    arg_error("`", arg, "` asks for ", format_count(w[big[1L]]),
              " weights in layer ", big[1L], "; a layer can have at most ",
              format_count(.Machine$integer.max), ".")
  cap <- max(min(batch, n), min(n, 256))
  slots <- if (optimizer == "sgd") 4 else 8
  acts <- sum(vapply(layers, function(s) as.double(s$n_out), 0))
  # conv2d keeps per-sample weight-gradient partials for the batch
  conv <- sum(w[vapply(layers, function(s) s$kind == "conv2d", NA)])
  # the training data (engine_samples(), engine_fit()): a copy when it
  # fits nnfs.copy_limit; else byte codes when those fit, or a chunk of a
  # quarter of the rows, at most the limit (and at least a batch)
  values <- as.double(n) * layers[[1L]]$n_in
  bytes <- if (precision == "single") 4 else 8
  limit <- nnfs_copy_limit()
  data <- bytes * values
  if (data > limit)
    data <- max(if (values <= limit) values else 0,
                min(data / 4, max(limit, bytes * layers[[1L]]$n_in * min(batch, n))))
  need <- 8 * (slots * sum(w + b) + 3 * cap * acts + min(batch, n) * conv + n) + data
  avail <- memory_available()
  if (!is.na(avail) && need > avail)
    arg_error("`", arg, "` with batches of ", min(batch, n), " needs about ",
              format_bytes(need), " for the parameters, gradients, batch ",
              "buffers and working copy of the data, but only ",
              format_bytes(avail), " of memory is available (option ",
              "`nnfs.max_memory`).")
  invisible(need)
}

# The engine allocates the training history (four doubles an epoch: loss,
# accuracy and their validation values) before the first epoch, so a huge
# `epochs` asks for that memory at once, whatever the network: refuse it
# when it cannot fit (every front door calls the argument `epochs`).
check_history_memory <- function(epochs) {
  need <- 32 * as.double(epochs)
  avail <- memory_available()
  if (!is.na(avail) && need > avail)
    arg_error("`epochs` (", format_count(epochs), ") needs about ",
              format_bytes(need), " for the training history (four numbers ",
              "an epoch), but only ", format_bytes(avail), " of memory is ",
              "available (option `nnfs.max_memory`).")
  invisible(need)
}

# Bytes the engine may use: option nnfs.max_memory, else the memory the
# system reports as available (Linux), else NA (no limit known).
memory_available <- function() {
  m <- getOption("nnfs.max_memory")
  if (!is.null(m)) {
    if (!is.numeric(m) || length(m) != 1L || is.na(m) || m <= 0)
      arg_error("option `nnfs.max_memory` must be a positive number of ",
                "bytes, not ", describe(m), ".")
    return(as.double(m))
  }
  info <- tryCatch(readLines("/proc/meminfo", warn = FALSE),
                   error = function(e) character(), warning = function(w) character())
  kb <- function(key) {
    v <- grep(paste0("^", key, ":"), info, value = TRUE)
    if (length(v)) as.double(gsub("[^0-9]", "", v[1L])) * 1024 else NA_real_
  }
  a <- kb("MemAvailable")
  if (is.na(a)) NA_real_ else a + max(0, kb("SwapFree"), na.rm = TRUE)
}

format_count <- function(x) formatC(x, format = "f", digits = 0, big.mark = ",")

format_bytes <- function(x) {
  units <- c("bytes", "kB", "MB", "GB", "TB", "PB")
  i <- max(1L, min(length(units), floor(log(x, 1000)) + 1L))
  if (i == 1L) paste(x, "bytes") else sprintf("%.1f %s", x / 1000^(i - 1L), units[i])
}

# ---- validity of a network object -------------------------------------------

# A trained network is a plain list that users can edit; before any of it
# reaches the engine, check that its layer specs chain, its geometry is
# consistent and its parameters have the sizes the specs imply, and that the
# precision it will run in (`precision`; NULL: its own, which a warm start
# replaces by the new training's) can hold its numbers.
check_network <- function(net, arg, precision = NULL) {
  if (!inherits(net, "nnfs_network"))
    arg_error("`", arg, "` must be a network returned by neuralnetwork() or ",
              "cnn(), not ", describe(net), ".")
  bad <- function(...) model_error("`", arg, "` is not a valid nnfs network (was ",
                                   "it edited?): ", ..., ".")
  # the settings the engine reads: the cost (grad_check(), backprop_trace()
  # and evaluate() pass it on) and the precision
  st <- net$settings
  if (!is.list(st)) bad("its `settings` are not a list")
  cost <- st$C
  if (!(is.character(cost) && length(cost) == 1L && cost %in% engine_tables()$costs))
    bad("its cost (`settings$C`) is not one of ",
        paste0("\"", engine_tables()$costs, "\"", collapse = ", "))
  own <- st$precision
  if (!is.null(own) && !(is.character(own) && length(own) == 1L &&
                         own %in% c("double", "single")))
    bad("its precision is neither \"double\" nor \"single\"")
  single <- identical(precision %||% own, "single")
  # a finite double beyond float's range becomes infinite in single precision
  beyond <- function(v) single && any(abs(v) > float_max)
  why <- if (identical(precision, "single") && !identical(own, "single"))
    " for training in single precision" else ""
  specs <- net$layers
  if (!is.list(specs) || length(specs) < 1L) bad("it has no layers")
  prev <- NULL
  infos <- vector("list", length(specs))
  for (i in seq_along(specs)) {
    s <- specs[[i]]
    name_ok <- function(v) is.character(v) && length(v) == 1L && !is.na(v)
    if (!is.list(s) || !name_ok(s$kind) || !name_ok(s$act) ||
        !all(vapply(s[c("n_in", "n_out")], function(v)
          is.integer(v) && length(v) == 1L && !is.na(v), NA)))
      bad("layer ", i, " is not a layer description")
    tables <- engine_tables()
    if (!(s$kind %in% tables$layers) || !(s$act %in% tables$activations) ||
        s$n_in < 1L || s$n_out < 1L)
      bad("layer ", i, " has an unknown kind, activation or size")
    if (!is.null(prev) && s$n_in != prev)
      bad("layer ", i, " takes ", s$n_in, " inputs but the layer before gives ", prev)
    num1 <- function(v) is.numeric(v) && length(v) == 1L
    if (!num1(s$slope) || !is.finite(s$slope) ||
        !num1(s$rate) || !isTRUE(s$rate >= 0 && s$rate < 1))
      bad("layer ", i, " has an invalid slope or dropout rate")
    if (!all(vapply(s[intersect(c("eps", "momentum"), names(s))], num1, NA)))
      bad("layer ", i, " has an invalid epsilon or momentum")
    if (!is.null(s$geom) && (!is.integer(s$geom) || length(s$geom) != 11L))
      bad("layer ", i, " has an inconsistent geometry")
    # the rules of each kind (geometry, sizes, rates) are the engine's own
    info <- engine_layer_info(s)
    if (!is.null(info$problem)) bad("layer ", i, " has ", info$problem)
    infos[[i]] <- info$tensors
    prev <- s$n_out
  }
  with_params <- specs[vapply(specs, has_params, NA)]
  if (!is.list(net$weights) || !is.list(net$biases) ||
      length(net$weights) != length(with_params) ||
      length(net$biases) != length(with_params))
    bad("it needs one weight and one bias array per layer with parameters (",
        length(with_params), ")")
  for (j in seq_along(with_params)) {
    s <- with_params[[j]]
    n <- spec_param_counts(s)
    nw <- n[1L]
    nb <- n[2L]
    W <- net$weights[[j]]
    b <- net$biases[[j]]
    if (!is.double(W) || length(W) != nw || !is.double(b) || length(b) != nb)
      bad("the parameters of layer ", j, " must be ", format_count(nw),
          " weights and ", nb, " biases (doubles)")
    if (!all_finite(W) || !all_finite(b))
      bad("the parameters of layer ", j, " are not all finite")
    if (beyond(W) || beyond(b))
      bad("the parameters of layer ", j, " are not all within the range of ",
          "single precision (", format(float_max, digits = 3), ")", why)
  }
  # the other layers' tensors (batch normalisation): net$tensors, one
  # element per layer, NULL for layers without any (or no field at all)
  tens <- net$tensors
  if (!is.null(tens) && (!is.list(tens) || length(tens) != length(specs)))
    bad("`tensors` must have one element per layer (", length(specs), ")")
  for (i in which(!vapply(specs, has_params, NA))) {
    t <- infos[[i]]
    got <- if (is.null(tens)) NULL else tens[[i]]
    if (!length(t$name)) {
      if (!is.null(got)) bad("layer ", i, " has no tensors but `tensors` holds some")
      next
    }
    ok <- is.list(got) && identical(names(got), t$name) &&
      all(vapply(got, is.double, NA)) && all(lengths(got) == t$n)
    if (!ok)
      bad("layer ", i, " (", specs[[i]]$kind, ") must hold the tensors ",
          paste0(t$name, " (", format_count(t$n), ")", collapse = ", "),
          ", doubles, in `tensors`")
    if (!all(vapply(got, all_finite, NA)))
      bad("the tensors of layer ", i, " are not all finite")
    if (any(vapply(got, beyond, NA)))
      bad("the tensors of layer ", i, " are not all within the range of ",
          "single precision (", format(float_max, digits = 3), ")", why)
    neg <- t$nonnegative & vapply(got, function(v) any(v < 0), NA)
    if (any(neg))
      bad("layer ", i, " (", specs[[i]]$kind, ") has a negative `",
          t$name[neg][1L], "`")
  }
  if (single) {
    problem <- single_spec_problem(specs)
    if (!is.null(problem)) bad(problem, why)
  }
  d <- net$input_dim
  if (!is.numeric(d) || !length(d) || anyNA(d) || prod(d) != specs[[1L]]$n_in)
    bad("`input_dim` does not match the first layer's ", specs[[1L]]$n_in, " inputs")
  invisible(net)
}
