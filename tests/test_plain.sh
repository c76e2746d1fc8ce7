#!/bin/sh
# tests/test_plain.sh: matrix.hpp's plain products and matrix/'s kernels give the same bits.
#   sh tests/test_plain.sh          (run by `make test`; needs ./mlp, ./deep_mlp, tests/test_units and
#                                    their plain builds in build/plain/, which make test makes)
# The plain build (-DMATRIX_PLAIN: matrix.hpp alone, at -O1) and the default build (the kernels, at
# the Makefile's flags) must print the same bytes: the lesson's run, a ten-class run through two
# hidden layers with Adam, dropout, weight decay and a decaying rate, and a --predict. And the
# plain build's test_units, which checks every product against the naive loops, must pass.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
P=build/plain
require test_plain ./mlp ./deep_mlp $P/mlp $P/deep_mlp $P/test_units data

same() {  # NAME PROGRAM ARGS...: the default build's stdout and the plain build's are the same bytes
    name=$1 program=$2
    shift 2
    "./$program" "$@" >"$work/fast.txt" 2>"$work/fast.err"
    rc_fast=$?
    "$P/$program" "$@" >"$work/plain.txt" 2>"$work/plain.err"
    rc_plain=$?
    if [ "$rc_fast" -eq 0 ] && [ "$rc_plain" -eq 0 ] && cmp -s "$work/fast.txt" "$work/plain.txt" && [ -s "$work/fast.txt" ]; then ok; else
        bad "$name: the plain build (exit $rc_plain) and the default one (exit $rc_fast) print different things:"
        diff "$work/fast.txt" "$work/plain.txt" | head -6; head -2 "$work/fast.err" "$work/plain.err"
    fi
}
same "the lesson" mlp --out "$work/o"
same "ten classes, k = 2, Adam, dropout, weight decay, a decaying rate" deep_mlp --classes 10 --hidden 48,24 \
    --act relu,tanh --init he --optimizer adam --lr 1e-3 --batch 100 --reduction mean --dropout 0.3 \
    --weight-decay 1e-4 --lr-decay 0.9 --epochs 2 --limit 3000 --out "$work/o" --save "$work/net.model"
{ printf 'P5 28 28 255\n'; head -c 392 /dev/zero; head -c 392 /dev/zero | tr '\0' '\377'; } >"$work/half.pgm"
same "--predict with the saved network" deep_mlp --load "$work/net.model" --predict "$work/half.pgm"
# The plain build's products against the naive loops (and the rest of test_units).
if "$P/test_units" >"$work/units.txt" 2>&1; then ok; else bad "the plain build's test_units:"; grep FAIL "$work/units.txt" | head -5; fi

echo "test_plain: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
