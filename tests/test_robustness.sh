#!/bin/sh
# tests/test_robustness.sh: ./deep_mlp where things go wrong, as a user meets them: memory that
# runs out, outputs that are not numbers, --save pointed at the run's own files or failing at the
# end, progress on a long run, and messages that stay one readable line.
#   sh tests/test_robustness.sh      (run by `make test`; needs ./deep_mlp and MNIST in data/)
# (How threads behave on a busy machine is a speed, measured by make bench, not a test.)
set -u
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
require test_robustness ./deep_mlp data
o="--out $work/out"

# --- out of memory: one line that names what did not fit, exit 1, at every limit ------------------
worst=""
for kib in 150000 250000 300000 350000 400000 500000; do
    (ulimit -v "$kib"; exec ./deep_mlp --classes 10 --hidden 16 --epochs 1 --limit 5000 $o) >/dev/null 2>"$work/oom"
    rc=$?
    lines=$(wc -l <"$work/oom" | tr -d ' ')
    if [ "$rc" -eq 0 ] || { [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] && grep -q 'out of memory while ' "$work/oom"; }; then :; else
        worst="$worst ulimit -v $kib: exit $rc, $lines line(s): $(head -2 "$work/oom" | tr '\n' ' ');"; fi
done
[ -z "$worst" ] && ok || bad "out of memory:$worst"
expect "out of memory for the data" 1 "out of memory while reading the data" \
    sh -c 'ulimit -v 300000 && exec "$@"' x ./deep_mlp --classes 10 --hidden 16 --epochs 1 --limit 5000 $o
expect "out of memory in a wide layer" 1 "out of memory while the forward pass over the 14000 test images through --hidden 4096" \
    sh -c 'ulimit -v 700000 && exec "$@"' x ./deep_mlp --classes 10 --hidden 4096 --batch 1024 --epochs 1 --limit 1024 $o

# --- outputs that are not finite numbers are no result ----------------------------------------------
deep "NaN outputs at --epochs 0" 1 "the network's outputs on the test set are not finite numbers" \
    --epochs 0 --init 1e300 --act relu --limit 10 --out "$work/nan"
[ ! -e "$work/nan/report.html" ] && ok || bad "a page was written for NaN outputs"

# --- --save and the run's own files -------------------------------------------------------------
mkdir -p "$work/dcopy"
for f in data/*-ubyte; do ln -s "$(pwd)/$f" "$work/dcopy/"; done
deep "--save over a data file" 2 "one of the run's MNIST files" --data "$work/dcopy" --save "$work/dcopy/train-images-idx3-ubyte" $o
ln -s "$work/dcopy/t10k-labels-idx1-ubyte" "$work/link.model"
deep "--save through a link to a data file" 2 "one of the run's MNIST files" --data "$work/dcopy" --save "$work/link.model" $o
deep "--save over loss.csv" 2 "$work/out/loss.csv, which this run writes" --limit 100 --epochs 1 $o --save "$work/out/loss.csv"
deep "--save over report.html" 2 "which this run writes" --limit 100 --epochs 1 --out "$work/o2" --save "$work/o2/./report.html"
./deep_mlp --limit 200 --epochs 1 $o --save "$work/net.model" >/dev/null 2>&1 &&
    ./deep_mlp --load "$work/net.model" --limit 200 --epochs 1 $o --save "$work/net.model" >/dev/null 2>"$work/err" && ok ||
    bad "saving over --load's own file: $(cat "$work/err")"
./deep_mlp --limit 200 --epochs 1 --out "$work/new" --save "$work/new/net.model" >/dev/null 2>"$work/err" && [ -s "$work/new/net.model" ] && ok ||
    bad "--out DIR --save DIR/net.model with DIR new: $(cat "$work/err")"

# A --save that fails at the end (a full disk): the network is kept in --out, and the message says
# where, and names --save.
mkdir "$work/small"
cat >"$work/full_save.sh" <<'EOF'
mount -t tmpfs -o size=64k tmpfs "$1" 2>/dev/null || exit 77
./deep_mlp --classes 10 --hidden 64 --limit 300 --epochs 1 --out "$2" --save "$1/net.model" >/dev/null 2>"$2.stderr"
echo $? >"$2.rc"
EOF
if [ "$(id -u)" = 0 ]; then namespace="unshare -m"; else namespace="unshare -rm"; fi
$namespace sh "$work/full_save.sh" "$work/small" "$work/full" 2>/dev/null
case $? in
0)
    if [ "$(cat "$work/full.rc")" = 1 ] && [ "$(wc -l <"$work/full.stderr")" -eq 1 ] &&
        grep -q 'No space left on device (free some space, or choose another --save);.* the trained network is in .*/full/deep_mlp-unsaved.model instead' "$work/full.stderr" &&
        [ -s "$work/full/deep_mlp-unsaved.model" ]; then ok; else
        bad "a --save that fails at the end: exit $(cat "$work/full.rc"), $(cat "$work/full.stderr")"; fi ;;
*) missing "a tmpfs mount (unshare -m, as root or in a user namespace)" "run as root, or where user namespaces are allowed" ;;
esac

# --- progress: into a file, at most a line a second, and no line per epoch of a fast run ---------------
./deep_mlp --limit 100 --epochs 3000 $o >/dev/null 2>"$work/progress"
lines=$(wc -l <"$work/progress" | tr -d ' ')
[ "$lines" -le 3 ] && grep -q '^wrote ' "$work/progress" && ok || bad "3000 quick epochs wrote $lines lines on stderr: $(head -3 "$work/progress")"
./deep_mlp --classes 10 --hidden 256 --batch 64 --limit 20000 --epochs 5 --optimizer adam --lr 1e-3 $o >/dev/null 2>"$work/progress"
lines=$(wc -l <"$work/progress" | tr -d ' ')
[ "$lines" -le 6 ] && ok || bad "a 5-epoch run wrote $lines lines on stderr"

# --- a loaded network that does not fit the data is told so, not to change --init -------------------
./deep_mlp --classes 10 --hidden 16 --act relu --init 3 --epochs 0 $o --save "$work/big.model" >/dev/null 2>&1
deep "a loaded network already diverged" 1 "the network in $work/big.model already gives" --load "$work/big.model" --epochs 1 --limit 500 $o
grep -q -- '--init' "$work/stderr" && bad "the message for a loaded network names --init: $(cat "$work/stderr")" || ok

# --- one printable line ---------------------------------------------------------------------------
nl_dir="$work/nl
x"
./deep_mlp --limit 100 --epochs 1 --out "$nl_dir" >/dev/null 2>"$work/err"
[ "$(wc -l <"$work/err" | tr -d ' ')" -eq 1 ] && grep -qF 'nl\nx/loss.csv' "$work/err" && ok || bad "--out with a newline: $(cat "$work/err")"
deep "--act with a space" 2 "(a list takes no spaces: --act relu,tanh)" --hidden 8,8 --act "relu, tanh" $o
# A binary PGM whose header ends in CR LF is read; a byte too many is "1 byte".
./deep_mlp --classes 10 --hidden 16 --act relu --limit 500 --epochs 1 $o --save "$work/ten.model" >/dev/null 2>&1
{ printf 'P5\r\n28 28\r\n255\r\n'; dd if=data/t10k-images-idx3-ubyte bs=1 skip=16 count=784 2>/dev/null; } >"$work/crlf.pgm"
./deep_mlp --load "$work/ten.model" --predict "$work/crlf.pgm" >"$work/crlf.txt" 2>"$work/err" && grep -q '^predicted: ' "$work/crlf.txt" && ok ||
    bad "a P5 image with a CR LF header: $(cat "$work/err")"
{ printf 'P5 28 28 255\n'; head -c 785 /dev/zero; } >"$work/extra.pgm"
deep "one byte too many" 1 "has 1 byte after the 28x28 image" --load "$work/ten.model" --predict "$work/extra.pgm"
{ printf 'P5 27 28 255\n'; head -c 756 /dev/zero; } >"$work/small.pgm"
deep "a 27x28 image" 1 "reads 28x28 images (MNIST's size)" --load "$work/ten.model" --predict "$work/small.pgm"

echo "test_robustness: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
