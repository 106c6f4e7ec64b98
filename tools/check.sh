#!/usr/bin/env bash
# The test command: install what the tests need, build the package (with its
# vignettes), run R CMD check on the tarball, fail on any ERROR or WARNING
# (and on NOTEs, which we keep at zero), and print the testthat counts as
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
R CMD build --no-manual . > "$work/build.log" 2>&1 || { cat "$work/build.log"; echo "R CMD build failed"; echo "0 passed, 1 failed"; exit 1; }
tarball=$(ls -t nnfs_*.tar.gz | head -n 1)
mv "$tarball" "$work/"
( cd "$work" && NOT_CRAN=true _R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual "$tarball" ) > "$work/check.log" 2>&1
status=$?
cat "$work/check.log"
rout="$work/nnfs.Rcheck/tests/testthat.Rout"
[ -f "$rout" ] || rout="$work/nnfs.Rcheck/tests/testthat.Rout.fail"
passed=0; failed=0
if [ -f "$rout" ]; then
  line=$(grep -E '\[ FAIL [0-9]+ \| WARN [0-9]+ \| SKIP [0-9]+ \| PASS [0-9]+ \]' "$rout" | tail -n 1)
  failed=$(printf '%s' "$line" | sed -E 's/.*FAIL ([0-9]+).*/\1/')
  passed=$(printf '%s' "$line" | sed -E 's/.*PASS ([0-9]+).*/\1/')
  [ -n "$line" ] || failed=1
  grep -q 'Rout.fail' <<< "$rout" && { tail -n 60 "$rout"; [ "$failed" = 0 ] && failed=1; }
else
  failed=1
fi
result=0
[ $status -eq 0 ] || result=1
grep -qE '^Status:.*(ERROR|WARNING)' "$work/check.log" && result=1
grep -qE '^Status:.*NOTE' "$work/check.log" && { echo "R CMD check reported NOTEs (kept at zero)"; result=1; }
grep -qE '^Status: OK' "$work/check.log" || result=1
[ "$failed" = 0 ] || result=1
echo "$passed passed, $failed failed"
exit $result
