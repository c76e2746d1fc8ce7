#!/bin/sh
# tests/mutants.sh: proves that `make test` catches the mistakes it claims to catch. Each mutant
# is a copy of the repository with one planted mistake (a sed edit of one line); `make test` must
# FAIL on every mutant. A mutant whose edit no longer applies (the code moved) is itself an error,
# so this list cannot silently go stale.
#   sh tests/mutants.sh          (`make mutants`; needs MNIST in data/; several minutes)
set -u
root=$(pwd)
[ -f data/train-images-idx3-ubyte ] || { echo "mutants: data/ has no MNIST (run make data)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# mutant NAME FILE SED_SCRIPT
mutant() {
    name=$1 file=$2 script=$3
    rm -rf "$work/tree"
    mkdir -p "$work/tree"
    git ls-files -z | xargs -0 -I{} cp --parents {} "$work/tree/"
    ln -s "$root/data/"*-ubyte "$work/tree/data/"
    sed "$script" "$work/tree/$file" >"$work/mutated"
    if cmp -s "$work/mutated" "$work/tree/$file"; then
        failed=$((failed + 1)); echo "STALE: $name: the edit no longer applies to $file"; return
    fi
    cp "$work/mutated" "$work/tree/$file"
    if (cd "$work/tree" && make -s test CXXFLAGS="-O2 -march=native" >"$work/log" 2>&1); then
        failed=$((failed + 1)); echo "NOT CAUGHT: $name (make test passed)"
    else
        passed=$((passed + 1)); echo "caught: $name ($(grep -m1 -E 'FAIL|NOT CAUGHT|MISMATCH|differs| [1-9][0-9]* failed' "$work/log" | sed 's/^ *//' | cut -c1-100))"
    fi
}

# The lesson (mlp.cpp).
mutant "eq. (5) as gradient ascent" mlp.cpp 's/subtract_scaled(p\.\([Wb]_[12]\), learning_rate/subtract_scaled(p.\1, -learning_rate/'
mutant "phi'(z_1) dropped from eq. (4)" mlp.cpp 's/hadamard(matmul_ABt(delta_2, p\.W_2), sigmoid_prime(a\.y_1))/matmul_ABt(delta_2, p.W_2)/'
mutant "delta_2's sign flipped" mlp.cpp 's/return subtract(y_2, y);/return subtract(y, y_2);/'
# The exercises.
mutant "softmax delta without the one-hot subtraction" exercises/layers.hpp 's/return subtract(y_L, t);/return y_L;/'
mutant "tanh' as 1 - y" exercises/layers.hpp 's/return 1\.0 - y \* y;/return 1.0 - y;/'
mutant "relu' as 1 everywhere" exercises/layers.hpp 's/return z > 0\.0 ? 1\.0 : 0\.0;/return 1.0;/'
mutant "mean reduction without 1/n" exercises/network.hpp '/if (reduction == Reduction::mean) divide/d'
mutant "Adam without bias correction" exercises/optimizers.hpp 's/const double step_size = lr \/ (1\.0 - std::pow(b1, static_cast<double>(t)));/const double step_size = lr;/'
mutant "Nesterov without the look-ahead" exercises/optimizers.hpp 's/lr \* (g\.data\[i\] + m \* s\.buf\.data\[i\])/lr * s.buf.data[i]/'

echo "mutants: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
