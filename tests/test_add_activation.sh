#!/bin/sh
# tests/test_add_activation.sh: adding an activation is one entry in activations()
# (exercises/layers.hpp), and nothing else. In a scratch copy of the project it adds softplus,
# phi(z) = log(1 + e^z), phi'(z) = 1 / (1 + e^-z), as that one entry, then: the gradient checker
# checks it (and passes), the grader grades its phi' (exercise b), ./deep_mlp trains with --act
# softplus, saves the network and loads it back to the same accuracy, and the report page's forward
# pass and its walk back (phi' in JavaScript), in Chromium, agree with the C++ program (the page's
# self-check and walk check).
#   sh tests/test_add_activation.sh      (run by `make test`; needs MNIST in data/)
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
require test_add_activation data
root=$(pwd)
tree=$work/tree
mkdir -p "$tree"
git ls-files --cached --others --exclude-standard -z | xargs -0 -I{} cp --parents {} "$tree/"
ln -s "$root/data/"*-ubyte "$tree/data/"

# The one entry, after relu's.
sed '/^         "(z > 0 ? z : 0)", "(z > 0 ? 1 : 0)"},$/a\
        // softplus: log(1 + e^z), written so that e^z never overflows; its slope is the sigmoid.\
        {"softplus", [](double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::fabs(z))); },\
         [](double z, double) { return 1.0 / (1.0 + std::exp(-z)); },\
         "Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))", "1 / (1 + Math.exp(-z))"},' exercises/layers.hpp >"$tree/exercises/layers.hpp"
if cmp -s exercises/layers.hpp "$tree/exercises/layers.hpp"; then bad "the entry could not be added (relu's entry moved?)"; fi
(cd "$tree" && make -s CXXFLAGS=-O1 test_gradients deep_mlp exercises/judge >"$work/build.txt" 2>&1) && ok || {
    bad "the copy with softplus does not build:"; head -5 "$work/build.txt"; }

cd "$tree"
./test_gradients >"$work/gradients.txt" 2>&1 && ok || bad "test_gradients fails with softplus registered: $(grep FAIL "$work/gradients.txt" | head -3)"
[ "$(grep -c 'softplus.* ok$' "$work/gradients.txt")" -ge 8 ] && ok || bad "test_gradients did not check softplus on every problem"
EX=b sh exercises/check.sh >"$work/grade.txt" 2>&1 && grep -q "softplus's phi'.* ok" "$work/grade.txt" && ok ||
    bad "the grader does not grade softplus's phi': $(tail -1 "$work/grade.txt")"
./deep_mlp --classes 10 --hidden 16 --act softplus --optimizer adam --lr 1e-3 --batch 100 --epochs 1 --limit 1000 \
    --out "$work/out" --save "$work/net.model" >"$work/run.txt" 2>"$work/err" && ok || bad "training with --act softplus: $(cat "$work/err")"
./deep_mlp --load "$work/net.model" --epochs 0 --out "$work/back" >"$work/back.txt" 2>"$work/err" && ok || bad "--load: $(cat "$work/err")"
trained=$(grep '^Exactitud' "$work/run.txt")
[ -n "$trained" ] && [ "$trained" = "$(grep '^Exactitud' "$work/back.txt")" ] && ok || bad "the loaded softplus network's accuracy differs"
grep -q '"softplus"' "$work/out/report.html" && ok || bad "the report does not name softplus"
if [ -n "$chromium" ]; then page_checks softplus "$work/out/report.html"; else
    missing "Chromium ($chromium_wanted)" "apt-get install chromium, to check the page's softplus in a browser"; fi
cd "$root"

echo "test_add_activation: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
