#!/bin/sh
# tests/test_references.sh: ./deep_mlp against stored PyTorch runs, no Python needed.
#   sh tests/test_references.sh      (run by `make test`; needs ./deep_mlp and MNIST in data/)
# exercises/reference/runs/runs.txt lists flags; NAME.txt beside it is what PyTorch float64
# (exercises/torch_reference.py: autograd, torch.optim, ExponentialLR, dropout as a product) printed
# for them. ./deep_mlp with the same flags must print the same shape and accuracy lines and every
# epoch's loss within 1e-9 relative: ten classes (mini-batches, one-hot targets, He's init), and each
# regularization flag alone and together; and --denormals flush.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
require test_references ./deep_mlp data
runs=exercises/reference/runs
while IFS= read -r entry; do
    case $entry in ''|'#'*) continue ;; esac
    name=${entry%%:*}
    flags=${entry#*: }
    # shellcheck disable=SC2086  # the flags split on spaces
    if ./deep_mlp $flags --out "$work/out" >"$work/c.txt" 2>"$work/err" &&
        sh tests/compare_with_numpy.sh "$runs/$name.txt" "$work/c.txt" 1e-9 >"$work/cmp.txt"; then
        ok; echo "  $name: $(tail -1 "$work/cmp.txt")"
    else
        bad "$name ($flags) differs from PyTorch's $runs/$name.txt:"; sed 's/^/    /' "$work/cmp.txt" "$work/err" | head -8
    fi
done <"$runs/runs.txt"
[ "$passed" -ge 5 ] || bad "fewer than five stored runs were compared"
echo "test_references: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
