#!/bin/sh
# tests/test_cli.sh: ./mlp as a user meets it. Every bad input (a flag, a data file) must give
# exactly one line on stderr that names the culprit, the right exit code, and no crash.
#   sh tests/test_cli.sh            (run by `make test`; needs ./mlp built)
# Malformed IDX files are made here from tiny hand-written headers; when data/ holds MNIST, the
# real files also serve for the truncated and trailing-bytes cases and the divergence check.
set -u
MLP=${MLP:-./mlp}
[ -x "$MLP" ] || { echo "test_cli: $MLP is not built (run make)"; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
passed=0
failed=0

# expect NAME CODE PATTERN CMD...: CMD exits with CODE and prints exactly one line on stderr,
# which contains PATTERN (a fixed string).
expect() {
    name=$1 code=$2 pattern=$3
    shift 3
    "$@" >"$work/stdout" 2>"$work/stderr"
    rc=$?
    lines=$(wc -l <"$work/stderr" | tr -d ' ')
    if [ "$rc" -eq "$code" ] && [ "$lines" -eq 1 ] && grep -qF -- "$pattern" "$work/stderr"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name: exit $rc (want $code), $lines stderr line(s), want '$pattern':"
        sed 's/^/    /' "$work/stderr" | head -5
    fi
}

# --- flags -------------------------------------------------------------------------------------
expect "unknown flag" 2 "unknown option '--bogus'" "$MLP" --bogus
expect "flag without value" 2 "--lr needs a value" "$MLP" --lr
expect "zero epochs" 2 "--epochs must be between 1" "$MLP" --epochs 0
expect "negative epochs" 2 "--epochs must be between 1" "$MLP" --epochs -3
expect "fractional epochs" 2 "--epochs needs a whole number" "$MLP" --epochs 1.5
expect "text epochs" 2 "--epochs needs a whole number, got 'ten'" "$MLP" --epochs ten
expect "zero lr" 2 "--lr must be a positive number" "$MLP" --lr 0
expect "negative lr" 2 "--lr must be a positive number" "$MLP" --lr -0.1
expect "lr not a number" 2 "--lr needs a number, got 'abc'" "$MLP" --lr abc
expect "lr nan" 2 "--lr must be a positive number" "$MLP" --lr nan
expect "lr inf" 2 "--lr must be a positive number" "$MLP" --lr=inf
expect "zero hidden" 2 "--hidden must be between 1" "$MLP" --hidden 0
expect "huge hidden" 2 "--hidden must be between 1 and 4096" "$MLP" --hidden 100000
expect "seed text" 2 "--seed needs a whole number" "$MLP" --seed abc
expect "seed too big" 2 "--seed must be between 0 and 4294967295" "$MLP" --seed 4294967296
touch "$work/a_file"
expect "out is a file" 2 "--out $work/a_file/sub: cannot create or write" "$MLP" --out "$work/a_file/sub"
expect "out under /proc" 2 "cannot create or write that folder" "$MLP" --out /proc/mlp_out
"$MLP" --help >"$work/help" 2>&1 && grep -q "usage: ./mlp" "$work/help" && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: --help prints the usage and exits 0"; }

# --- data files --------------------------------------------------------------------------------
# idx HEADER_HEX PAYLOAD_BYTES FILE: writes the bytes given in hex, then PAYLOAD_BYTES bytes of value 1.
idx() {
    : >"$3"
    hex=$1
    while [ -n "$hex" ]; do
        printf "\\$(printf '%03o' "0x${hex%"${hex#??}"}")" >>"$3"
        hex=${hex#??}
    done
    [ "$2" -gt 0 ] && head -c "$2" /dev/zero | tr '\0' '\1' >>"$3"
    return 0
}
# A tiny valid set: 3 images of 2x2 pixels, labels 0 1 0, in both the training and test slots.
make_valid_set() {
    mkdir -p "$1"
    idx 00000803000000030000000200000002 12 "$1/train-images-idx3-ubyte"
    printf '\000\000\010\001\000\000\000\003\000\001\000' >"$1/train-labels-idx1-ubyte"
    cp "$1/train-images-idx3-ubyte" "$1/t10k-images-idx3-ubyte"
    cp "$1/train-labels-idx1-ubyte" "$1/t10k-labels-idx1-ubyte"
}
# Each case below starts from a fresh valid set and breaks one file of it.
bad="$work/bad"
fresh_set() { rm -rf "$bad"; make_valid_set "$bad"; }
run_bad() { expect "$1" 1 "$2" "$MLP" --data "$bad" --epochs 1 --out "$work/out"; }

fresh_set
if "$MLP" --data "$bad" --epochs 2 --out "$work/out" >"$work/stdout" 2>&1 && grep -q "^Epoch 1, Loss: " "$work/stdout" &&
    [ -s "$work/out/loss.csv" ] && [ -s "$work/out/loss.svg" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: a tiny valid set trains and writes loss.csv and loss.svg"; fi
# Outputs are written whole or not at all: with a folder in the way of loss.csv, the run fails
# with one line and leaves no temporary file behind.
mkdir -p "$work/blocked/loss.csv"
expect "output file cannot be written" 1 "$work/blocked/loss.csv: cannot write" "$MLP" --data "$bad" --epochs 2 --out "$work/blocked"
if [ -e "$work/blocked/loss.csv.tmp" ]; then failed=$((failed + 1)); echo "FAIL: a temporary file was left behind"; else passed=$((passed + 1)); fi
expect "missing data folder" 1 "$work/none/train-images-idx3-ubyte: no such file; run 'make data'" "$MLP" --data "$work/none"
fresh_set; : >"$bad/train-images-idx3-ubyte"
run_bad "empty file" "$bad/train-images-idx3-ubyte: too short for an IDX header (0 bytes)"
fresh_set; idx 000008030000 0 "$bad/train-images-idx3-ubyte"
run_bad "truncated header" "$bad/train-images-idx3-ubyte: truncated header (6 bytes"
fresh_set; idx 00000803000000030000000200000002 11 "$bad/train-images-idx3-ubyte"
run_bad "truncated payload" "$bad/train-images-idx3-ubyte: truncated"
fresh_set; idx 00000803000000030000000200000002 13 "$bad/train-images-idx3-ubyte"
run_bad "trailing bytes" "$bad/train-images-idx3-ubyte: has 1 bytes after the data"
fresh_set; idx 12340803000000030000000200000002 12 "$bad/train-images-idx3-ubyte"
run_bad "wrong magic" "$bad/train-images-idx3-ubyte: not an IDX file"
fresh_set; idx 00000d03000000030000000200000002 12 "$bad/train-images-idx3-ubyte"
run_bad "wrong type byte" "$bad/train-images-idx3-ubyte: element type 13 is not unsigned byte"
fresh_set; cp "$bad/train-labels-idx1-ubyte" "$bad/train-images-idx3-ubyte"
run_bad "labels where images belong" "$bad/train-images-idx3-ubyte: has 1 dimensions, expected 3 for images"
fresh_set; idx 00000803000000030000000000000002 0 "$bad/train-images-idx3-ubyte"
run_bad "zero rows" "$bad/train-images-idx3-ubyte: dimension 1 is zero"
fresh_set; idx 00000803000000030000000200000000 0 "$bad/train-images-idx3-ubyte"
run_bad "zero columns" "$bad/train-images-idx3-ubyte: dimension 2 is zero"
# Headers that promise more than the file holds must fail before allocating: these two run under a
# 1 GB address-space limit (not for sanitizer builds, whose shadow memory needs far more).
bounded() { if [ -n "${SANITIZED:-}" ]; then "$@"; else (ulimit -v 1000000 && "$@"); fi; }
fresh_set; idx 00000803ffffffffffffffffffffffff 12 "$bad/train-images-idx3-ubyte"
expect "dimensions whose product overflows" 1 "$bad/train-images-idx3-ubyte: truncated" \
    bounded "$MLP" --data "$bad" --epochs 1 --out "$work/out"
fresh_set; idx 00000803ee6b28000000001c0000001c 64 "$bad/train-images-idx3-ubyte"
expect "four billion images in a tiny file" 1 "$bad/train-images-idx3-ubyte: truncated: the header says 4000000000 x 28 x 28" \
    bounded "$MLP" --data "$bad" --epochs 1 --out "$work/out"
fresh_set; printf '\000\000\010\001\000\000\000\002\000\001' >"$bad/train-labels-idx1-ubyte"
run_bad "image and label counts differ" "holds 3 images but $bad/train-labels-idx1-ubyte holds 2 labels"
fresh_set; printf '\000\000\010\001\000\000\000\003\000\014\000' >"$bad/train-labels-idx1-ubyte"
run_bad "label above 9" "$bad/train-labels-idx1-ubyte: label 12 at index 1 is not a digit 0-9"
fresh_set; gzip -c "$bad/train-images-idx3-ubyte" >"$bad/gz" && mv "$bad/gz" "$bad/train-images-idx3-ubyte"
run_bad "gzip where raw IDX belongs" "$bad/train-images-idx3-ubyte: is gzip-compressed; unpack it with gunzip"
fresh_set; rm "$bad/train-images-idx3-ubyte"; mkdir "$bad/train-images-idx3-ubyte"
run_bad "a directory instead of a file" "$bad/train-images-idx3-ubyte: is a directory"
fresh_set; rm "$bad/t10k-labels-idx1-ubyte"
run_bad "missing test labels" "$bad/t10k-labels-idx1-ubyte: no such file; run 'make data'"
# Unreadable: root reads anything, so as root the check runs as the user nobody.
fresh_set; chmod 000 "$bad/train-images-idx3-ubyte"; chmod 755 "$work" "$bad"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
    cp "$MLP" "$work/mlp_copy" && chmod 755 "$work/mlp_copy"
    expect "unreadable file" 1 "$bad/train-images-idx3-ubyte: cannot open: Permission denied" \
        setpriv --reuid=nobody --regid=nogroup --clear-groups "$work/mlp_copy" --data "$bad" --epochs 1 --out /tmp
elif [ "$(id -u)" != 0 ]; then
    run_bad "unreadable file" "$bad/train-images-idx3-ubyte: cannot open: Permission denied"
else
    echo "(skipped: unreadable file; as root without setpriv it cannot be tested)"
fi

# The real files, when data/ has them: cut short, one byte too many, and a diverging rate.
if [ -f data/train-images-idx3-ubyte ] && [ -f data/t10k-labels-idx1-ubyte ]; then
    real="$work/real"
    mkdir -p "$real"
    for f in train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do ln -s "$PWD/data/$f" "$real/$f"; done
    head -c 1000000 data/train-images-idx3-ubyte >"$real/train-images-idx3-ubyte"
    expect "real MNIST cut short" 1 "$real/train-images-idx3-ubyte: truncated: the header says 60000 x 28 x 28 bytes of data but the file has only 999984" \
        "$MLP" --data "$real" --out "$work/out"
    { cat data/train-images-idx3-ubyte; printf 'x'; } >"$real/train-images-idx3-ubyte"
    expect "real MNIST with a byte too many" 1 "$real/train-images-idx3-ubyte: has 1 bytes after the data" \
        "$MLP" --data "$real" --out "$work/out"
    expect "diverging learning rate" 1 "training diverged at epoch 1" "$MLP" --lr 1 --out "$work/out"
    expect "diverging learning rate, huge" 1 "try a smaller --lr than 1000000.0" "$MLP" --lr 1e6 --out "$work/out"
else
    echo "(data/ has no MNIST: skipped the real-file cases; run make data)"
fi

echo "test_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
