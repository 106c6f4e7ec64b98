#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer run of the whole test suite.
#
# Usage (from the package root):
#
#     bash tools/sanitize.sh
#
# What it does:
#   1. copies the source tree to a private directory ($SAN_DIR, default
#      /tmp/san; never builds inside the working tree),
#   2. installs it into a private library with R CMD INSTALL, using a
#      temporary Makevars file passed through R_MAKEVARS_USER (~/.R/Makevars
#      is neither read nor written) that sets
#          CFLAGS  = -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer
#          LDFLAGS = -fsanitize=address,undefined
#   3. runs every tests/testthat/test-*.R file (test-fuzz.R included when it
#      exists) with NOT_CRAN=true against that build. R itself is not built
#      with ASan, so the ASan runtime is preloaded:
#          LD_PRELOAD=$(gcc -print-file-name=libasan.so)
#          ASAN_OPTIONS=detect_leaks=0 (R's own allocations would flood
#                                       LeakSanitizer)
#          UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
#   4. greps the output for "ERROR: AddressSanitizer" and "runtime error:"
#      and prints a summary.
#
# Exit status: 0 when the suite ran with no sanitizer report and no test
# failure; 1 when any sanitizer report appeared (the reports are printed);
# 2 when tests failed without a sanitizer report; 3 when the build failed.
# The full log stays in $SAN_DIR/test.log.
#
# Needs only gcc 12 (libasan/libubsan ship with it), R and testthat.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
SAN_DIR=${SAN_DIR:-/tmp/san}
src="$SAN_DIR/nnfs"
lib="$SAN_DIR/lib"
mkdir -p "$src" "$lib"
rsync -a --delete --exclude .git --exclude '*.o' --exclude '*.so' \
  "$root/" "$src/"

asan_rt=$(gcc -print-file-name=libasan.so)
if [ ! -e "$asan_rt" ] || [ "$asan_rt" = libasan.so ]; then
  echo "sanitize.sh: gcc's libasan.so not found" >&2
  exit 3
fi

makevars="$SAN_DIR/Makevars.asan"
cat > "$makevars" <<'EOF'
CFLAGS = -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS = -fsanitize=address,undefined
EOF

echo "== building nnfs with -fsanitize=address,undefined into $lib"
start=$(date +%s)
# --no-test-load: loading the instrumented DLL needs the ASan runtime
# preloaded, which is done for the test run below.
if ! R_MAKEVARS_USER="$makevars" R CMD INSTALL --no-test-load \
     --library="$lib" "$src" > "$SAN_DIR/install.log" 2>&1; then
  cat "$SAN_DIR/install.log"
  echo "sanitize.sh: R CMD INSTALL failed"
  exit 3
fi
grep -E -- '-fsanitize' "$SAN_DIR/install.log" | head -n 1

fuzz="no"
[ -f "$src/tests/testthat/test-fuzz.R" ] && fuzz="yes"
echo "== running tests/testthat (test-fuzz.R present: $fuzz) under ASan/UBSan"

cat > "$SAN_DIR/run-tests.R" <<'EOF'
args <- commandArgs(trailingOnly = TRUE)
library(testthat)
library(nnfs, lib.loc = args[2])
cat("nnfs loaded from", find.package("nnfs"), "\n")
files <- sort(list.files(args[1], "^test-.*\\.R$"))
cat("test files:", files, "\n")
res <- test_dir(args[1], package = "nnfs", load_package = "installed",
                reporter = ProgressReporter$new(show_praise = FALSE),
                stop_on_failure = FALSE, stop_on_warning = FALSE)
df <- as.data.frame(res)
cat(sprintf("SANITIZE-COUNTS files=%d tests=%d expectations=%d failed=%d skipped=%d errors=%d warnings=%d\n",
            length(unique(df$file)), nrow(df), sum(df$nb), sum(df$failed),
            sum(df$skipped), sum(df$error), sum(df$warning)))
EOF

log="$SAN_DIR/test.log"
( cd "$src/tests/testthat" &&
  NOT_CRAN=true \
  R_LIBS="$lib" \
  LD_PRELOAD="$asan_rt" \
  ASAN_OPTIONS=detect_leaks=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  Rscript --vanilla "$SAN_DIR/run-tests.R" "$src/tests/testthat" "$lib" ) \
  > "$log" 2>&1
status=$?
end=$(date +%s)
cat "$log"

n_asan=$(grep -c 'ERROR: AddressSanitizer' "$log")
n_ubsan=$(grep -c 'runtime error:' "$log")
counts=$(grep '^SANITIZE-COUNTS' "$log" | tail -n 1)

echo
echo "================ sanitize.sh summary ================"
echo "date:            $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "flags:           $(sed -n 1p "$makevars")"
echo "runtime:         LD_PRELOAD=$asan_rt"
echo "test-fuzz.R:     $fuzz"
echo "R exit status:   $status"
echo "counts:          ${counts:-none (suite did not finish)}"
echo "ASan reports:    $n_asan"
echo "UBSan reports:   $n_ubsan"
echo "elapsed:         $((end - start)) s"
echo "log:             $log"
if [ "$n_asan" -gt 0 ] || [ "$n_ubsan" -gt 0 ]; then
  echo "RESULT: FAIL: sanitizer reports found:"
  grep -n -A 30 -E 'ERROR: AddressSanitizer|runtime error:' "$log" | head -n 200
  exit 1
fi
if [ "$status" -ne 0 ] || [ -z "$counts" ] ||
   ! grep -q 'failed=0 .*errors=0' <<< "$counts"; then
  echo "RESULT: FAIL: no sanitizer report, but the test run failed"
  exit 2
fi
echo "RESULT: OK: zero sanitizer reports"
exit 0
