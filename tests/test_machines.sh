#!/bin/sh
# tests/test_machines.sh: the same bits on the machines students have.
#   sh tests/test_machines.sh       (run by `make test-all`; needs ./mlp and MNIST in data/; minutes)
# ./mlp and tests/test_units are built three or four more ways, and each ./mlp --explain 0 must print the
# bytes the default build's prints (the run, then the walk of one image), and each test_units must pass:
#  - x86-64 with no AVX at all (-march=x86-64), where the kernels take their portable loops;
#  - x86-64 with AVX2 and no AVX-512 (-march=x86-64-v3, most laptops), on a machine that runs it;
#  - make PLAIN=1's matrix.hpp alone, at -O2;
#  - 64-bit ARM (Apple Silicon, Raspberry Pi), with Debian's g++-aarch64-linux-gnu, run under
#    qemu-aarch64 (apt-get install g++-aarch64-linux-gnu qemu-user).
# A missing cross compiler or qemu says SKIPPED (a failure with REQUIRE_ALL=1, as in CI).
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
require test_machines ./mlp data
flags="-std=c++17 -Wall -Wextra -ffp-contract=off -fno-math-errno -O2"
omp=
printf '#include <omp.h>\nint main(){return 0;}\n' | ${CXX:-g++} -fopenmp -x c++ - -o /dev/null 2>/dev/null && omp=-fopenmp
./mlp --explain 0 --out "$work/o" >"$work/native.txt" 2>/dev/null || { bad "the default ./mlp failed"; exit 1; }

# leg NAME COMPILER RUNNER EXTRA_FLAGS...: builds ./mlp and test_units, and compares.
leg() {
    name=$1 cxx=$2 runner=$3
    shift 3
    dir=$work/$name
    mkdir -p "$dir"
    if ! $cxx $flags "$@" -o "$dir/mlp" mlp.cpp 2>"$dir/build.txt" ||
       ! $cxx $flags "$@" -I. -o "$dir/test_units" tests/test_units.cpp 2>>"$dir/build.txt"; then
        bad "$name: does not build:"; head -5 "$dir/build.txt"; return
    fi
    grep -q 'warning' "$dir/build.txt" && bad "$name: warnings:" && head -5 "$dir/build.txt"
    $runner "$dir/mlp" --explain 0 --out "$dir/o" >"$dir/mlp.txt" 2>"$dir/mlp.err"
    if cmp -s "$dir/mlp.txt" "$work/native.txt"; then ok; echo "  $name: ./mlp prints the native build's bytes"; else
        bad "$name: ./mlp prints other bytes than the native build:"; diff "$dir/mlp.txt" "$work/native.txt" | head -6; head -2 "$dir/mlp.err"
    fi
    if $runner "$dir/test_units" >"$dir/units.txt" 2>&1; then ok; echo "  $name: $(tail -1 "$dir/units.txt")"; else
        bad "$name: test_units:"; grep FAIL "$dir/units.txt" | head -5
    fi
}

if [ "$(uname -m)" = x86_64 ]; then
    leg x86-64 "${CXX:-g++}" "" -march=x86-64 $omp
    if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
        leg x86-64-v3 "${CXX:-g++}" "" -march=x86-64-v3 $omp
    else
        echo "  x86-64-v3: this machine has no AVX2, left out"
    fi
else
    echo "  x86-64: not an x86-64 machine, left out"
fi
leg plain "${CXX:-g++}" "" -DMATRIX_PLAIN $omp
if command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 && command -v qemu-aarch64 >/dev/null 2>&1; then
    leg aarch64 aarch64-linux-gnu-g++ "qemu-aarch64 -L /usr/aarch64-linux-gnu" -fopenmp
elif [ "${REQUIRE_ALL:-0}" = 1 ]; then
    bad "REQUIRE_ALL=1 and no aarch64-linux-gnu-g++ or qemu-aarch64 (apt-get install g++-aarch64-linux-gnu qemu-user)"
else
    echo "SKIPPED: test_machines: aarch64 (apt-get install g++-aarch64-linux-gnu qemu-user)"
fi

echo "test_machines: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
