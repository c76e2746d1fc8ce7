#!/bin/sh
# tests/test_deep_mlp.sh: ./deep_mlp as a student meets it. With no flags it must print exactly
# what ./mlp prints; every bad flag value or combination gets one line and exit 2; a diverging
# rate stops with a message that names the rate, or the weight decay when the decay diverges by
# itself; --epochs 0 only evaluates.
#   sh tests/test_deep_mlp.sh       (run by `make test`; needs ./mlp, ./deep_mlp and MNIST in data/)
set -u
[ -x ./deep_mlp ] && [ -x ./mlp ] || { echo "test_deep_mlp: build ./mlp and ./deep_mlp first (make)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
# deep_out NAME CODE PATTERN ARGS...: helpers.sh's deep, writing into the scratch folder.
deep_out() { deep "$@" --out "$work/out"; }

deep_out "act list longer than hidden" 2 "--act lists 3 activations for 2 hidden layers" --hidden 8,4 --act relu,tanh,relu
deep_out "unknown activation" 2 "unknown activation 'no_such_phi' in --act" --act no_such_phi
deep_out "three classes" 2 "--classes must be 2 (the digits 0 and 1) or 10 (all digits), got '3'" --classes 3
deep_out "negative batch" 2 "--batch must be between 0 and" --batch -1
deep_out "beta2 of 1" 2 "--beta2 must be" --optimizer adam --beta2 1
deep_out "unknown optimizer" 2 "unknown --optimizer 'sgdd'; choose gd, momentum, nesterov or adam" --optimizer sgdd
deep_out "momentum without its optimizer" 2 "--momentum applies to --optimizer momentum or nesterov, not adam" --optimizer adam --momentum 0.5
deep_out "beta1 without adam" 2 "--beta1 applies to --optimizer adam, not gd" --beta1 0.8
deep_out "empty layer in hidden" 2 "--hidden needs a whole number, got ''" --hidden 64,,32
deep_out "zero-width layer" 2 "--hidden must be between 1 and 4096, got 0" --hidden 0
deep_out "bad init" 2 "--init" --init wide
deep_out "bad reduction" 2 "--reduction must be sum or mean, got 'avg'" --reduction avg
deep_out "zero limit" 2 "--limit must be between 1" --limit 0
deep_out "negative eps" 2 "--eps must be a positive number" --optimizer adam --eps -1
deep_out "dropout 1" 2 "--dropout must be a number in [0, 1), got '1'" --dropout 1
deep_out "negative dropout" 2 "--dropout must be a number in [0, 1), got '-0.1'" --dropout -0.1
deep_out "lr decay 0" 2 "--lr-decay must be a number in (0, 1], got '0'" --lr-decay 0
deep_out "lr decay above 1" 2 "--lr-decay must be a number in (0, 1], got '1.5'" --lr-decay 1.5
deep_out "weight decay nan" 2 "--weight-decay must be a number >= 0, got 'nan'" --weight-decay nan
deep_out "negative weight decay" 2 "--weight-decay must be a number >= 0, got '-1e-4'" --weight-decay -1e-4
deep_out "weight decay inf" 2 "--weight-decay is out of range" --weight-decay 1e400
deep_out "denormals maybe" 2 "--denormals must be keep or flush, got 'maybe'" --denormals maybe

if [ -f data/train-images-idx3-ubyte ]; then
    ./mlp --out "$work/o1" >"$work/mlp.txt" 2>/dev/null
    ./deep_mlp --out "$work/o2" >"$work/deep.txt" 2>/dev/null
    if cmp -s "$work/mlp.txt" "$work/deep.txt"; then ok; else bad "./deep_mlp with no flags differs from ./mlp"; fi
    if cmp -s "$work/o1/loss.csv" "$work/o2/loss.csv"; then ok; else bad "./deep_mlp's loss.csv differs from ./mlp's"; fi
    deep_out "diverging rate" 1 "try a smaller --lr than 1.0" --lr 1
    deep_out "diverging ten-class rate" 1 "training diverged at epoch" --classes 10 --lr 1e6 --limit 500 --batch 100
    deep_out "a last step that leaves NaN weights" 1 "training diverged at epoch 1 (loss nan); try a smaller --lr" \
        --lr 1e308 --limit 100 --epochs 1 --save "$work/nan.model"
    [ ! -e "$work/nan.model" ] && ok || bad "a diverged run saved its NaN weights"
    deep_out "initial weights too large" 1 "the initial weights already give" --init 3 --epochs 3
    # Weight decay alone multiplies every weight by 1 - lr L at each gd step, which grows it once
    # lr L > 2 (2 (1 + m) with momentum m): past that, the message names the decay and its bound,
    # 2 / lr = 20000 and 3.8 / lr = 38000 here, not the rate. Below it, the rate or the decay.
    deep_out "weight decay that diverges by itself" 1 \
        "--weight-decay 1e+300 diverges by itself at --lr 0.0001 (their product, 1e+296, must stay below 2 for --optimizer gd); try a --weight-decay below 20000" \
        --weight-decay 1e300 --limit 200 --epochs 2
    deep_out "weight decay that diverges by itself, with momentum" 1 \
        "(their product, 1e+296, must stay below 3.8 for --optimizer momentum); try a --weight-decay below 38000" \
        --weight-decay 1e300 --optimizer momentum --limit 200 --epochs 2
    deep_out "a rate that diverges, with weight decay" 1 "try a smaller --lr than 1.0, or a smaller --weight-decay than 0.001" \
        --lr 1 --weight-decay 1e-3 --limit 200 --epochs 3
    mkfifo "$work/fifo"
    deep_out "a FIFO as the model file" 1 "$work/fifo: is a FIFO (named pipe), not a model file" --load "$work/fifo" --epochs 0
    deep_out "--save names a folder" 2 "--save $work: is a folder; give a file name" --save "$work" --epochs 1
    ./deep_mlp --epochs 0 --out "$work/o3" >"$work/eval.txt" 2>/dev/null
    if [ "$(grep -c '^Epoch' "$work/eval.txt")" -eq 0 ] && grep -q '^Exactitud de Prueba (Test accuracy): ' "$work/eval.txt"; then ok; else
        bad "--epochs 0 prints the shapes and the accuracy, no epoch"; fi
    ./deep_mlp --classes 10 --hidden 32 --act relu --batch 50 --optimizer adam --lr 1e-3 --reduction mean \
        --init he --epochs 2 --limit 1000 --out "$work/o4" >"$work/ten.txt" 2>/dev/null
    if grep -qx '(1000, 784) (1000,)' "$work/ten.txt" && grep -qx '(14000, 784) (14000,)' "$work/ten.txt" &&
        [ "$(grep -c '^Epoch' "$work/ten.txt")" -eq 2 ]; then ok; else bad "a ten-class run on --limit 1000 prints the spec's lines"; fi
else
    missing "MNIST in data/" "run make data, for the runs"
fi
# The guide's ```cpp blocks quote the code (```c++ blocks are suggestions, not yet in it): every
# line must still be in mlp.cpp or exercises/, word for word.
for doc in exercises/README.md exercises/LEEME.md; do
    awk '/^ *```cpp/ { inside = 1; next } /^ *```/ { inside = 0 } inside' "$doc" |
        sed 's/^ *//; s/ *$//' | grep -v '^$' >"$work/quoted" || true
    cat mlp.cpp exercises/*.hpp exercises/*.cpp >"$work/code"
    stale=0
    while IFS= read -r line; do
        grep -qF -- "$line" "$work/code" || { stale=$((stale + 1)); echo "    $doc quotes a line the code no longer has: $line"; }
    done <"$work/quoted"
    if [ "$stale" -eq 0 ] && [ -s "$work/quoted" ]; then ok; else bad "$doc: $stale quoted code line(s) not in the code"; fi
done

# The guides' record is the network `make ten-class` trains: they show its command as make runs it.
record=$(make --no-print-directory -n ten-class 2>/dev/null | grep '^\./deep_mlp ' | head -n 1)
for doc in exercises/README.md exercises/LEEME.md; do
    if [ -n "$record" ] && grep -qxF -- "$record" "$doc"; then ok; else bad "$doc does not show make ten-class's command: $record"; fi
done

echo "test_deep_mlp: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
