#!/bin/sh
# tests/test_model.sh: ./deep_mlp --save, --load and --predict.
#   sh tests/test_model.sh          (run by `make test`; needs ./deep_mlp and MNIST in data/)
# A trained network is never lost: it is saved before anything else can fail, so a lost stdout, an
# --out that cannot be written or a signal leaves it on disk, and the run's one error line says
# where; a --save that fails leaves it in a fallback file of its own, never over an earlier one;
# --save refuses, before training, a FIFO, a device, a symbolic link or a name too long.
# A saved network, loaded with --epochs 0, prints the same accuracy line, and saved again gives the
# same bytes; --hidden, --act and --classes may repeat the file's architecture but not contradict it
# (exit 2); a cut, damaged or foreign file gets one line naming it and exit 1. --predict is fed test
# images the run itself classified: their pixels and the run's outputs for them come from the
# self-check data in the run's out/report.html, and the image goes through a PGM file (P5 and P2,
# maxval 255, 510 and 65535, which all give value / maxval = pixel / 255 exactly), so the class and
# every printed probability must be the run's, to the last digit.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
require test_model ./deep_mlp

deep "predict without load" 2 "--predict needs --load MODEL" --predict "$work/x.pgm"
deep "save into a missing folder" 2 "--save $work/no/such.model: the folder $work/no does not exist" --save "$work/no/such.model"
deep "load a missing file" 1 "$work/none.model: no such file" --load "$work/none.model" --epochs 0
deep "load a folder" 1 "$work: is a directory" --load "$work" --epochs 0

# --- a trained network is never lost ------------------------------------------------------------
set="$work/set"
make_valid_set "$set"
tiny="--data $set --hidden 1 --epochs 2"
# ended NAME CODE PATTERN: the run before exited with $rc = CODE and wrote one line on stderr
# ($work/err) that contains PATTERN.
ended() {
    if [ "$rc" = "$2" ] && [ "$(wc -l <"$work/err" | tr -d ' ')" -eq 1 ] && grep -qF -- "$3" "$work/err"; then ok; else
        bad "$1: exit $rc (want $2), stderr: $(cat "$work/err")"; fi
}
# loads NAME FILE: FILE is a whole model file, which --load takes.
loads() {
    ./deep_mlp --data "$set" --load "$2" --epochs 0 --out "$work/loaded" >/dev/null 2>"$work/load.err" && ok ||
        bad "$1: the network is not in $2: $(cat "$work/load.err")"
}
# no_temporaries NAME DIR...: no NAME.PID.HEX.tmp file is left in DIR.
no_temporaries() {
    name=$1
    shift
    left=$(find "$@" -maxdepth 1 -name '*.tmp' | head -3)
    [ -z "$left" ] && ok || bad "$name: temporaries left: $left"
}
interpose="$PWD/tests/interpose.so"
[ -f "$interpose" ] || { bad "tests/interpose.so is not built (make)"; interpose=/nowhere; }
asan="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# Standard output on a full disk, or to a reader that has gone: once the run stopped there, before
# --save, and the network was lost.
$limit ./deep_mlp $tiny --out "$work/o1" --save "$work/full.model" >/dev/full 2>"$work/err"
rc=$?
ended "stdout on a full disk" 1 "cannot write to standard output: No space left on device; the trained network was saved to $work/full.model"
loads "stdout on a full disk" "$work/full.model"
{ sleep 1; $limit ./deep_mlp $tiny --out "$work/o1" --save "$work/pipe.model" 2>"$work/err"; echo $? >"$work/rc"; } | true
rc=$(cat "$work/rc")
ended "stdout to a closed pipe" 1 "cannot write to standard output: Broken pipe (its reader closed it); the trained network was saved to $work/pipe.model"
loads "stdout to a closed pipe" "$work/pipe.model"
# --out that cannot be written: a file-size limit (ulimit -f 2: 1024 bytes) that the 103-byte model
# fits and loss.svg does not. Once the run stopped at loss.svg, before --save.
$limit sh -c 'ulimit -f 2 && exec "$@"' limited ./deep_mlp $tiny --out "$work/o2" --save "$work/limited.model" >/dev/null 2>"$work/err"
rc=$?
ended "--out over the file-size limit" 1 "$work/o2/loss.svg: cannot write: File too large (over the file-size limit, ulimit -f); the files in $work/o2 are unchanged; the trained network was saved to $work/limited.model"
loads "--out over the file-size limit" "$work/limited.model"
# --save itself failing at the end (a full disk, made by the interposer: its rename fails with
# ENOSPC), twice: each run's network goes into a fallback file of its own in --out, and the run's
# other files are still written. Once the second run's replaced the first's, which the first
# run's message had said was kept there.
for seed in 1 2; do
    env "$asan" LD_PRELOAD="$interpose" INTERPOSE_RENAME=lost.model INTERPOSE_RENAME_FAIL=28 \
        $limit ./deep_mlp $tiny --seed $seed --out "$work/kept" --save "$work/lost.model" >/dev/null 2>"$work/err"
    rc=$?
    fallback="$work/kept/deep_mlp-unsaved.model"
    [ $seed = 2 ] && fallback="$work/kept/deep_mlp-unsaved-2.model"
    ended "a failing --save, run $seed" 1 "$work/lost.model: cannot write: No space left on device (free some space, or choose another --save); the files in $work are unchanged; the trained network is in $fallback instead"
    loads "a failing --save, run $seed" "$fallback"
    [ $seed = 1 ] && cp "$fallback" "$work/first_fallback.model"
done
cmp -s "$work/first_fallback.model" "$work/kept/deep_mlp-unsaved.model" && ok || bad "a second failing --save replaced the first run's network"
cmp -s "$work/kept/deep_mlp-unsaved.model" "$work/kept/deep_mlp-unsaved-2.model" && bad "the two runs' networks are the same bytes" || ok
[ -s "$work/kept/report.html" ] && [ ! -e "$work/lost.model" ] && ok || bad "a failing --save: the run's other files are missing, or a --save file appeared"
no_temporaries "a failing --save" "$work" "$work/kept"
# SIGTERM while the network is being written: the file is completed, then the run stops by the
# signal. Once it died there, leaving a temporary as large as the model and no model.
env "$asan" LD_PRELOAD="$interpose" INTERPOSE_FSYNC_SIGNAL=15 $limit ./deep_mlp $tiny --out "$work/o5" --save "$work/signal.model" \
    >/dev/null 2>"$work/err"
rc=$?
[ "$rc" = 143 ] && grep -qF "finishing the files being written, then stopping" "$work/err" && ok ||
    bad "a signal while saving: exit $rc (want 143), stderr: $(cat "$work/err")"
loads "a signal while saving" "$work/signal.model"
no_temporaries "a signal while saving" "$work" "$work/o5"

# What --save may not replace, refused before training (nothing on stdout) and left as it was.
mkfifo "$work/fifo.model"
deep "--save a FIFO" 2 "--save $work/fifo.model: is a FIFO (named pipe), not a model file; choose another file name" \
    $tiny --out "$work/o6" --save "$work/fifo.model"
[ -p "$work/fifo.model" ] && [ ! -s "$work/stdout" ] && ok || bad "--save a FIFO: the FIFO was replaced, or training ran"
echo precious >"$work/target"
ln -s "$work/target" "$work/link.model"
deep "--save a symbolic link" 2 "--save $work/link.model: is a symbolic link (to $work/target), which would be replaced by a file" \
    $tiny --out "$work/o6" --save "$work/link.model"
[ -L "$work/link.model" ] && [ "$(cat "$work/target")" = precious ] && ok || bad "--save a symbolic link: the link or its target changed"
if [ "$(id -u)" = 0 ] && mknod "$work/null" c 1 3 2>/dev/null; then  # a /dev/null of our own
    deep "--save a device" 2 "--save $work/null: is a device, not a model file" $tiny --out "$work/o6" --save "$work/null"
    [ -c "$work/null" ] && ok || bad "--save a device: the device was replaced"
else
    missing "root (mknod)" "the --save a device case needs a device node of its own"
fi
# The longest name the folder takes is saved (once its temporary, 28 bytes longer, failed after
# training); one byte more is refused before training.
name_max=$(getconf NAME_MAX "$work")
long=$(printf "%0$((name_max - 6))d" 0).model
deep "--save a name of NAME_MAX bytes" 0 ", and the model to $work/" $tiny --out "$work/o7" --save "$work/$long"
loads "--save a name of NAME_MAX bytes" "$work/$long"
deep "--save a name too long" 2 "its name is $((name_max + 1)) bytes long; the file system takes at most $name_max" \
    $tiny --out "$work/o7" --save "$work/x$long"
[ ! -s "$work/stdout" ] && ok || bad "--save a name too long: training ran before the refusal"

if [ ! -f data/train-images-idx3-ubyte ]; then
    missing "MNIST in data/" "run make data, for the runs"
    echo "test_model: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

accuracy() { grep '^Exactitud de Prueba (Test accuracy): ' "$1"; }

# --- save, load, evaluate ------------------------------------------------------------------------
ten="--classes 10 --hidden 32 --act relu --optimizer adam --lr 1e-3 --batch 128 --reduction mean --init he --epochs 1 --limit 3000"
# shellcheck disable=SC2086
./deep_mlp $ten --save "$work/ten.model" --out "$work/ten" >"$work/ten.txt" 2>"$work/err" || bad "the ten-class run: $(cat "$work/err")"
./deep_mlp --load "$work/ten.model" --epochs 0 --out "$work/ten_eval" >"$work/ten_eval.txt" 2>"$work/err" ||
    bad "--load --epochs 0: $(cat "$work/err")"
if [ -n "$(accuracy "$work/ten.txt")" ] && [ "$(accuracy "$work/ten.txt")" = "$(accuracy "$work/ten_eval.txt")" ] &&
    [ "$(grep -c '^Epoch' "$work/ten_eval.txt")" -eq 0 ]; then ok; else
    bad "ten classes: --load --epochs 0 prints '$(accuracy "$work/ten_eval.txt")', the run printed '$(accuracy "$work/ten.txt")'"; fi
echo "  ten classes, trained and saved:  $(accuracy "$work/ten.txt")"
echo "  ten classes, loaded, --epochs 0: $(accuracy "$work/ten_eval.txt")"

./deep_mlp --epochs 3 --save "$work/two.model" --out "$work/two" >"$work/two.txt" 2>/dev/null
./deep_mlp --load "$work/two.model" --epochs 0 --out "$work/two_eval" >"$work/two_eval.txt" 2>/dev/null
if [ -n "$(accuracy "$work/two.txt")" ] && [ "$(accuracy "$work/two.txt")" = "$(accuracy "$work/two_eval.txt")" ]; then ok; else
    bad "two classes: --load --epochs 0 prints '$(accuracy "$work/two_eval.txt")', the run printed '$(accuracy "$work/two.txt")'"; fi

# Loaded and saved again: the same bytes (every weight exactly).
./deep_mlp --load "$work/ten.model" --hidden 32 --act relu --classes 10 --epochs 0 --save "$work/again.model" \
    --out "$work/again" >"$work/again.txt" 2>"$work/err" || bad "repeating the model's architecture: $(cat "$work/err")"
if cmp -s "$work/ten.model" "$work/again.model"; then ok; else bad "a model loaded and saved again differs from the file"; fi
# Training goes on from the file.
./deep_mlp --load "$work/two.model" --epochs 1 --out "$work/more" >"$work/more.txt" 2>/dev/null
if [ "$(grep -c '^Epoch 0, Loss: ' "$work/more.txt")" -eq 1 ] &&
    [ "$(sed -n 's/^Epoch 0, Loss: //p' "$work/more.txt")" != "$(sed -n 's/^Epoch 0, Loss: //p' "$work/two.txt")" ]; then ok; else
    bad "--load --epochs 1 trains on from the saved weights (its first loss is not the fresh run's)"; fi

# --- the file's architecture wins ---------------------------------------------------------------
deep "hidden disagrees" 2 "--hidden 64 disagrees with $work/ten.model, a network 784 -> 32 relu -> 10 softmax" \
    --load "$work/ten.model" --hidden 64 --epochs 0
deep "act disagrees" 2 "--act tanh disagrees with $work/ten.model" --load "$work/ten.model" --act tanh --epochs 0
deep "classes disagree" 2 "--classes 2 disagrees with $work/ten.model" --load "$work/ten.model" --classes 2 --epochs 0
deep "init with load" 2 "--init does not apply with --load" --load "$work/ten.model" --init he --epochs 0

# --- cut, damaged and foreign files --------------------------------------------------------------
size=$(wc -c <"$work/ten.model" | tr -d ' ')
: >"$work/cut_0"
deep "empty model" 1 "$work/cut_0: empty" --load "$work/cut_0" --epochs 0
for n in 5 8 27 40 1000 $((size / 2)) $((size - 1)); do
    head -c "$n" "$work/ten.model" >"$work/cut_$n"
    deep "model cut to $n bytes" 1 "$work/cut_$n: truncated" --load "$work/cut_$n" --epochs 0
done
cp "$work/ten.model" "$work/long.model" && printf 'x' >>"$work/long.model"
deep "a byte appended" 1 "$work/long.model: corrupt: 1 byte after the network" --load "$work/long.model" --epochs 0
cp "$work/ten.model" "$work/flipped.model"
printf '\377' | dd of="$work/flipped.model" bs=1 seek=5000 conv=notrunc 2>/dev/null
deep "a weight damaged" 1 "$work/flipped.model: corrupt: its checksum does not match" --load "$work/flipped.model" --epochs 0
cp "$work/ten.model" "$work/units.model"
printf '\000\000\001\000' | dd of="$work/units.model" bs=1 seek=28 conv=notrunc 2>/dev/null  # 65536 units
deep "a header damaged" 1 "$work/units.model: corrupt: hidden layer 1 has 65536 units" --load "$work/units.model" --epochs 0
{ printf 'MLPMODEL\003\000\000\000'; tail -c +13 "$work/ten.model"; } >"$work/v3.model"
deep "a newer version" 1 "$work/v3.model: model format version 3; this program reads version 2" --load "$work/v3.model" --epochs 0
{ printf 'MLPMODEL\001\000\000\000'; tail -c +13 "$work/ten.model"; } >"$work/v1.model"
deep "an older version" 1 "$work/v1.model: model format version 1, from an older ./deep_mlp; this one reads version 2" --load "$work/v1.model" --epochs 0
deep "an IDX file" 1 "data/t10k-labels-idx1-ubyte: not a model file" --load data/t10k-labels-idx1-ubyte --epochs 0
deep "a text file" 1 "README.md: not a model file" --load README.md --epochs 0

# --- --predict -----------------------------------------------------------------------------------
# The self-check data of the run's report: "name":value, one per line.
field() { sed -n "s/^\"$1\":\\(.*\\),\$/\\1/p" "$work/ten/report.html" | head -1 | tr -d '[]'; }
sed -n 's/^"pixels":"\(.*\)"$/\1/p' "$work/ten/report.html" | base64 -d >"$work/pixels.bin" 2>/dev/null
labels=$(field labels)
predicted=$(field predicted)
count=$(sed -n 's/^{"count":\([0-9]*\),$/\1/p' "$work/ten/report.html")
if [ -n "$count" ] && [ "$(wc -c <"$work/pixels.bin" | tr -d ' ')" -eq $((count * 784)) ]; then ok; else
    bad "the report holds $count self-check images and $(wc -c <"$work/pixels.bin") bytes of pixels"; fi
nth() { echo "$1" | tr ',' '\n' | sed -n "$(($2 + 1))p"; }
# The run's outputs for sample J, one per line.
outputs_of() { awk -v j="$1" '/^"outputs":/ { on = 1; n = -1 } on && /^\[/ { ++n; if (n == j) { gsub(/[][]/, ""); gsub(/,$/, ""); print; exit } }' \
    "$work/ten/report.html" | tr ',' '\n'; }
# pgm J FILE: sample J as a P5 image, maxval 255.
pgm() { { printf 'P5\n28 28\n255\n'; dd if="$work/pixels.bin" bs=784 skip="$1" count=1 2>/dev/null; } >"$2"; }

mistakes=0
for j in 0 1 $((count - 1)); do
    label=$(nth "$labels" "$j") want=$(nth "$predicted" "$j")
    [ "$label" != "$want" ] && mistakes=$((mistakes + 1))
    pgm "$j" "$work/s$j.pgm"
    ./deep_mlp --load "$work/ten.model" --predict "$work/s$j.pgm" >"$work/p$j.txt" 2>"$work/err"
    got=$(sed -n 's/^predicted: //p' "$work/p$j.txt")
    if [ "$got" = "$want" ] && [ "$(grep -c '^class [0-9]: ' "$work/p$j.txt")" -eq 10 ]; then ok; else
        bad "--predict on test image $j (label $label): '$got', the run predicted '$want' $(cat "$work/err")"; fi
    outputs_of "$j" >"$work/want$j.txt"
    sed -n 's/^class [0-9]: //p' "$work/p$j.txt" >"$work/got$j.txt"
    if [ -s "$work/want$j.txt" ] && cmp -s "$work/want$j.txt" "$work/got$j.txt"; then ok; else
        bad "--predict's probabilities for test image $j differ from the run's:"; paste "$work/want$j.txt" "$work/got$j.txt" | head -3; fi
    [ "$j" -eq 0 ] && echo "  --predict on a test image the run got wrong (label $label, the run said $want):" &&
        sed 's/^/    /' "$work/p$j.txt"
done
[ "$mistakes" -gt 0 ] && ok || bad "no mistake among the samples tried: the run should have made some"

# The same image as P2 with comments, as P2 with maxval 510, as P5 with maxval 65535: the same output.
{ printf 'P2\n# test image 0\n28 28 # width and height\n255\n'; dd if="$work/pixels.bin" bs=784 count=1 2>/dev/null |
    od -An -v -tu1; } >"$work/p2.pgm"
{ printf 'P2\n28 28\n510\n'; dd if="$work/pixels.bin" bs=784 count=1 2>/dev/null | od -An -v -tu1 |
    awk '{ for (i = 1; i <= NF; ++i) printf "%d ", 2 * $i; print "" }'; } >"$work/p2_510.pgm"
{ printf 'P5 28 28 65535\n'; for b in $(dd if="$work/pixels.bin" bs=784 count=1 2>/dev/null | od -An -v -to1); do
    printf "\\$b\\$b"; done; } >"$work/p5_16.pgm"
for f in p2 p2_510 p5_16; do
    ./deep_mlp --load "$work/ten.model" --predict "$work/$f.pgm" >"$work/$f.txt" 2>"$work/err"
    if cmp -s "$work/p0.txt" "$work/$f.txt"; then ok; else bad "--predict on $f.pgm differs from the P5 image: $(cat "$work/err")"; fi
done
# Two classes: two probabilities.
./deep_mlp --load "$work/two.model" --predict "$work/s0.pgm" >"$work/two_p.txt" 2>&1
if [ "$(grep -c '^class [01]: ' "$work/two_p.txt")" -eq 2 ] && grep -q '^predicted: [01]$' "$work/two_p.txt"; then ok; else
    bad "--predict with a two-class model prints two probabilities and the class"; fi

# Bad images: one line, exit 1.
{ printf 'P5\n27 28\n255\n'; head -c 756 /dev/zero; } >"$work/small.pgm"
deep "27x28 image" 1 "$work/small.pgm: is 27x28 pixels; the network in $work/ten.model reads 28x28" --load "$work/ten.model" --predict "$work/small.pgm"
{ printf 'P5\n28 28\n255\n'; head -c 700 /dev/zero; } >"$work/cut.pgm"
deep "truncated image" 1 "$work/cut.pgm: truncated: a 28x28 image needs 784 bytes of pixels, the file has 700" --load "$work/ten.model" --predict "$work/cut.pgm"
printf 'P6\n28 28\n255\n' >"$work/color.ppm"
deep "colour image" 1 "$work/color.ppm: is a Netpbm P6 file, not a grey-level PGM" --load "$work/ten.model" --predict "$work/color.ppm"
printf 'P2\n1 1\n0\n0\n' >"$work/maxval0.pgm"
deep "maxval 0" 1 "$work/maxval0.pgm: maxval is 0" --load "$work/ten.model" --predict "$work/maxval0.pgm"
printf 'P2\n2 1\n255\n7 300\n' >"$work/above.pgm"
deep "value above maxval" 1 "$work/above.pgm: pixel 1 is 300, above maxval 255" --load "$work/ten.model" --predict "$work/above.pgm"
deep "not an image" 1 "README.md: not a PGM image" --load "$work/ten.model" --predict README.md
deep "missing image" 1 "$work/none.pgm: no such file" --load "$work/ten.model" --predict "$work/none.pgm"
deep "predict with a training flag" 2 "--epochs does not apply to --predict" --load "$work/ten.model" --predict "$work/s0.pgm" --epochs 2

echo "test_model: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
