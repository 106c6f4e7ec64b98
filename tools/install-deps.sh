#!/usr/bin/env bash
# Install what building, checking and testing nnfs needs on a fresh Debian
# machine: pandoc and the R packages for vignettes and tests, and the
# Fashion-MNIST data set used by some tests. Falls back to CRAN for the R
# packages if Debian's are not available.
#
# Then the optional packages of the parsnip engine's tests and vignette:
# their dependencies from Debian where it has them, and parsnip, rsample
# and tune from CRAN with whatever dependencies must be newer than
# Debian's (tools/install-cran.R). About 2.5 minutes of compiling on a
# 2-core machine for parsnip and 5 more for tune, the first time only. A
# failure there is reported and does not stop the script (the tests that
# need them skip, though R CMD check then notes the missing package).
#
# With --build, only what building the package with its vignettes needs
# (pandoc, knitr, rmarkdown): the README's install command.
set -u
build_only=false
[ "${1:-}" = "--build" ] && build_only=true
need_pkgs="knitr rmarkdown png testthat"
$build_only && need_pkgs="knitr rmarkdown"
missing=$(Rscript -e "p <- strsplit('$need_pkgs', ' ')[[1]]; cat(p[!vapply(p, requireNamespace, logical(1), quietly = TRUE)])")
debs=""
command -v pandoc >/dev/null 2>&1 || debs="$debs pandoc"
$build_only || [ -d /usr/share/datasets/fashion-mnist ] || debs="$debs dataset-fashion-mnist"
for p in $missing; do debs="$debs r-cran-$p"; done
if [ -n "$debs" ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq $debs >/dev/null 2>&1 || echo "install-deps: apt-get could not install:$debs"
fi
Rscript -e "p <- strsplit('$need_pkgs', ' ')[[1]]; p <- p[!vapply(p, requireNamespace, logical(1), quietly = TRUE)]; if (length(p)) install.packages(p, repos = 'https://cloud.r-project.org')"
$build_only && exit 0

# ---- optional: parsnip and tune (tests/testthat/test-parsnip.R, vignettes/tidymodels.Rmd)
# what Debian has of their dependencies (the rest comes with these)
opt_pkgs="rsample recipes cli dplyr generics ggplot2 globals glue hardhat lifecycle magrittr pillar prettyunits purrr rlang tibble tidyr vctrs withr furrr future.apply RcppArmadillo gower ipred lubridate data.table slider"
cran_pkgs="parsnip rsample tune"
if ! Rscript -e "quit(status = !all(vapply(strsplit('$cran_pkgs', ' ')[[1]], requireNamespace, NA, quietly = TRUE)))" >/dev/null 2>&1; then
  missing=$(Rscript -e "p <- strsplit('$opt_pkgs', ' ')[[1]]; cat(p[!vapply(p, requireNamespace, logical(1), quietly = TRUE)])")
  debs=""
  for p in $missing; do debs="$debs r-cran-$(printf '%s' "$p" | tr 'A-Z' 'a-z')"; done
  if [ -n "$debs" ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq $debs >/dev/null 2>&1 || echo "install-deps: apt-get could not install (optional):$debs"
  fi
  timeout 2400 Rscript tools/install-cran.R $cran_pkgs || echo "install-deps: $cran_pkgs not all installed; tests needing them will skip"
fi
true
