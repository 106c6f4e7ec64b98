#!/usr/bin/env bash
# valgrind memcheck run of a small nnfs workload.
#
# Usage (from the package root):
#
#     bash tools/valgrind.sh
#
# What it does:
#   1. copies the source tree to a private directory ($VG_DIR, default
#      /tmp/vg; never builds inside the working tree) and installs it
#      normally (R's default flags, -g -O2) into a private library,
#   2. runs tools/valgrind-demo.R (iris network training + prediction, a
#      tiny cnn on 50 digits images, convolution(), the three regressions)
#      under
#          R -d "valgrind --tool=memcheck --leak-check=full
#                --errors-for-leak-kinds=definite --error-exitcode=1
#                --track-origins=yes --num-callers=30 --fullpath-after=
#                --vex-guest-max-insns=30"
#   3. reports the "ERROR SUMMARY" line and splits the "definitely lost"
#      loss records into those whose stack is in the package's code and the
#      others (R itself, which may leave a few blocks at exit). A frame is
#      the package's when it names nnfs.so (no debug info) or a source file
#      under $VG_DIR/nnfs/src/ (with debug info valgrind prints the file,
#      not the .so; --fullpath-after= makes it print the full path).
#
# Exit status: 0 when there is no memory error (invalid read/write,
# uninitialised value, invalid free) and no definitely-lost block whose
# stack is in the package's code; 1 otherwise; 3 when the build failed. The full
# valgrind log stays in $VG_DIR/valgrind.log.
#
# Valgrind cannot run AVX-512 code: the CPU it emulates reports no AVX-512,
# and since nnfs picks its gemm kernel at run time with
# __builtin_cpu_supports(), the AVX2 (+FMA) kernel runs under valgrind
# instead of the AVX-512 one; the script prints what the CPU reports
# natively and under valgrind. The AVX-512 kernel is covered by
# tools/sanitize.sh (ASan/UBSan) on machines that have AVX-512.
#
# --vex-guest-max-insns=30 (default 60) makes valgrind translate shorter
# superblocks: with the default, translating the fully unrolled AVX2 float
# kernels (single precision, e.g. k256_2_5) can exhaust VEX's temporary
# storage, and valgrind aborts ("VEX temporary storage exhausted ... the
# 'impossible' happened") before any error could be reported. It changes
# how valgrind translates code, not what memcheck checks.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
VG_DIR=${VG_DIR:-/tmp/vg}
src="$VG_DIR/nnfs"
lib="$VG_DIR/lib"
mkdir -p "$src" "$lib"
rsync -a --delete --exclude .git --exclude '*.o' --exclude '*.so' \
  "$root/" "$src/"

command -v valgrind > /dev/null || { echo "valgrind.sh: valgrind not found"; exit 3; }

echo "== building nnfs (normal flags) into $lib"
start=$(date +%s)
if ! R CMD INSTALL --library="$lib" "$src" > "$VG_DIR/install.log" 2>&1; then
  cat "$VG_DIR/install.log"
  echo "valgrind.sh: R CMD INSTALL failed"
  exit 3
fi

# What __builtin_cpu_supports() says natively and under valgrind.
cpu_native="?"; cpu_vg="?"
cat > "$VG_DIR/cpu.c" <<'EOF'
#include <stdio.h>
int main(void) {
  __builtin_cpu_init();
  printf("avx512f=%d avx2=%d fma=%d\n", __builtin_cpu_supports("avx512f") != 0,
         __builtin_cpu_supports("avx2") != 0, __builtin_cpu_supports("fma") != 0);
  return 0;
}
EOF
if gcc -O0 -o "$VG_DIR/cpu" "$VG_DIR/cpu.c" 2> /dev/null; then
  cpu_native=$("$VG_DIR/cpu")
  cpu_vg=$(valgrind -q "$VG_DIR/cpu" 2> /dev/null)
fi

log="$VG_DIR/valgrind.log"
out="$VG_DIR/demo.out"
echo "== running tools/valgrind-demo.R under valgrind memcheck (log: $log)"
R_LIBS="$lib" R --vanilla --slave \
  -d "valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1 --track-origins=yes --num-callers=30 --fullpath-after= --vex-guest-max-insns=30 --log-file=$log" \
  -f "$root/tools/valgrind-demo.R" > "$out" 2>&1
status=$?
end=$(date +%s)
cat "$out"

# Split the loss records: a record starts at a "loss record" line and ends
# at the next blank line (after the "==pid== " prefix is removed).
pkgsrc="$src/src/"
split=$(sed -E 's/^==[0-9]+== ?//' "$log" | awk -v pkgsrc="$pkgsrc" '
  /are definitely lost in loss record/ {
    inrec = 1; pkg = 0
    s = $0; sub(/ bytes.*/, "", s); sub(/^[^0-9]*/, "", s)
    split(s, parts, " "); b = parts[1]; gsub(/,/, "", b)
    next
  }
  inrec && (/nnfs\.so/ || index($0, pkgsrc)) { pkg = 1 }
  inrec && /^$/ {
    if (pkg) { pb += b; pn++ } else { ob += b; on++ }
    inrec = 0
  }
  END {
    if (inrec) { if (pkg) { pb += b; pn++ } else { ob += b; on++ } }
    printf "%d %d %d %d\n", pn, pb, on, ob
  }')
read -r pkg_n pkg_b oth_n oth_b <<< "$split"

err_line=$(grep -E 'ERROR SUMMARY:' "$log" | tail -n 1 | sed -E 's/^==[0-9]+== //')
def_line=$(grep -E 'definitely lost:' "$log" | tail -n 1 | sed -E 's/^==[0-9]+== //')
# Memory errors other than leaks (invalid read/write, uninitialised values...).
mem_errs=$(grep -cE '^==[0-9]+== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|Argument .* of function)' "$log")
mem_errs_pkg=$(sed -E 's/^==[0-9]+== ?//' "$log" | awk -v pkgsrc="$pkgsrc" '
  /^(Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap)/ { inrec = 1; pkg = 0; next }
  inrec && (/nnfs\.so/ || index($0, pkgsrc)) { pkg = 1 }
  inrec && /^$/ { if (pkg) n++; inrec = 0 }
  END { print n + 0 }')
done_ok=no
grep -q 'valgrind-demo.R: done' "$out" && done_ok=yes

echo
echo "================ valgrind.sh summary ================"
echo "date:                   $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "valgrind:               $(valgrind --version)"
echo "cpu natively:           $cpu_native"
echo "cpu under valgrind:     $cpu_vg (gemm kernel: AVX-512 if avx512f=1, else AVX2 if avx2=1 and fma=1)"
echo "demo finished:          $done_ok"
echo "R exit status:          $status"
echo "valgrind:               ${err_line:-no ERROR SUMMARY line}"
echo "memory errors (all):    $mem_errs"
echo "memory errors (nnfs):   $mem_errs_pkg"
echo "leak summary:           ${def_line:-no leak summary}"
echo "definitely lost, nnfs:  $pkg_b bytes in $pkg_n loss record(s)"
echo "definitely lost, other: $oth_b bytes in $oth_n loss record(s) (R itself)"
echo "elapsed:                $((end - start)) s"
echo "log:                    $log"
fail=0
[ "$done_ok" = yes ] || fail=1
[ "$mem_errs" -eq 0 ] || fail=1
[ "$pkg_n" -eq 0 ] || fail=1
if [ "$fail" -ne 0 ]; then
  echo "RESULT: FAIL"
  sed -E 's/^==[0-9]+== ?//' "$log" | grep -n -A 30 -E \
    '^(Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap)|are definitely lost' |
    head -n 300
  exit 1
fi
echo "RESULT: OK: no memory error, nothing definitely lost in the package code"
exit 0
