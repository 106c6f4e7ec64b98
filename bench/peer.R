# The PyTorch peer, shared by bench/mlp.R and bench/cnn.R: runs one of the
# scripts in ../shared/peers and reads its result line. Those scripts import
# torch_setup.py first, which keeps OpenBLAS on one thread under torch's two
# (no oversubscription) and reports `blas_gflops`, the float32 GFLOP/s of
# one 512^3 product on the BLAS torch got. Below 20 torch is running on the
# reference BLAS (about 5 GFLOP/s), a crippled peer: its time is refused
# (NA) and the reason kept for the results' notes.
peer_dir <- normalizePath("../shared/peers", mustWork = FALSE)
peer_python <- "/usr/bin/python3"
peer_min_gflops <- 20

# c(sec_per_epoch, test_acc, blas_gflops), NA where missing or refused
run_peer <- function(script, args) {
  path <- file.path(peer_dir, script)
  if (!file.exists(path) || !file.exists(peer_python)) return(c(NA, NA, NA))
  out <- tryCatch(system2(peer_python, c(path, args), stdout = TRUE, stderr = FALSE),
                  error = function(e) "")
  line <- grep("sec_per_epoch", out, value = TRUE)
  if (!length(line)) return(c(NA, NA, NA))
  num <- function(key) as.numeric(sub(sprintf(".*%s=([0-9.]+).*", key), "\\1", line[1]))
  g <- num("blas_gflops")
  if (is.na(g) || g < peer_min_gflops) return(c(NA, NA, g))
  c(num("sec_per_epoch"), num("test_acc"), g)
}

# One line for the results: which BLAS the peer ran on.
peer_note <- function(gflops) {
  g <- gflops[!is.na(gflops)]
  if (!length(g)) return("PyTorch: not installed or did not run (n/a).")
  if (any(g < peer_min_gflops))
    return(sprintf(paste("PyTorch refused: its BLAS ran a float32 512^3 product at",
                         "%.0f GFLOP/s (< %d: the reference BLAS; install",
                         "libopenblas0-pthread)."), min(g), peer_min_gflops))
  sprintf(paste("PyTorch CPU (float32, torch's 2 threads, OpenBLAS on 1 thread under",
                "them): its BLAS ran a float32 512^3 product at blas_gflops=%.0f."),
          min(g))
}
