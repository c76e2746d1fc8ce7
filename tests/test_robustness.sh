#!/bin/sh
# tests/test_robustness.sh: ./deep_mlp where things go wrong, as a user meets them: memory that
# runs out or would (a run that cannot fit is refused before it starts, with the figure; a --load
# that cannot is named), outputs that are not numbers, --save pointed at the run's own files or
# failing at the end, progress on a long run (on a terminal, never glued to another line), and
# messages that stay one readable line.
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
# The ten-class data peak at about 220 MB while read (the images, then their lists by rows; the
# lists by columns wait for the first A^T B), so 200 MB of address space cannot hold them.
expect "out of memory for the data" 1 "out of memory while reading the data" \
    sh -c 'ulimit -v 200000 && exec "$@"' x ./deep_mlp --classes 10 --hidden 16 --epochs 1 --limit 5000 $o

# A run that cannot fit is refused before the network is made (nothing on stdout), with the least
# it needs. --hidden 4096,4096,4096 on all 56000 ten-class samples at once holds z_l and y_l for
# every layer, 2 x 56000 x (3 x 4096 + 10) doubles, 11.0 GB (computed here), beside the weights and
# the data. Once it ran out of memory after 4 s to 144 s, never saying how much it needed.
least=$(awk 'BEGIN { printf "%.1f", 2 * 56000 * (3 * 4096 + 10) * 8 / 1e9 }')
expect "a run that cannot fit" 1 "for training on all 56000 samples at once (full batch) through --hidden 4096,4096,4096" \
    sh -c 'ulimit -v 4000000 && exec "$@"' x ./deep_mlp --classes 10 --hidden 4096,4096,4096 $o
figure=$(sed -n 's/.*this run needs at least \([0-9.]*\) GB of memory, more than the 4.1 GB that ulimit -v allows: .*; try mini-batches (--batch 128) or a smaller --hidden$/\1/p' "$work/stderr")
if [ -n "$figure" ] && awk -v f="$figure" -v l="$least" 'BEGIN { exit !(f >= l && f <= l + 2) }' && [ ! -s "$work/stdout" ]; then ok; else
    bad "a run that cannot fit: it needs at least $least GB; the refusal says '$figure' ($(cat "$work/stderr")), stdout: $(head -1 "$work/stdout")"; fi
# The forward pass over the 14000 test images through 4096 units does not fit 700 MB either.
expect "a test set that cannot fit" 1 "for the forward pass over the 14000 test images through --hidden 4096, " \
    sh -c 'ulimit -v 700000 && exec "$@"' x ./deep_mlp --classes 10 --hidden 4096 --batch 1024 --epochs 1 --limit 1024 $o
# Under a limit above that least, the run may still run out (the program needs more): then its
# line says the least all the same.
(ulimit -v 1100000; exec ./deep_mlp --classes 10 --hidden 4096 --batch 1024 --epochs 1 --limit 1024 $o) >/dev/null 2>"$work/oom"
rc=$?
[ "$rc" = 0 ] || { [ "$rc" = 1 ] && [ "$(wc -l <"$work/oom")" -eq 1 ] && grep -q 'out of memory while .* (this run needs at least 1.0 GB)' "$work/oom"; } &&
    ok || bad "out of memory above the least: exit $rc, $(cat "$work/oom")"

# A --load too large for memory is named, with its size. A model file of 3 hidden layers of 4096
# (written here from the documented format, its weights all 0, CRC-32 from gzip's trailer), of
# SIZE bytes holding NUMBERS bytes of weights: reading it holds both at once.
k=3
{ printf 'MLPMODEL\002\000\000\000\012\000\000\000\034\000\000\000\034\000\000\000\003\000\000\000'
  i=0; while [ $i -lt $k ]; do printf '\000\020\000\000\004\000\000\000relu'; i=$((i + 1)); done; } >"$work/big.model"
numbers=$((8 * (784 * 4096 + 4096 + (k - 1) * (4096 * 4096 + 4096) + 4096 * 10 + 10)))
size=$((28 + 12 * k + numbers + 4))
truncate -s $((size - 4)) "$work/big.model"
head -c $((size - 4)) "$work/big.model" | gzip -1 -c | tail -c 8 | head -c 4 >>"$work/big.model"
gb=$(awk -v s="$size" 'BEGIN { printf "%.0f MB", s / 1e6 }')
expect "a --load that cannot fit" 1 "reading the network in $work/big.model ($gb) needs at least" \
    sh -c 'ulimit -v 400000 && exec "$@"' x ./deep_mlp --load "$work/big.model" --epochs 0 $o
# 1 MiB above what the file and its numbers take: the reading itself runs out. Once "out of
# memory while starting", naming nothing.
expect "a --load that runs out" 1 "out of memory while reading the network in $work/big.model ($gb)" \
    sh -c 'ulimit -v "$0" && exec "$@"' $(((size + numbers) / 1024 + 1024)) ./deep_mlp --load "$work/big.model" --epochs 0 $o
rm -f "$work/big.model"

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

# A --save that fails at the end (a full disk), in two runs: each run's network is kept in a file of
# its own in --out, and the message says where, and names --save. Once the second run's network
# replaced the first's, which the first run had said was kept there.
mkdir "$work/small"
cat >"$work/full_save.sh" <<'EOF'
mount -t tmpfs -o size=64k tmpfs "$1" 2>/dev/null || exit 77
for seed in 1 2; do
    ./deep_mlp --classes 10 --hidden 64 --limit 300 --epochs 1 --seed $seed --out "$2" --save "$1/net.model" >/dev/null 2>"$2.stderr$seed"
    echo $? >"$2.rc$seed"
    [ $seed = 1 ] && cp "$2/deep_mlp-unsaved.model" "$2.first"
done
exit 0
EOF
if [ "$(id -u)" = 0 ]; then namespace="unshare -m"; else namespace="unshare -rm"; fi
$namespace sh "$work/full_save.sh" "$work/small" "$work/full" 2>/dev/null
case $? in
0)
    for seed in 1 2; do
        kept="$work/full/deep_mlp-unsaved.model"
        [ $seed = 2 ] && kept="$work/full/deep_mlp-unsaved-2.model"
        if [ "$(cat "$work/full.rc$seed")" = 1 ] && [ "$(wc -l <"$work/full.stderr$seed")" -eq 1 ] &&
            grep -qF "No space left on device (free some space, or choose another --save)" "$work/full.stderr$seed" &&
            grep -qF "the trained network is in $kept instead" "$work/full.stderr$seed" && [ -s "$kept" ]; then ok; else
            bad "a --save that fails at the end, run $seed: exit $(cat "$work/full.rc$seed"), $(cat "$work/full.stderr$seed")"; fi
    done
    cmp -s "$work/full.first" "$work/full/deep_mlp-unsaved.model" && ok || bad "the second failing --save replaced the first run's network" ;;
*) missing "a tmpfs mount (unshare -m, as root or in a user namespace)" "run as root, or where user namespaces are allowed" ;;
esac

# --- progress: into a file, at most a line a second, and no line per epoch of a fast run ---------------
./deep_mlp --limit 100 --epochs 3000 $o >/dev/null 2>"$work/progress"
lines=$(wc -l <"$work/progress" | tr -d ' ')
[ "$lines" -le 3 ] && grep -q '^wrote ' "$work/progress" && ok || bad "3000 quick epochs wrote $lines lines on stderr: $(head -3 "$work/progress")"
./deep_mlp --classes 10 --hidden 256 --batch 64 --limit 20000 --epochs 5 --optimizer adam --lr 1e-3 $o >/dev/null 2>"$work/progress"
lines=$(wc -l <"$work/progress" | tr -d ' ')
[ "$lines" -le 6 ] && ok || bad "a 5-epoch run wrote $lines lines on stderr"
# On a terminal (script(1) gives the run one), the progress line ("...about 5s left" and the code
# that erases the rest of the line, ESC [K) is erased ("\r" ESC [K) before any other line: none is
# glued to its end. Once every epoch's line was ("...about 5s leftEpoch 3, Loss: ..."). The run is
# made longer until the progress shows (after 2 s).
if command -v script >/dev/null 2>&1; then
    epochs=6
    while :; do
        script -qfec "./deep_mlp --classes 10 --hidden 256 --batch 64 --limit 30000 --epochs $epochs --optimizer adam --lr 1e-3 $o" \
            "$work/typescript" >/dev/null 2>&1
        tr '\033\r' 'ER' <"$work/typescript" >"$work/screen"
        if grep -q 'leftE\[K' "$work/screen" || [ "$epochs" -ge 48 ]; then break; fi
        epochs=$((epochs * 2))
    done
    if ! grep -q 'leftE\[K' "$work/screen"; then bad "the progress never showed on a terminal in $epochs epochs"
    elif grep -q 'leftE\[K[^R]' "$work/screen"; then bad "a line glued to the progress line: $(grep -o 'leftE\[K[^R].\{0,30\}' "$work/screen" | head -1)"
    else ok; fi
else
    missing "script (util-linux)" "the progress-on-a-terminal case needs it"
fi

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
