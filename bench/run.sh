#!/usr/bin/env bash
# Every performance benchmark in one command, from the package root:
#
#   bash bench/run.sh
#
# Installs the package and what the peers need (Fashion-MNIST, PyTorch CPU,
# OpenBLAS; Debian packages, used by the benchmarks only), then runs the
# Fashion-MNIST benchmarks in turn, each writing its bench/*-results.md:
# dense networks (mlp.R), the CNN (cnn.R), peak memory (memory.R). The
# other scripts (gemm.R, logistic.R, convolution.R) run the same way on
# their own. About 10 minutes on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get install -y -q dataset-fashion-mnist python3-torch \
    libopenblas0-pthread >/dev/null || echo "peers not installed; their columns stay NA"
fi
R CMD INSTALL . >/dev/null
for b in mlp cnn memory; do
  echo "== bench/$b.R"
  Rscript "bench/$b.R"
done
