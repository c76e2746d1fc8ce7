#!/bin/sh
# tests/test_lesson.sh: ./mlp's seed-0 run against the notes' numpy code, and the READMEs against ./mlp.
#   sh tests/test_lesson.sh          (run by `make test`; needs ./mlp built and MNIST in data/)
# tests/notes_numpy_seed0.txt is what bench/notes_numpy.py (the notes' code, bias gradients
# corrected, np.random.seed(0)) printed on MNIST. Every line must agree: shapes and accuracy
# exactly, each epoch's loss within 1e-10 relative. A wrong forward pass, loss, backward pass or
# update rule changes the losses far more than that, so it fails here even where numpy is absent.
# Then every "Epoch", "Exactitud" and shape line that README.md and LEEME.md show must be one that
# ./mlp really printed.
set -u
MLP=${MLP:-./mlp}
[ -x "$MLP" ] || { echo "test_lesson: $MLP is not built (run make)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
require test_lesson data

if "$MLP" --out "$work/out" >"$work/mlp.txt" 2>"$work/err"; then ok; else bad "./mlp exited non-zero: $(cat "$work/err")"; fi
if sh tests/compare_with_numpy.sh tests/notes_numpy_seed0.txt "$work/mlp.txt"; then ok; else bad "./mlp differs from the notes' numpy code (above)"; fi

for doc in README.md LEEME.md; do
    [ -f "$doc" ] || continue
    # The run output a document shows: lines inside ``` blocks that look like ./mlp's.
    awk '/^```/ { inside = !inside; next } inside' "$doc" |
        grep -E '^(Epoch [0-9]+, Loss: |Exactitud de Prueba|\([0-9]+, 784\) \([0-9]+,\)$)' >"$work/shown" || true
    shown=$(wc -l <"$work/shown" | tr -d ' ')
    missing=0
    while IFS= read -r line; do
        grep -qxF -- "$line" "$work/mlp.txt" || { missing=$((missing + 1)); echo "    $doc shows a line ./mlp does not print: $line"; }
    done <"$work/shown"
    if [ "$missing" -eq 0 ] && [ "$shown" -gt 0 ]; then ok; else bad "$doc: $missing of $shown run lines not in ./mlp's output"; fi
done

# The code the documents quote from mlp.cpp (the lines of their ```cpp blocks) must still be there,
# word for word, so that a student who looks for a quoted line finds it.
for doc in README.md LEEME.md; do
    [ -f "$doc" ] || continue
    awk '/^ *```cpp/ { inside = 1; next } /^ *```/ { inside = 0 } inside' "$doc" |
        sed 's/^ *//; s/ *$//' | grep -v '^$' >"$work/quoted" || true
    stale=0
    while IFS= read -r line; do
        grep -qF -- "$line" mlp.cpp || { stale=$((stale + 1)); echo "    $doc quotes a line mlp.cpp no longer has: $line"; }
    done <"$work/quoted"
    if [ "$stale" -eq 0 ] && [ -s "$work/quoted" ]; then ok; else bad "$doc: $stale quoted code line(s) not in mlp.cpp (of $(wc -l <"$work/quoted") quoted)"; fi
done

# tests/README.md lists every planted mistake of tests/mutants.txt, by its name.
unlisted=0
grep -v '^#' tests/mutants.txt | cut -d'|' -f2 | while IFS= read -r name; do
    [ -n "$name" ] || continue
    tr '\n' ' ' <tests/README.md | sed 's/  */ /g' | grep -qF -- "$name" || echo "$name"
done >"$work/unlisted"
if [ -s "$work/unlisted" ]; then bad "tests/README.md does not list: $(tr '\n' ';' <"$work/unlisted")"; else ok; fi

echo "test_lesson: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
