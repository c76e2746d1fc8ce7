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
. "$(dirname "$0")/helpers.sh"

# --- flags -------------------------------------------------------------------------------------
expect "unknown flag" 2 "unknown option '--bogus'" "$MLP" --bogus
expect "flag without value" 2 "--lr needs a value" "$MLP" --lr
expect "negative epochs" 2 "--epochs must be between 0" "$MLP" --epochs -3
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
expect "seed beyond 64 bits" 2 "--seed must be between 0 and 4294967295, got 99999999999999999999" \
    "$MLP" --seed 99999999999999999999
expect "--help with a value" 2 "--help takes no value, got '--help=foo'" "$MLP" --help=foo
expect "lr too large for a double" 2 "--lr is out of range: '1e400' is too large for a double" "$MLP" --lr 1e400
expect "lr too small for a double" 2 "--lr is out of range: '1e-320' is too small to be usable" "$MLP" --lr 1e-320
expect "lr underflowing to zero" 2 "--lr is out of range: '1e-400' is too small" "$MLP" --lr 1e-400
# Spaces around a number are refused alike for every kind of flag.
expect "lr with a leading space" 2 "--lr needs a number, got ' 0.001' (no spaces allowed)" "$MLP" --lr ' 0.001'
expect "lr with a trailing space" 2 "--lr needs a number, got '0.001 ' (no spaces allowed)" "$MLP" --lr '0.001 '
expect "epochs with a leading space" 2 "--epochs needs a whole number, got ' 5' (no spaces allowed)" "$MLP" --epochs ' 5'
expect "a newline in a value stays one line" 2 "--lr needs a number, got '1\\n2'" "$MLP" --lr "1
2"
touch "$work/a_file"
expect "out is a file" 2 "--out $work/a_file/sub: cannot create or write" "$MLP" --out "$work/a_file/sub"
expect "out under /proc" 2 "cannot create or write that folder" "$MLP" --out /proc/mlp_out
"$MLP" --help >"$work/help" 2>&1 && grep -q "usage: ./mlp" "$work/help" && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: --help prints the usage and exits 0"; }

# --- data files --------------------------------------------------------------------------------
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
run_bad "trailing bytes" "$bad/train-images-idx3-ubyte: has 1 byte after the data"
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
memory_limit=1000000
[ -n "${SANITIZED:-}" ] && memory_limit=unlimited
fresh_set; idx 00000803ffffffffffffffffffffffff 12 "$bad/train-images-idx3-ubyte"
expect "dimensions whose product overflows" 1 "$bad/train-images-idx3-ubyte: truncated" \
    sh -c "ulimit -v $memory_limit && exec \"\$@\"" bounded "$MLP" --data "$bad" --epochs 1 --out "$work/out"
fresh_set; idx 00000803ee6b28000000001c0000001c 64 "$bad/train-images-idx3-ubyte"
expect "four billion images in a tiny file" 1 "$bad/train-images-idx3-ubyte: truncated: the header says 4000000000 x 28 x 28" \
    sh -c "ulimit -v $memory_limit && exec \"\$@\"" bounded "$MLP" --data "$bad" --epochs 1 --out "$work/out"
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
# Not regular files are refused before they are read: reading a FIFO would wait forever for a
# writer, and a device (here /dev/null) is no IDX file either.
fresh_set; rm "$bad/train-images-idx3-ubyte"; mkfifo "$bad/train-images-idx3-ubyte"
run_bad "a FIFO instead of a file" "$bad/train-images-idx3-ubyte: is a FIFO (named pipe), not an IDX file"
fresh_set; ln -sf /dev/null "$bad/train-images-idx3-ubyte"
run_bad "a device instead of a file" "$bad/train-images-idx3-ubyte: is a device, not an IDX file"
# What keeps a file from being opened is named; only a missing file suggests 'make data'.
fresh_set; rm "$bad/train-images-idx3-ubyte"
ln -s loop_b "$bad/loop_a"; ln -s loop_a "$bad/loop_b"; ln -s loop_a "$bad/train-images-idx3-ubyte"
run_bad "a symbolic link loop" "$bad/train-images-idx3-ubyte: cannot open: Too many levels of symbolic links; a symbolic link on its path leads in a loop"
expect "--data is a file" 1 "$work/a_file/train-images-idx3-ubyte: cannot open: Not a directory; a folder on its path is a file" \
    "$MLP" --data "$work/a_file" --out "$work/out"
expect "--data is /dev/null" 1 "/dev/null/train-images-idx3-ubyte: cannot open: Not a directory" "$MLP" --data /dev/null --out "$work/out"
long=$(printf '%05000d' 0)
expect "--data longer than the system allows" 1 "/train-images-idx3-ubyte: cannot open: File name too long" \
    "$MLP" --data "$work/$long" --out "$work/out"
# Unreadable: root reads anything, so as root the checks run as the user nobody.
fresh_set; chmod 755 "$work" "$bad"
unprivileged_mlp
[ -n "$as_user" ] || missing "an unprivileged user (setpriv, as root)" "the unreadable file and folder cases need one"
if [ -n "$as_user" ]; then
    chmod 000 "$bad/train-images-idx3-ubyte"
    expect "unreadable file" 1 "$bad/train-images-idx3-ubyte: cannot open: Permission denied" \
        $as_user --data "$bad" --epochs 1 --out /tmp
    chmod 644 "$bad/train-images-idx3-ubyte"; chmod 000 "$bad"
    expect "unreadable folder" 1 "$bad/train-images-idx3-ubyte: cannot open: Permission denied; check the permissions of the file and of its folders" \
        $as_user --data "$bad" --epochs 1 --out /tmp
    chmod 755 "$bad"
fi
# Too few zeros and ones to split into a training and a test set: one line naming the folder.
fresh_set; printf '\000\000\010\001\000\000\000\003\002\003\004' >"$bad/train-labels-idx1-ubyte"
cp "$bad/train-labels-idx1-ubyte" "$bad/t10k-labels-idx1-ubyte"
run_bad "no 0 or 1 digit" "$bad: 0 images of the digits 0 and 1, too few to split into training and test sets"
printf '\000\000\010\001\000\000\000\003\002\001\004' >"$bad/t10k-labels-idx1-ubyte"
run_bad "a single 0 or 1" "$bad: 1 images of the digits 0 and 1, too few to split"
# Training and test images must have the same rows and columns, not just as many pixels.
fresh_set; idx 00000803000000030000000400000001 12 "$bad/train-images-idx3-ubyte"
run_bad "4x1 training images beside 2x2 test images" "$bad/t10k-images-idx3-ubyte: images of 2x2 pixels differ from the training set's 4x1"
# A data error ends the run before --out is created.
expect "bad data creates no --out" 1 "no such file" "$MLP" --data "$work/none" --out "$work/never_made"
if [ -e "$work/never_made" ]; then failed=$((failed + 1)); echo "FAIL: --out was created for a run that failed on its data"; else passed=$((passed + 1)); fi
# A flat loss history (a rate too small to move anything) once sent the plot's tick loop into an
# endless loop that ate memory; it is plotted like any other.
fresh_set
expect "flat loss history" 0 "wrote $work/flat/loss.csv" "$MLP" --data "$bad" --lr 3e-20 --epochs 2 --out "$work/flat"

# The real files, when data/ has them: cut short, one byte too many, and a diverging rate.
if [ -f data/train-images-idx3-ubyte ] && [ -f data/t10k-labels-idx1-ubyte ]; then
    real="$work/real"
    mkdir -p "$real"
    for f in train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do ln -s "$PWD/data/$f" "$real/$f"; done
    head -c 1000000 data/train-images-idx3-ubyte >"$real/train-images-idx3-ubyte"
    expect "real MNIST cut short" 1 "$real/train-images-idx3-ubyte: truncated: the header says 60000 x 28 x 28 bytes of data but the file has only 999984" \
        "$MLP" --data "$real" --out "$work/out"
    { cat data/train-images-idx3-ubyte; printf 'x'; } >"$real/train-images-idx3-ubyte"
    expect "real MNIST with a byte too many" 1 "$real/train-images-idx3-ubyte: has 1 byte after the data" \
        "$MLP" --data "$real" --out "$work/out"
    expect "diverging learning rate" 1 "training diverged at epoch 1" "$MLP" --lr 1 --out "$work/out"
    expect "real MNIST, a flat loss history" 0 "wrote $work/flat/loss.csv" "$MLP" --lr 3e-20 --epochs 2 --out "$work/flat"
    grep -q '<polyline' "$work/flat/loss.svg" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: no plot of the flat history"; }
    expect "diverging learning rate, huge" 1 "try a smaller --lr than 1000000.0" "$MLP" --lr 1e6 --out "$work/out"
    # The last step's NaN weights have no next forward pass to show them: still caught, not reported as an accuracy.
    expect "NaN weights after the last step" 1 "training diverged at epoch 1 (loss nan)" "$MLP" --lr 1e308 --epochs 1 --out "$work/out"
else
    missing "MNIST in data/" "run make data, for the real-file cases"
fi

echo "test_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
