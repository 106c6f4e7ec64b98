#!/usr/bin/env bash
# Install what building, checking and testing nnfs needs on a fresh Debian
# machine: pandoc and the R packages for vignettes and tests, and the
# Fashion-MNIST data set used by some tests. Falls back to CRAN for the R
# packages if Debian's are not available.
set -u
need_pkgs="knitr rmarkdown png testthat"
missing=$(Rscript -e "p <- strsplit('$need_pkgs', ' ')[[1]]; cat(p[!vapply(p, requireNamespace, logical(1), quietly = TRUE)])")
debs=""
command -v pandoc >/dev/null 2>&1 || debs="$debs pandoc"
[ -d /usr/share/datasets/fashion-mnist ] || debs="$debs dataset-fashion-mnist"
for p in $missing; do debs="$debs r-cran-$p"; done
if [ -n "$debs" ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq $debs >/dev/null 2>&1 || echo "install-deps: apt-get could not install:$debs"
fi
Rscript -e "p <- strsplit('$need_pkgs', ' ')[[1]]; p <- p[!vapply(p, requireNamespace, logical(1), quietly = TRUE)]; if (length(p)) install.packages(p, repos = 'https://cloud.r-project.org')"
