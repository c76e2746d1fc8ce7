#!/bin/sh
# tests/mutants.sh: proves that `make test` catches the mistakes it claims to catch. Each mutant in
# tests/mutants.txt is a copy of the repository with one planted mistake (a sed edit); `make test`
# must FAIL on every mutant (make test-all for the report page's JavaScript, which needs a browser). A mutant whose edit no longer applies (the code moved) is itself an
# error, so the list cannot silently go stale. NO_BROWSER=1 (what `make mutants` sets for the
# mutants outside the report page) runs them with Chromium out of reach, so that a mistake is
# caught by a test that needs no browser.
#   sh tests/mutants.sh          (`make mutants`; needs MNIST in data/; many minutes)
set -u
root=$(pwd)
[ -f data/train-images-idx3-ubyte ] || { echo "mutants: data/ has no MNIST (run make data)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
total=0
mkdir -p "$work/clean"
git ls-files -z | xargs -0 -I{} cp --parents {} "$work/clean/"
ln -s "$root/data/"*-ubyte "$work/clean/data/"
while IFS='|' read -r exercise name file script; do
    case $exercise in ''|'#'*) continue ;; esac
    total=$((total + 1))
    rm -rf "$work/tree"
    cp -a "$work/clean" "$work/tree"
    sed "$script" "$work/tree/$file" >"$work/mutated"
    if cmp -s "$work/mutated" "$work/tree/$file"; then
        failed=$((failed + 1)); echo "STALE: $name: the edit no longer applies to $file"; continue
    fi
    cp "$work/mutated" "$work/tree/$file"
    # The page's JavaScript runs only in a browser, which make test-all's test_report.sh opens; every
    # other mutant must be caught by the quick make test, with Chromium out of reach.
    browser="CHROMIUM=/nonexistent" target=test
    [ "$exercise" = page ] && browser= target=test-all
    if (cd "$work/tree" && env -u REQUIRE_ALL FAIL_FAST=1 $browser make -s -j2 $target CXXFLAGS="-O1 -march=native" >"$work/log" 2>&1); then
        failed=$((failed + 1)); echo "NOT CAUGHT: $name (make test passed)"
    else
        passed=$((passed + 1))
        echo "caught: $name ($(grep -m1 -E 'FAIL|NOT CAUGHT|MISMATCH|differs|WRONG| [1-9][0-9]* failed' "$work/log" | sed 's/^ *//' | cut -c1-100))"
    fi
done <tests/mutants.txt
echo "mutants: $passed of $total caught, $failed not"
[ "$failed" -eq 0 ] && [ "$total" -ge 20 ]
