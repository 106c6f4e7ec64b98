#!/usr/bin/env bash
# Every performance benchmark in one command, from the package root:
#
#   bash bench/run.sh [output-directory]
#
# Installs the package and what the peers need (Fashion-MNIST, PyTorch CPU,
# OpenBLAS; Debian packages, used by the benchmarks only), then runs the
# Fashion-MNIST benchmarks in turn: dense networks (mlp.R), the CNN
# (cnn.R), peak memory (memory.R), single against double accuracy over
# seeds (accuracy.R). Each writes its Markdown table to the
# output directory (default /tmp/nnfs-bench) and prints it. The recorded
# bench/*-results.md came from the same scripts, with notes added by hand.
# The other scripts (gemm.R, logistic.R, convolution.R) run on their own.
# About 6 minutes on a 2-core machine (once the peers are installed).
set -euo pipefail
cd "$(dirname "$0")/.."
peers="dataset-fashion-mnist python3-torch libopenblas0-pthread"
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  # a fresh machine's package lists may be empty: update them and retry
  apt-get install -y -q $peers >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q $peers >/dev/null; } ||
    echo "peers not installed; their columns stay NA"
fi
out=${1:-/tmp/nnfs-bench}
mkdir -p "$out"
R CMD INSTALL . >/dev/null
for b in mlp cnn memory accuracy; do
  echo "== bench/$b.R -> $out/$b-results.md"
  Rscript "bench/$b.R" "$out/$b-results.md"
done
