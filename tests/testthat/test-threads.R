# The thread policy (R/threads.R, src/threads.c): the default count and its
# checks, forked and PSOCK workers, and an interrupt in a forked worker.
# Results not depending on the count is tested in test-train.R.

with_env <- function(vars, code) {
  old <- Sys.getenv(names(vars), unset = NA, names = TRUE)
  on.exit(for (v in names(old))
    if (is.na(old[[v]])) Sys.unsetenv(v) else do.call(Sys.setenv, as.list(old[v])))
  do.call(Sys.setenv, as.list(vars))
  force(code)
}

test_that("the default thread count respects OpenMP's variables and mc.cores", {
  old <- options(nnfs.threads = NULL, mc.cores = NULL)
  on.exit(options(old))
  avail <- threads_info()$available
  expect_false(threads_info()$forked)
  with_env(c(OMP_NUM_THREADS = "", OMP_THREAD_LIMIT = "", MC_CORES = ""), {
    expect_identical(nnfs_threads(), as.integer(min(2L, avail)))
    with_env(c(OMP_NUM_THREADS = "1"), expect_identical(nnfs_threads(), 1L))
    with_env(c(OMP_NUM_THREADS = "1,4"), expect_identical(nnfs_threads(), 1L))
    with_env(c(OMP_THREAD_LIMIT = "1"), expect_identical(nnfs_threads(), 1L))
    with_env(c(MC_CORES = as.character(avail)),
             expect_identical(nnfs_threads(), 1L))
    options(mc.cores = avail)
    expect_identical(nnfs_threads(), 1L)
    options(mc.cores = NULL, nnfs.threads = 3)
    # an explicit option wins (the C side still caps it at the processors)
    with_env(c(OMP_NUM_THREADS = "1"), expect_identical(nnfs_threads(), 3L))
  })
})

test_that("bad thread settings are errors that name the setting", {
  old <- options(nnfs.threads = NULL, mc.cores = NULL,
                 nnfs.adaptive_threads = NULL)
  on.exit(options(old))
  expect_snapshot(error = TRUE, {
    with_env(c(OMP_NUM_THREADS = "two"), nnfs_threads())
  })
  expect_snapshot(error = TRUE, {
    with_env(c(OMP_THREAD_LIMIT = "0"), nnfs_threads())
  })
  expect_snapshot(error = TRUE, {
    with_env(c(MC_CORES = "-1"), nnfs_threads())
  })
  expect_snapshot(error = TRUE, {
    options(mc.cores = 0)
    nnfs_threads()
  })
  expect_snapshot(error = TRUE, {
    options(mc.cores = NULL, nnfs.threads = 1.5)
    nnfs_threads()
  })
  expect_snapshot(error = TRUE, {
    options(nnfs.threads = Inf)
    neuralnetwork(c(4, 3), iris_xy(), 1, 10, 0.1)
  })
  expect_snapshot(error = TRUE, {
    options(nnfs.threads = NULL, nnfs.adaptive_threads = "yes")
    neuralnetwork(c(4, 3), iris_xy(), 1, 10, 0.1)
  })
})

# A training large enough for gemm to open parallel regions (a 300 x 100
# by 16 product), returning what the workers are compared on.
fork_fit <- function(i) {
  set.seed(42)
  x <- matrix(runif(300 * 100), 300)
  y <- factor(sample(1:3, 300, TRUE))
  net <- nnfs::neuralnetwork(c(100, 300, 3), list(x = x, y = y), 3, 16, 0.1)
  list(weights = net$weights, prob = stats::predict(net, x[1:20, ], type = "prob"),
       forked = nnfs:::threads_info()$forked, threads = nnfs:::nnfs_threads())
}

test_that("forked workers train after the parent has trained, and agree with it", {
  skip_on_cran()
  skip_on_os("windows")
  skip_if_not_installed("callr")
  # in a child R process, so that a hang is a timeout, not a stuck test run
  res <- callr::r(function(fit) {
    options(nnfs.threads = 2)
    parent <- fit(0)                       # the OpenMP pool now exists
    kids <- parallel::mclapply(1:2, fit, mc.cores = 2)
    list(parent = parent, kids = kids)
  }, list(fork_fit), libpath = .libPaths(), timeout = 120)
  expect_false(res$parent$forked)
  expect_length(res$kids, 2L)
  for (kid in res$kids) {
    expect_true(kid$forked)
    expect_identical(kid$threads, 1L)
    expect_identical(kid$weights, res$parent$weights)
  }
})

test_that("a PSOCK cluster trains, with the same result as this session", {
  skip_on_cran()
  skip_if_not_installed("callr")
  local <- fork_fit(0)
  res <- callr::r(function(fit, lib) {
    cl <- parallel::makePSOCKcluster(2)
    on.exit(parallel::stopCluster(cl))
    parallel::clusterCall(cl, function(lib) invisible(.libPaths(lib)), lib)
    parallel::parLapply(cl, 1:2, fit)
  }, list(fork_fit, .libPaths()), libpath = .libPaths(), timeout = 120)
  expect_length(res, 2L)
  for (w in res) {
    expect_false(w$forked)
    expect_identical(w$weights, local$weights)
  }
})

test_that("SIGINT to a forked worker in training leaves the parent usable", {
  skip_on_cran()
  skip_on_os("windows")
  skip_if_not_installed("callr")
  res <- callr::r(function(fit, marker) {
    options(nnfs.threads = 2)
    before <- fit(0)
    # about a minute of single-sample steps unless interrupted; the worker
    # handles the interrupt itself (else callr's handler, inherited
    # through fork(), would report it as this process's)
    job <- parallel::mcparallel(tryCatch({
      set.seed(5)
      x <- matrix(runif(2000 * 100), 2000)
      y <- factor(sample(1:10, 2000, TRUE))
      file.create(marker)
      nnfs::neuralnetwork(c(100, 200, 10), list(x = x, y = y), 2000, 1, 0.1)
    }, interrupt = function(cnd) "interrupted"))
    on.exit(tools::pskill(job$pid, tools::SIGKILL))
    deadline <- Sys.time() + 30
    while (!file.exists(marker) && Sys.time() < deadline) Sys.sleep(0.05)
    started <- file.exists(marker)
    Sys.sleep(1)                             # well inside the training
    tools::pskill(job$pid, tools::SIGINT)
    t0 <- Sys.time()
    out <- parallel::mccollect(job, wait = TRUE)
    waited <- as.numeric(Sys.time() - t0, units = "secs")
    list(started = started, out = out, waited = waited,
         before = before, after = fit(0))
  }, list(fork_fit, tempfile()), libpath = .libPaths(), timeout = 120)
  expect_true(res$started)
  # the worker stopped on the interrupt, well before the minute its
  # training would have taken
  expect_identical(res$out[[1L]], "interrupted")
  expect_lt(res$waited, 30)
  expect_false(res$after$forked)
  # and the parent trains and predicts as before the worker was interrupted
  expect_identical(res$after$weights, res$before$weights)
  expect_identical(res$after$prob, res$before$prob)
  expect_true(all(is.finite(res$after$prob)))
})
