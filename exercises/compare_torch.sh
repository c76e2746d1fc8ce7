#!/bin/sh
# ./deep_mlp against the PyTorch float64 reference (exercises/torch_reference.py), config by config:
#   sh exercises/compare_torch.sh [DEEP_MLP] [DATA_DIR]       (make compare; defaults ./deep_mlp, data)
# Every config below runs both programs with the same flags; the shape lines and the accuracy line
# must be identical and every epoch's loss within 1e-9 relative (tests/compare_with_numpy.sh does the
# comparing). One line per config: its largest relative loss difference and OK or MISMATCH. Exits 1
# on any mismatch or when deep_mlp fails; exits 0 with a message, comparing nothing, when no Python
# here has torch, numpy and scikit-learn (PYTHON=... names one). About a minute on 2 cores.
set -u
DEEP_MLP=${1:-./deep_mlp}
DATA=${2:-data}
TOL=1e-9
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

if [ -z "${PYTHON:-}" ]; then
    for p in /usr/bin/python3 python3; do
        if "$p" -c 'import torch, numpy, sklearn' >/dev/null 2>&1; then PYTHON=$p; break; fi
    done
fi
if [ -z "${PYTHON:-}" ] || ! "$PYTHON" -c 'import torch, numpy, sklearn' >/dev/null 2>&1; then
    if [ "${REQUIRE_ALL:-0}" = 1 ]; then echo "compare_torch: FAIL: no python3 with torch, numpy and scikit-learn, and REQUIRE_ALL=1"; exit 1; fi
    echo "compare_torch: SKIPPED (no python3 with torch, numpy and scikit-learn; PYTHON=... names one)"
    exit 0
fi
case $DEEP_MLP in */*) ;; *) DEEP_MLP=./$DEEP_MLP ;; esac
[ -x "$DEEP_MLP" ] || { echo "compare_torch: $DEEP_MLP is not built (run make deep_mlp)"; exit 1; }
[ -f "$DATA/train-images-idx3-ubyte" ] || { echo "compare_torch: $DATA/ has no MNIST (run make data)"; exit 1; }

# One config a line; (defaults) is no flags at all, the lesson. Together they cover every flag: 1, 2 and 3 hidden layers; each activation,
# alone and mixed; both --classes; full batch, mini-batches with B dividing N and not, B = 1 and
# B >= N (full batch); each optimizer, with non-default --momentum, --beta1, --beta2 and --eps; each
# --init rule; both reductions; --limit; --epochs 0; non-default seeds; a ten-class run on all
# 56,000 training images; --weight-decay with each optimizer, --dropout with full and mini-batches,
# --lr-decay, alone and together; --denormals flush, where Adam's running means, with beta1 = 0.01,
# decay into denormals (6,211 times in this run when they are kept).
CONFIGS='
(defaults)
--hidden 32,16 --act tanh,relu --batch 100 --optimizer nesterov --lr 1e-3 --epochs 3 --limit 2000
--classes 10 --hidden 64 --act relu --optimizer adam --lr 1e-3 --batch 128 --epochs 2 --reduction mean --init he --limit 5000
--classes 10 --hidden 128 --act relu --optimizer adam --lr 1e-3 --batch 500 --epochs 2 --reduction mean --init he
--hidden 48,32,16 --act sigmoid,tanh,relu --optimizer momentum --momentum 0.5 --lr 5e-4 --batch 333 --epochs 4 --limit 3000 --init xavier
--act tanh --lr 1e-3 --epochs 5 --limit 1500 --seed 12345
--act relu --init he --optimizer adam --beta1 0.8 --beta2 0.99 --eps 1e-6 --lr 1e-3 --batch 64 --epochs 2 --limit 1000 --reduction mean
--hidden 16 --epochs 0 --seed 5
--classes 10 --hidden 32,32 --act sigmoid --lr 0.5 --reduction mean --batch 250 --epochs 3 --limit 4000 --init xavier
--classes 10 --hidden 64 --act tanh --optimizer momentum --lr 1e-4 --epochs 5 --limit 3000
--hidden 20 --act relu --optimizer nesterov --momentum 0.7 --lr 2e-4 --epochs 6 --limit 2500 --init 0.05
--batch 3000 --epochs 3 --limit 3000 --seed 4294967295
--classes 10 --hidden 100,50,25 --act relu,relu,tanh --optimizer adam --lr 2e-3 --batch 1000 --epochs 3 --limit 10000 --init he
--act sigmoid --batch 1 --lr 1e-2 --epochs 1 --limit 300
--hidden 8 --batch 7 --optimizer adam --lr 1e-2 --epochs 3 --limit 50 --seed 3
--classes 10 --hidden 64,32 --act relu,tanh --optimizer adam --lr 1e-3 --batch 100 --epochs 3 --limit 2000 --dropout 0.3 --reduction mean --init he
--hidden 32 --act tanh --optimizer momentum --lr 1e-3 --epochs 4 --limit 1500 --weight-decay 0.01 --lr-decay 0.8
--hidden 32,16 --act sigmoid,relu --optimizer nesterov --lr 5e-4 --batch 64 --epochs 2 --limit 1000 --weight-decay 0.1 --dropout 0.5 --lr-decay 0.5
--epochs 3 --dropout 0.2 --limit 3000
--classes 10 --hidden 128 --act relu --optimizer adam --lr 1e-3 --batch 128 --epochs 2 --reduction mean --init he --weight-decay 1e-4 --dropout 0.2 --lr-decay 0.9
--classes 10 --hidden 32 --act relu --init he --optimizer adam --beta1 0.01 --lr 1e-3 --batch 10 --epochs 3 --limit 1000 --reduction mean --denormals flush
'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
failed=0
echo "compare_torch: $DEEP_MLP against exercises/torch_reference.py ($PYTHON), losses within $TOL relative"
while IFS= read -r args; do
    [ -n "$args" ] || continue
    n=$((n + 1))
    label=$(printf '%2d  %s' "$n" "$args")
    [ "$args" = "(defaults)" ] && args=
    # shellcheck disable=SC2086  # the flags split on spaces
    if ! "$DEEP_MLP" --data "$DATA" --out "$work/out" $args >"$work/c.txt" 2>"$work/c.err"; then
        echo "$label: FAILED (deep_mlp exited non-zero)"; sed 's/^/    /' "$work/c.err"; failed=$((failed + 1)); continue
    fi
    # shellcheck disable=SC2086
    if ! "$PYTHON" "$here/torch_reference.py" "$DATA" $args >"$work/t.txt" 2>"$work/t.err"; then
        echo "$label: FAILED (torch_reference.py exited non-zero)"; sed 's/^/    /' "$work/t.err"; failed=$((failed + 1)); continue
    fi
    if sh "$repo/tests/compare_with_numpy.sh" "$work/t.txt" "$work/c.txt" "$TOL" >"$work/cmp.txt"; then verdict=OK; else verdict=MISMATCH; failed=$((failed + 1)); fi
    worst=$(sed -n 's/.*largest relative loss difference \([^:]*\):.*/\1/p' "$work/cmp.txt")
    echo "$label: worst $worst $verdict"
    [ "$verdict" = OK ] || grep -v '^compare_with_numpy:' "$work/cmp.txt" | head -n 5 | sed 's/^/    /'
done <<END
$CONFIGS
END
echo "compare_torch: $((n - failed)) of $n configs agree"
[ "$failed" -eq 0 ]
