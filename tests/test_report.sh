#!/bin/sh
# tests/test_report.sh: out/report.html, as a file and in a browser.
#   sh tests/test_report.sh         (run by `make test`; needs ./mlp, ./deep_mlp and MNIST in data/)
# It makes the lesson's report (./mlp), a ten-class one, and one for every registered activation
# with either output (a sigmoid for two classes, a softmax for ten). As files: each page is one file
# that asks for nothing from anywhere (no http://, https:// or // in a src, href or url(), and a
# Content-Security-Policy that forbids every request), its embedded JSON holds no NaN or infinity,
# it states the accuracy the run printed, its confusion matrix's diagonal over its total is that
# accuracy and its rows add up to the test set, and every mistake it shows has a class other than
# its label, and it holds the section "Backprop on one image" with the C++ program's walk and every
# test image for it. (tests/test_files.cpp checks the values on a test set made up by hand;
# tests/test_explain.sh the walk against numpy's.)
# In headless Chromium (/usr/bin/chromium, Debian's chromium package): every page's #self-check
# (its JavaScript forward pass, with each activation's own JavaScript, against the C++ outputs,
# within 1e-6), #draw-check (the pad and its preprocessing) and #walk-check (the page's own
# backprop on one image against the C++ program's, within 1e-12 of each value's scale; a click on
# a grad_W1 pixel shows a finite difference that agrees with backprop; a step of (5) lowers the
# loss) read "ok N/N": the lesson, a k = 2 tanh network (tanh2), ten classes, every activation.
# A browser that prefers Spanish gets the page in Spanish. Screenshots are not blank. Without Chromium the browser checks are skipped with a line saying so, or fail where
# REQUIRE_ALL=1 (CI). REPORT_SCREENSHOTS=DIR keeps the screenshots.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
require test_report ./mlp ./deep_mlp data

./mlp --out "$work/lesson" >"$work/lesson.txt" 2>"$work/err" || bad "./mlp: $(cat "$work/err")"
./deep_mlp --classes 10 --hidden 64 --act relu --optimizer adam --lr 1e-3 --batch 128 --reduction mean --init he \
    --epochs 1 --limit 5000 --out "$work/ten" >"$work/ten.txt" 2>"$work/err" || bad "./deep_mlp, ten classes: $(cat "$work/err")"
pages="lesson ten"
# Every registered activation (as --help lists them), with each output.
activations=$(./deep_mlp --help | sed -n 's/.*--act LIST  *\(.*\): one for all.*/\1/p' | sed 's/,//g; s/ or / /')
[ -n "$activations" ] && ok || bad "could not read the activations from ./deep_mlp --help"
for act in $activations; do
    for classes in 2 10; do
        ./deep_mlp --classes $classes --hidden 12,8 --act "$act" --optimizer adam --lr 1e-3 --batch 100 --epochs 1 \
            --limit 600 --out "$work/$act$classes" >"$work/$act$classes.txt" 2>"$work/err" ||
            bad "./deep_mlp --act $act --classes $classes: $(cat "$work/err")"
        pages="$pages $act$classes"
    done
done

# --- the pages as files ----------------------------------------------------------------------------
for page in $pages; do
    html="$work/$page/report.html"
    [ -s "$html" ] && ok || { bad "$page: no report.html beside loss.csv"; continue; }
    [ -s "$work/$page/loss.csv" ] && [ -s "$work/$page/loss.svg" ] && ok || bad "$page: loss.csv or loss.svg missing"
    if grep -Eiq "(src|href)[[:space:]]*=[[:space:]]*[\"']?[[:space:]]*(https?:)?//|url\\([\"']?(https?:)?//|@import|<link|<iframe" "$html"; then
        bad "$page: the page refers to something outside itself:"
        grep -Eio "(src|href)[[:space:]]*=[[:space:]]*[\"']?[[:space:]]*(https?:)?//[^\"' >]*" "$html" | head -3
    else ok; fi
    grep -q "Content-Security-Policy\" content=\"default-src 'none';" "$html" && ok || bad "$page: no Content-Security-Policy forbidding requests"
    # The JSON blocks: no bare NaN or infinity, which JSON.parse refuses (and every script with it).
    awk '/<script type="application\/json"/ { inside = 1; next } /<\/script>/ { inside = 0 } inside' "$html" >"$work/json.txt"
    if grep -Eq '(^|[,:[ ])-?(nan|inf|NaN|Infinity)([],} ]|$)' "$work/json.txt"; then bad "$page: its JSON holds NaN or infinity"; else ok; fi
    printed=$(sed -n 's/^Exactitud de Prueba (Test accuracy): //p' "$work/$page.txt")
    [ -n "$printed" ] && grep -qF ">$printed<" "$html" && ok || bad "$page: the page does not state the printed accuracy $printed"
    # The confusion matrix: rows of (class cells..., images, accuracy). Diagonal / total = the accuracy.
    sed -n '/<table id="confusion"/,/<\/table>/p' "$html" | grep '^<tr><th>[0-9]' |
        sed 's/<td[^>]*>/|/g; s/<[^>]*>//g' >"$work/confusion.txt"
    check_matrix=$(awk -F'|' -v printed="${printed%\%}" '{
            k = NF - 3; row = 0
            for (c = 2; c <= k + 1; ++c) row += $c
            if (row != $(k + 2)) bad = bad " row " NR - 1 " adds up to " row ", not " $(k + 2) ";"
            diagonal += $(NR + 1); total += row
        } END {
            if (!total) { print "no confusion matrix"; exit }
            if (sprintf("%.9f", 100 * diagonal / total) != sprintf("%.9f", printed)) bad = bad " diagonal " diagonal " of " total " is not " printed "%;"
            print bad
        }' "$work/confusion.txt")
    [ -z "$check_matrix" ] && ok || bad "$page: confusion matrix:$check_matrix"
    # Every mistake shown: its label and the network's class differ.
    right=$(grep -o '">[0-9] &rarr; <b>[0-9]</b>' "$html" | awk -F'[>&<]' '{ if ($2 == $7) n++ } END { print n + 0 }')
    [ "$right" -eq 0 ] && ok || bad "$page: $right of the mistakes shown have the label as their class"
    grep -q '<section id="walk">' "$html" && grep -q '<script type="application/json" id="walk-data">' "$html" &&
        grep -q '<script type="application/json" id="test-data">' "$html" && ok || bad "$page: no walk section, or no walk or test images for it"
done
[ "$(grep -o '<td class="acc">' "$work/ten/report.html" | wc -l | tr -d ' ')" -eq 10 ] && ok ||
    bad "the ten-class confusion matrix does not give ten per-class accuracies"
[ "$(grep -o '<div class="mistake"' "$work/ten/report.html" | wc -l | tr -d ' ')" -eq 48 ] && ok ||
    bad "the ten-class page does not show 48 mistakes"
[ "$(grep -o '<div class="unit">' "$work/lesson/report.html" | wc -l | tr -d ' ')" -eq 64 ] && ok ||
    bad "the lesson's page does not show its 64 hidden units' weights"

if [ -z "$chromium" ]; then
    missing "Chromium ($chromium_wanted)" "apt-get install chromium, for the pages' checks in a browser"
    echo "test_report: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

# --- the pages in a browser --------------------------------------------------------------------------
# A page that counts a PNG's distinct colours (the PNG inlined as a data: URI, so the canvas may read it).
colours() {
    { printf '<!DOCTYPE html><body><span id="colours">not counted</span><img id="shot" src="data:image/png;base64,'
      base64 <"$1" | tr -d '\n'
      printf '"><script>\nconst img = document.getElementById("shot");\n'
      printf 'function count() { const c = document.createElement("canvas"); c.width = img.naturalWidth; c.height = img.naturalHeight;\n'
      printf '  const x = c.getContext("2d"); x.drawImage(img, 0, 0); const d = x.getImageData(0, 0, c.width, c.height).data;\n'
      printf '  const seen = new Set(); for (let i = 0; i < d.length; i += 4) seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);\n'
      printf '  document.getElementById("colours").textContent = c.width + "x" + c.height + " " + seen.size; }\n'
      printf 'if (img.complete) count(); else img.onload = count;\n</script></body>\n'; } >"$work/colours.html"
    browser --virtual-time-budget=10000 --dump-dom "file://$work/colours.html" >"$work/colours_dom.html"
    text colours "$work/colours_dom.html"
}

for page in $pages; do page_checks "$page" "$work/$page/report.html"; done
for page in lesson ten; do
    browser --window-size=1280,2000 --virtual-time-budget=20000 --screenshot="$work/$page.png" "file://$work/$page/report.html" >/dev/null
    bytes=$(wc -c <"$work/$page.png" 2>/dev/null | tr -d ' ')
    counted=$(colours "$work/$page.png")
    echo "  $page: screenshot ${bytes:-0} bytes, ${counted:-not counted} distinct colours"
    n=${counted##* }
    if [ "${bytes:-0}" -gt 50000 ] && [ "${counted%% *}" = "1280x2000" ] && [ "${n:-0}" -gt 200 ] 2>/dev/null; then ok; else
        bad "$page: the screenshot looks blank (${bytes:-0} bytes, '${counted}')"; fi
    if [ -n "${REPORT_SCREENSHOTS:-}" ]; then mkdir -p "$REPORT_SCREENSHOTS" && cp "$work/$page.png" "$REPORT_SCREENSHOTS/"; fi
done
# The walk: the lesson's page down to the end of "Backprop on one image" (it starts below the pad).
browser --window-size=1280,3400 --virtual-time-budget=20000 --screenshot="$work/walk.png" "file://$work/lesson/report.html" >/dev/null
counted=$(colours "$work/walk.png")
[ "${counted%% *}" = "1280x3400" ] && [ "${counted##* }" -gt 400 ] 2>/dev/null && ok || bad "the walk's screenshot looks blank ('$counted')"
if [ -n "${REPORT_SCREENSHOTS:-}" ]; then cp "$work/walk.png" "$REPORT_SCREENSHOTS/lesson_walk.png"; fi

# In Spanish: a browser that asks for Spanish first gets it (the page's language switch does the same).
browser --accept-lang=es-ES --virtual-time-budget=20000 --dump-dom "file://$work/lesson/report.html" >"$work/es.dom.html"
grep -q '^<html lang="es"' "$work/es.dom.html" && grep -q '<span class="es">Retropropagación en una imagen</span>' "$work/es.dom.html" &&
    [ "$(text walk-check "$work/es.dom.html")" = "$(text walk-check "$work/lesson.dom.html")" ] && ok ||
    bad "a browser asking for Spanish does not get the page in Spanish (or its walk check differs)"

echo "test_report: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
