# Threads on an idle and on a busy machine: training times with one
# thread, with the default count (nnfs_threads(), 2 here) on every batch
# (`nnfs.adaptive_threads = FALSE`), and with the default policy, for a
# dense network and two CNNs, in one run so that the ratios are
# comparable; and what a parallel region costs here, from which
# src/threads.c sets its thresholds.
#
# "Busy" means one busy-loop process (`sh -c 'while :; do :; done'`)
# holding a core for the duration, killed afterwards. Each time is the
# median of `reps` runs, the modes alternating within each repetition.
#
# "Idle" waits (up to `idle_wait` minutes) until the processors have been
# at least 95% idle for 5 s in a row (/proc/stat), since the machine is
# shared; the results say whether it got there.
#
# Usage (from the package root, with nnfs installed and
# `apt-get install -y dataset-fashion-mnist`):
#   Rscript bench/threads.R [results-file] [reps] [idle_wait]
suppressPackageStartupMessages(library(nnfs))
args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args) >= 1) args[1] else "bench/threads-results.md"
reps <- if (length(args) >= 2) as.integer(args[2]) else 5L
idle_wait <- if (length(args) >= 3) as.numeric(args[3]) else 0
fm_dir <- "/usr/share/datasets/fashion-mnist"
stopifnot(dir.exists(fm_dir), file.exists("bench/barrier.c"))

# ---- a busy core ----
busy_start <- function() {
  pid <- system("timeout 900 sh -c 'while :; do :; done' >/dev/null 2>&1 & echo $!",
                intern = TRUE)
  Sys.sleep(0.5)
  as.integer(pid)
}
busy_stop <- function(pid) { tools::pskill(pid); Sys.sleep(0.5) }

# idle and total jiffies of all processors (/proc/stat)
cpu_ticks <- function() {
  v <- as.numeric(strsplit(readLines("/proc/stat", 1L), " +")[[1]][-1])
  c(idle = v[4] + v[5], total = sum(v[1:8]))
}
wait_idle <- function(minutes) {
  deadline <- Sys.time() + 60 * minutes
  quiet <- 0
  while (Sys.time() < deadline) {
    a <- cpu_ticks(); Sys.sleep(1); b <- cpu_ticks()
    d <- b - a
    quiet <- if (d[["idle"]] >= 0.95 * d[["total"]]) quiet + 1 else 0
    if (quiet >= 5) return(TRUE)
  }
  FALSE
}

# ---- the cost of a parallel region ----
cc <- system2("R", c("CMD", "config", "CC"), stdout = TRUE)
makeconf <- readLines(file.path(R.home("etc"), "Makeconf"))
omp <- sub("^SHLIB_OPENMP_CFLAGS *= *", "",
           grep("^SHLIB_OPENMP_CFLAGS *=", makeconf, value = TRUE)[1])
exe <- tempfile("barrier")
stopifnot(system(paste(cc, omp, "-O2 bench/barrier.c -o", exe)) == 0)
barrier <- function() as.numeric(strsplit(system(paste(exe, 2), intern = TRUE), " ")[[1]][1:3])

# one core's rate of small products (multiply-adds per microsecond), at
# sizes near the threshold of src/threads.c
mac_rate <- function() {
  gemm <- getFromNamespace("nnfs_gemm", "nnfs")
  A <- matrix(runif(128 * 256), 128); B <- matrix(runif(256 * 16), 256)
  n <- 1000
  t <- system.time(for (i in seq_len(n)) gemm(A, B, threads = 1L))[["elapsed"]]
  128 * 256 * 16 * n / (t * 1e6)
}

# ---- workloads ----
fm <- read_mnist(fm_dir)
n_dense <- 12000; n_cnn <- 6000
dense <- list(x = fm$train$x[1:n_dense, ], y = fm$train$y[1:n_dense])
fcnn <- list(x = as_images(fm$train$x[1:n_cnn, ], 28), y = fm$train$y[1:n_cnn])
rm(fm)
set.seed(1)
idx <- sample(nrow(digits))[1:1400]
dig <- list(x = as_images(as.matrix(digits[idx, 1:64]) / 16, 8),
            y = digits$digit[idx])

workloads <- list(
  dense = list(
    label = sprintf("784-256-128-10 ReLU, batch 128, %d images, 1 epoch", n_dense),
    run = function() neuralnetwork(c(784, 256, 128, 10), dense, 1, 128, 0.1,
                                   activation = "relu", output = "softmax")),
  fashion_cnn = list(
    label = sprintf("CNN conv 5x5x8, pool 2, dense 10, batch 32, %d Fashion-MNIST images, 1 epoch", n_cnn),
    run = function() cnn(list(layer_conv2d(8, 5), layer_maxpool2d(2),
                              layer_flatten(), layer_dense(10, "softmax")),
                         fcnn, 1, 32, 0.1)),
  digits_cnn = list(
    label = "digits CNN conv 3x3x16 same, pool 2, dense 10, batch 16, 1400 images, 40 epochs",
    run = function() cnn(list(layer_conv2d(16, 3, padding = "same"), layer_maxpool2d(2),
                              layer_flatten(), layer_dense(10, "softmax")),
                         dig, 40, 16, 0.05, optimizer = "momentum"))
)

modes <- list(one = list(1L, TRUE), fixed = list(NULL, FALSE),
              default = list(NULL, TRUE))
time_it <- function(w, mode) {
  options(nnfs.threads = mode[[1]], nnfs.adaptive_threads = mode[[2]])
  on.exit(options(nnfs.threads = NULL, nnfs.adaptive_threads = NULL))
  set.seed(2)
  system.time(w$run())[["elapsed"]]
}

measure <- function() {
  res <- list()
  for (r in seq_len(reps)) for (nm in names(workloads)) {
    for (m in if (r %% 2) names(modes) else rev(names(modes)))
      res[[length(res) + 1]] <- data.frame(workload = nm, mode = m,
                                           secs = time_it(workloads[[nm]], modes[[m]]))
  }
  res <- do.call(rbind, res)
  aggregate(secs ~ workload + mode, res, median)
}

machine <- function() {
  top <- system("ps -eo pcpu,comm --sort=-pcpu | sed -n 2,4p", intern = TRUE)
  sprintf("load average %s; busiest processes: %s",
          paste(strsplit(readLines("/proc/loadavg"), " ")[[1]][1:3], collapse = " "),
          paste(trimws(top), collapse = ", "))
}

for (nm in names(workloads)) invisible(time_it(workloads[[nm]], modes$default))   # warm-up
cond <- list()
for (state in c("idle", "busy")) {
  pid <- if (state == "busy") busy_start()
  quiet <- if (state == "idle" && idle_wait > 0) wait_idle(idle_wait) else NA
  note <- machine()
  if (!is.na(quiet))
    note <- paste0(note, if (quiet) "; the processors were at least 95% idle for 5 s before the run"
                         else sprintf("; the machine did not become quiet within %g minutes", idle_wait))
  b <- barrier()
  med <- measure()
  if (!is.null(pid)) busy_stop(pid)
  cond[[state]] <- list(note = note, barrier = b, med = med)
  cat(state, ": ", note, "\n", sep = "")
  print(med)
}
macs <- mac_rate()

cpu <- sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"), value = TRUE)[1])
fmt <- function(v, d = 2) formatC(v, format = "f", digits = d)
row <- function(state, nm) {
  m <- cond[[state]]$med
  one <- m$secs[m$workload == nm & m$mode == "one"]
  fix <- m$secs[m$workload == nm & m$mode == "fixed"]
  def <- m$secs[m$workload == nm & m$mode == "default"]
  sprintf("| %s | %s | %s | %s | %s | %s | %s |", state, workloads[[nm]]$label,
          fmt(one, 3), fmt(fix, 3), fmt(def, 3), fmt(fix / one), fmt(def / one))
}
lines <- c(
  "# Threads: one thread, two on every batch, and the default policy, idle and with a busy core",
  "",
  sprintf("Recorded %s by `Rscript bench/threads.R` (%d repetitions, medians) on %s, %d cores, %s; default thread count %d.",
          format(Sys.time(), "%Y-%m-%d %H:%M %Z"), reps, cpu,
          parallel::detectCores(), R.version.string, nnfs:::nnfs_threads()),
  "",
  "| machine | workload | one thread (s) | 2 threads, every batch (s) | default (s) | every batch / one | default / one |",
  "|---|---|---|---|---|---|---|",
  unlist(lapply(c("idle", "busy"), function(s)
    vapply(names(workloads), function(nm) row(s, nm), "")))
  ,
  "",
  "Cost of a parallel region of two threads (fork and join) and of a barrier, in microseconds, and one core's rate of a simple element loop (`bench/barrier.c`, medians of 7):",
  "",
  "| machine | region (us) | barrier (us) | element loop (per us) |",
  "|---|---|---|---|",
  sprintf("| %s | %s | %s | %s |", c("idle", "busy"),
          fmt(c(cond$idle$barrier[1], cond$busy$barrier[1])),
          fmt(c(cond$idle$barrier[2], cond$busy$barrier[2])),
          fmt(c(cond$idle$barrier[3], cond$busy$barrier[3]), 0)),
  "",
  sprintf("One core's rate of small products (128 x 256 by 256 x 16, through `.Call`): %s multiply-adds per microsecond.", fmt(macs, 0)),
  "",
  sprintf("Machine while measuring: idle: %s. Busy: %s.", cond$idle$note, cond$busy$note))
writeLines(lines, out_file)
cat(lines, sep = "\n")
