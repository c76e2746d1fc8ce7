#!/bin/sh
# Compares ./mlp's output with the notes' numpy code's (same seed and flags):
#   sh tests/compare_with_numpy.sh NUMPY_OUTPUT MLP_OUTPUT [TOLERANCE]
# The shape lines and the accuracy line must be identical, every "Epoch k, Loss: L" line present
# with the same k and L within TOLERANCE relative (default 1e-10: numpy's BLAS adds in another
# order, so the last digits may differ). exercises/compare_torch.sh uses it for ./deep_mlp against
# the PyTorch reference, with 1e-9. The last line says "largest relative loss difference X".
set -u
[ $# -eq 2 ] || [ $# -eq 3 ] || { echo "usage: sh tests/compare_with_numpy.sh NUMPY_OUTPUT MLP_OUTPUT [TOLERANCE]" >&2; exit 2; }
awk -v tol="${3:-1e-10}" '
    function abs(x) { return x < 0 ? -x : x }
    function number(s) { return s ~ /^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
    FNR == NR { expected[FNR] = $0; n_expected = FNR; next }
    { actual[FNR] = $0; n_actual = FNR }
    END {
        bad = 0; worst = 0
        if (n_expected != n_actual) { printf "line count differs: expected %d, got %d\n", n_expected, n_actual; bad = 1 }
        for (i = 1; i <= n_expected; i++) {
            e = expected[i]; a = actual[i]
            if (e ~ /^Epoch [0-9]+, Loss: /) {
                split(e, ep, ", Loss: "); split(a, ap, ", Loss: ")
                if (ep[1] != ap[1]) { printf "line %d: expected \"%s\", got \"%s\"\n", i, e, a; bad = 1; continue }
                if (ep[2] == ap[2]) continue
                # nan or inf on one side only: no number to compare, a mismatch
                if (!number(ep[2]) || !number(ap[2])) { printf "line %d: loss %s vs %s\n", i, ap[2], ep[2]; bad = 1; continue }
                le = ep[2] + 0; la = ap[2] + 0
                rel = abs(le - la) / (abs(le) > 0 ? abs(le) : 1)
                if (rel > worst) worst = rel
                if (!(rel <= tol)) { printf "line %d: loss %s vs expected %s (relative difference %g)\n", i, ap[2], ep[2], rel; bad = 1 }
            } else if (e != a) { printf "line %d: expected \"%s\", got \"%s\"\n", i, e, a; bad = 1 }
        }
        printf "compare_with_numpy: %d lines, largest relative loss difference %g: %s\n", n_expected, worst, bad ? "MISMATCH" : "match"
        exit bad
    }' "$1" "$2"
