#!/bin/sh
# tests/test_explain.sh: --explain N and the page's walk against numpy's walk of the same image.
#   sh tests/test_explain.sh        (run by `make test`; needs ./mlp, ./deep_mlp and MNIST in data/)
# tests/explain_numpy.txt is what tests/explain_numpy.py printed: for each case (the lesson before
# and after its 30 epochs, the lesson at another image and rate, a k = 2 tanh network, a ten-class
# relu/sigmoid one), the walk of one test image computed by numpy from the notes' formulas, on a
# network numpy made (and trained) itself. Here each case's command runs, and:
#  - every number its --explain prints (the first values of each row, the scalars, the step's y_K
#    and loss, (6)'s values, each checked parameter's backprop value) is numpy's within 1e-9 of the
#    row's largest value; each finite difference within 1e-6 relative of numpy's own;
#  - the walk embedded in its report page holds numpy's whole rows (z_l, y_l, delta_l, grad_b_l,
#    dL/dy_l, phi_l'(z_l), the rows of grad_W_l numpy stored, the loss, the step's), and every value
#    the terminal printed is the page's, digit for digit: both come from one walk;
#  - each finite difference agrees with backprop (relative difference below 1e-5), and the step of
#    (5) lowers the loss, as the notes promise for a small enough rate.
# Then: ./deep_mlp --explain 0 prints ./mlp --explain 0's bytes; --explain leaves the usual lines as
# they were; a bad N is one line naming the range (exit 2); ./mlp --epochs 0 evaluates the untrained
# network; the --explain lines README.md and LEEME.md show are ones ./mlp --explain 0 printed.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
require test_explain ./mlp ./deep_mlp data
reference=tests/explain_numpy.txt

# terminal_values OUTPUT: the walk's numbers as KEY|v1 v2 ..., the keys those of explain_numpy.txt
# (z_1, phi_prime_1, grad_W1[297], loss, after_y, check_W_1[297, 31], ...; z_1@31 for element 31).
terminal_values() {
    awk '
        function values(text,   n, parts, i, out) {
            sub(/^ +/, "", text); sub(/, \.\.\. \([0-9]+ values\)$/, "", text)
            n = split(text, parts, ", "); out = ""
            for (i = 1; i <= n; ++i) out = out (i > 1 ? " " : "") parts[i]
            return out
        }
        function key_of(symbol) {
            if (symbol == "l") return "loss"
            if (symbol ~ /^dL\/dy_/) { sub(/^dL\/dy_/, "dL_dy_", symbol); return symbol }
            if (symbol ~ /'\''\(z_[0-9]+\)$/) { sub(/^.*\(z_/, "phi_prime_", symbol); sub(/\)$/, "", symbol); return symbol }
            return symbol
        }
        pending != "" { print pending "|" values($0); pending = ""; next }
        /^The checker:/ { checks = 1; next }
        checks && /^    [Wb]_/ {
            name = $1; first = 2
            if (name ~ /,$/) { name = name " " $2; first = 3 }
            print "check_" name "|" $first " " $(first + 1); next
        }
        /^\(5\) / { step = 1; next }
        step && /^      y_/ { split($0, sides, " -> "); print "after_y|" values(sides[2]); next }
        step && /^      l / { sub(/^      l /, ""); split($0, sides, " -> "); sub(/:.*/, "", sides[2]); print "after_loss|" sides[2]; step = 0; next }
        /^\(6\) / { six = 1 }
        six && match($0, /z_[0-9]+\[[0-9]+\] = [^,]+/) {
            text = substr($0, RSTART, RLENGTH); split(text, kv, " = "); split(kv[1], ij, /[][]/)
            if ($0 !~ /\(z_/) print ij[1] "@" ij[2] "|" kv[2]
        }
        six && /^      / {
            n = split($0, parts, ", ")
            for (i = 1; i <= n; ++i) {
                split(parts[i], kv, " = "); sub(/^ +/, "", kv[1]); split(kv[1], ij, /[][]/); layer = ij[1]; sub(/^.*z_/, "", layer)
                print (kv[1] ~ /'\''\(/ ? "phi_prime_" layer : "y_" layer) "@" ij[2] "|" kv[2]
            }
            six = 0; next
        }
        /^\([1-4]\) / {
            symbol = $2
            if (symbol == "y_0") next
            if (!match($0, /\([0-9]+, [0-9]+\)/)) next
            shape = substr($0, RSTART, RLENGTH); tail = substr($0, RSTART + RLENGTH)
            key = key_of(symbol)
            if (symbol ~ /^grad_W/ && match(tail, /row [0-9]+/)) { key = symbol "[" substr(tail, RSTART + 4, RLENGTH - 4) "]"; pending = key; next }
            if (shape == "(1, 1)") { split(tail, t, " "); print key "|" t[1] } else pending = key
        }
    ' "$1"
}

# page_values PAGE NAME: the walk the page embeds, as KEY|v1 v2 ... (whole rows), and each layer's
# grad_W (its first columns) decoded into $work/NAME.gradW.L, one value a line, with .cols beside.
page_values() {
    awk -v stem="$work/$2.gradW." '
        function array(line, name,   text) {
            if (!match(line, "\"" name "\":\\[[^]]*\\]")) return ""
            text = substr(line, RSTART + length(name) + 4, RLENGTH - length(name) - 5); gsub(/,/, " ", text); return text
        }
        function scalar(line, name,   text) {
            if (!match(line, "\"" name "\":[^,}]*")) return ""
            return substr(line, RSTART + length(name) + 3, RLENGTH - length(name) - 3)
        }
        /<script type="application\/json" id="walk-data">/ { inside = 1; next }
        inside && /<\/script>/ { inside = 0 }
        !inside { next }
        /^{"image":/ { print "loss|" scalar($0, "loss") }
        /^"after":/ { print "after_y|" array($0, "y"); sub(/.*"y":\[[^]]*\]/, ""); print "after_loss|" scalar($0, "loss") }
        /"activation":/ {
            ++layer
            n = split("z y delta grad_b dL_dy phi_prime", names, " ")
            for (i = 1; i <= n; ++i) {
                v = array($0, names[i]); if (v == "") continue
                key = names[i] == "grad_b" ? "grad_b" layer : names[i] "_" layer
                print key "|" v
            }
            match($0, /"grad_W":"[^"]*"/); print substr($0, RSTART + 10, RLENGTH - 11) > (stem layer ".b64")
            print scalar($0, "grad_W_cols") > (stem layer ".cols")
        }
    ' "$1"
    for b64 in "$work/$2".gradW.*.b64; do
        [ -f "$b64" ] || continue
        base64 -d <"$b64" | od -A n -t f8 -v | tr -s ' \n' '\n\n' | grep -v '^$' >"${b64%.b64}"
    done
}

# compare NAME GOT TOLERANCE EXACT: every value of GOT (KEY|values, a row's first values) against the
# reference's row of that key, within TOLERANCE of the row's largest value; check_ keys: the
# backprop value so, the finite difference within 1e-6 relative. Prints one line per mismatch.
compare() {
    awk -v tol="$3" -v what="$4" '
        function abs(x) { return x < 0 ? -x : x }
        FNR == NR { split($0, kv, "|"); ref[kv[1]] = kv[2]; next }
        {
            split($0, kv, "|"); key = kv[1]; base = key; at = -1
            if (key ~ /@/) { split(key, ka, "@"); base = ka[1]; at = ka[2] }
            if (!(base in ref)) { print "    " what ": " key " is not in the reference"; bad++; next }
            n = split(ref[base], want, " "); m = split(kv[2], got, " ")
            scale = 0
            for (i = 1; i <= n; ++i) if (abs(want[i]) > scale) scale = abs(want[i])
            if (scale == 0) scale = 1e-300
            for (i = 1; i <= m; ++i) {
                w = at >= 0 ? want[at + 1] : want[i]
                if (i > n && at < 0) { print "    " what ": " key " has more values than the reference"; bad++; break }
                limit = tol * scale
                if (key ~ /^check_/ && i == 2) limit = 1e-6 * abs(w)
                if (!(abs(got[i] - w) <= limit)) { printf "    %s: %s[%d] = %s, numpy %s\n", what, key, (at >= 0 ? at : i - 1), got[i], w; bad++ }
                compared++
            }
        }
        END { if (!compared) { print "    " what ": nothing compared"; bad++ } exit bad > 0 }
    ' "$1" "$2"
}

# the_same TERMINAL PAGE: every value the terminal printed is the page's, as written (row prefixes).
the_same() {
    awk '
        FNR == NR { split($0, kv, "|"); page[kv[1]] = kv[2]; next }
        {
            split($0, kv, "|"); key = kv[1]
            if (key ~ /^check_|@|^grad_W/ || !(key in page)) next
            n = split(kv[2], got, " "); split(page[key], have, " ")
            for (i = 1; i <= n; ++i) if (got[i] != have[i]) { print "    " key "[" i - 1 "]: the terminal says " got[i] ", the page " have[i]; bad++ }
            compared++
        }
        END { exit bad > 0 || compared < 5 }
    ' "$2" "$1"
}

cases=$(sed -n 's/^case \([^|]*\)|.*/\1/p' "$reference")
for name in $cases; do
    command=$(sed -n "s/^case $name|//p" "$reference")
    awk -v name="$name" '/^case / { on = ($0 ~ "^case " name "\\|") ; next } on' "$reference" >"$work/$name.ref"
    # shellcheck disable=SC2086
    if $command --out "$work/$name" >"$work/$name.txt" 2>"$work/err"; then ok; else bad "$command: $(cat "$work/err")"; continue; fi
    terminal_values "$work/$name.txt" >"$work/$name.terminal"
    [ "$(grep -c '' "$work/$name.terminal")" -ge 20 ] && ok || bad "$name: could not read the walk from its output"
    compare "$work/$name.ref" "$work/$name.terminal" 1e-9 "$name, terminal" && ok || bad "$name: $command prints another walk than numpy's"
    page_values "$work/$name/report.html" "$name" >"$work/$name.page"
    compare "$work/$name.ref" "$work/$name.page" 1e-9 "$name, page" && ok || bad "$name: the page's walk is not numpy's"
    the_same "$work/$name.terminal" "$work/$name.page" && ok || bad "$name: the terminal's walk and the page's differ"
    # The page's grad_W rows that numpy stored.
    grep '^grad_W' "$work/$name.ref" | while IFS='|' read -r key values; do
        layer=${key#grad_W}; layer=${layer%%\[*}; row=${key#*\[}; row=${row%\]}
        cols=$(cat "$work/$name.gradW.$layer.cols")
        echo "$key|$(awk -v first=$((row * cols + 1)) -v last=$((row * cols + cols)) 'NR >= first && NR <= last' "$work/$name.gradW.$layer" | tr '\n' ' ' | sed 's/ $//')"
    done >"$work/$name.rows"
    compare "$work/$name.ref" "$work/$name.rows" 1e-9 "$name, page's grad_W" && ok || bad "$name: the page's grad_W rows are not numpy's"
    # The checker agrees, and the step lowers this image's loss.
    awk '/^The checker:/ { on = 1; next } on && /^    [Wb]_/ { n++; if (!($NF + 0 < 1e-5)) bad++ } END { exit !(n >= 4 && !bad) }' "$work/$name.txt" && ok ||
        bad "$name: a finite difference disagrees with backprop: $(sed -n '/^The checker:/,$p' "$work/$name.txt")"
    grep -q '^      l .* -> .*: down by ' "$work/$name.txt" && ok || bad "$name: the step of (5) did not lower the loss"
done

# ./deep_mlp is ./mlp, walk included; the usual lines come first, unchanged.
./mlp --explain 0 --out "$work/m" >"$work/mlp_explain.txt" 2>/dev/null
./deep_mlp --explain 0 --out "$work/d" >"$work/deep_explain.txt" 2>/dev/null
cmp -s "$work/mlp_explain.txt" "$work/deep_explain.txt" && ok || bad "./deep_mlp --explain 0 differs from ./mlp --explain 0"
./mlp --out "$work/m" >"$work/mlp.txt" 2>/dev/null
head -n "$(grep -c '' "$work/mlp.txt")" "$work/mlp_explain.txt" | cmp -s - "$work/mlp.txt" && ok ||
    bad "--explain changes the lines ./mlp prints before the walk"
cmp -s "$work/lesson_trained.txt" "$work/mlp_explain.txt" && ok || bad "./mlp --explain 0 printed two different walks"

# A bad N: one line, the flag and the range, exit 2; --epochs 0 is the untrained network.
expect "--explain past the test set" 2 "--explain must be between 0 and 2955 (the test set has 2956 images), got 2956" ./mlp --explain 2956 --out "$work/o"
expect "--explain negative" 2 "--explain must be between 0 and 2955" ./mlp --explain -1 --out "$work/o"
expect "--explain not a number" 2 "--explain needs a whole number, got 'first'" ./mlp --explain first
expect "--explain for ten classes" 2 "--explain must be between 0 and 13999 (the test set has 14000 images), got 14000" \
    ./deep_mlp --classes 10 --explain 14000 --out "$work/o"
expect "--explain with --predict" 2 "--explain does not apply to --predict" ./deep_mlp --load x.model --predict x.pgm --explain 0
[ "$(grep -c '^Epoch' "$work/lesson_untrained.txt")" -eq 0 ] && grep -q '^Exactitud de Prueba (Test accuracy): ' "$work/lesson_untrained.txt" &&
    ok || bad "./mlp --epochs 0 prints the shapes and the accuracy, no epoch"

# The excerpt the guides show is a real run's.
for doc in README.md LEEME.md; do
    awk '/^```/ { inside = !inside; next } inside' "$doc" | grep -E '^(\([1-6]\) |      |    [Wb]_[0-9]|Backprop on one image|The checker)' >"$work/shown" || true
    missing=0
    while IFS= read -r text; do
        grep -qxF -- "$text" "$work/mlp_explain.txt" || { missing=$((missing + 1)); echo "    $doc shows a line ./mlp --explain 0 does not print: $text"; }
    done <"$work/shown"
    [ "$missing" -eq 0 ] && [ -s "$work/shown" ] && ok || bad "$doc: its --explain excerpt is not ./mlp --explain 0's ($missing lines)"
done

echo "test_explain: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
