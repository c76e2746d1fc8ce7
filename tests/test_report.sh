#!/bin/sh
# tests/test_report.sh: out/report.html, as a file and in a browser.
#   sh tests/test_report.sh         (run by `make test`; needs ./mlp, ./deep_mlp and MNIST in data/)
# It makes two reports: the lesson's (./mlp) and a quick ten-class one (./deep_mlp). Without a
# browser it checks that each page is one file that asks for nothing from anywhere (no http://,
# https:// or // in a src, href or url(), and a Content-Security-Policy that forbids every request),
# that it states the accuracy the run printed, and that the ten-class page has its confusion matrix.
# Where /usr/bin/chromium exists (Debian's chromium package) it opens each page headless:
#   - #self-check must read "ok N/N": the page's JavaScript forward pass agrees, within 1e-6, with
#     the C++ program's outputs for N test images (some of them mistakes);
#   - #draw-check must read "ok N/N": a stroke sent as pointer events (a "1") and one test digit per
#     class painted onto the pad, scaled and shifted, all read through the pad's own preprocessing
#     and forward pass, get the class expected;
#   - a screenshot must not be blank: Chromium itself counts its distinct colours.
# Without chromium those checks are skipped (exit 0). REPORT_SCREENSHOTS=DIR keeps the screenshots.
set -u
[ -x ./mlp ] && [ -x ./deep_mlp ] || { echo "test_report: build ./mlp and ./deep_mlp first (make)"; exit 1; }
[ -f data/train-images-idx3-ubyte ] || { echo "test_report: data/ has no MNIST (run make data): skipped"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"

./mlp --out "$work/lesson" >"$work/lesson.txt" 2>"$work/err" || bad "./mlp: $(cat "$work/err")"
./deep_mlp --classes 10 --hidden 64 --act relu --optimizer adam --lr 1e-3 --batch 128 --reduction mean --init he \
    --epochs 1 --limit 5000 --out "$work/ten" >"$work/ten.txt" 2>"$work/err" || bad "./deep_mlp, ten classes: $(cat "$work/err")"

# --- the pages as files ----------------------------------------------------------------------------
for page in lesson ten; do
    html="$work/$page/report.html"
    [ -s "$html" ] && ok || { bad "$page: no report.html beside loss.csv"; continue; }
    [ -s "$work/$page/loss.csv" ] && [ -s "$work/$page/loss.svg" ] && ok || bad "$page: loss.csv or loss.svg missing"
    if grep -Eiq "(src|href)[[:space:]]*=[[:space:]]*[\"']?[[:space:]]*(https?:)?//|url\\([\"']?(https?:)?//|@import|<link|<iframe" "$html"; then
        bad "$page: the page refers to something outside itself:"
        grep -Eio "(src|href)[[:space:]]*=[[:space:]]*[\"']?[[:space:]]*(https?:)?//[^\"' >]*" "$html" | head -3
    else ok; fi
    grep -q "Content-Security-Policy\" content=\"default-src 'none';" "$html" && ok || bad "$page: no Content-Security-Policy forbidding requests"
    printed=$(sed -n 's/^Exactitud de Prueba (Test accuracy): //p' "$work/$page.txt")
    [ -n "$printed" ] && grep -qF ">$printed<" "$html" && ok || bad "$page: the page does not state the printed accuracy $printed"
done
grep -q 'id="confusion"' "$work/ten/report.html" && ok || bad "the ten-class page has no #confusion table"
[ "$(grep -o '<td class="acc">' "$work/ten/report.html" | wc -l | tr -d ' ')" -eq 10 ] && ok ||
    bad "the ten-class confusion matrix does not give ten per-class accuracies"
[ "$(grep -o '<div class="mistake"' "$work/ten/report.html" | wc -l | tr -d ' ')" -eq 48 ] && ok ||
    bad "the ten-class page does not show 48 mistakes"
[ "$(grep -o '<div class="unit">' "$work/lesson/report.html" | wc -l | tr -d ' ')" -eq 64 ] && ok ||
    bad "the lesson's page does not show its 64 hidden units' weights"

chromium=${CHROMIUM:-/usr/bin/chromium}  # CHROMIUM=/nowhere shows the skip
if [ ! -x "$chromium" ]; then
    echo "test_report: $passed passed, $failed failed; the browser checks skipped (no $chromium: apt-get install chromium)"
    [ "$failed" -eq 0 ]
    exit
fi

# --- the pages in a browser --------------------------------------------------------------------------
browser() {
    profile=$(mktemp -d)
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
        --hide-scrollbars "$@" 2>/dev/null
    status=$?
    rm -rf "$profile"
    return $status
}
# text ID FILE: the text of the element with that id in a dumped DOM.
text() { sed -n "s/.*id=\"$1\"[^>]*>\\([^<]*\\)<.*/\\1/p" "$2" | head -1; }
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

for page in lesson ten; do
    html="$work/$page/report.html"
    browser --virtual-time-budget=20000 --dump-dom "file://$html" >"$work/$page.dom.html"
    self=$(text self-check "$work/$page.dom.html")
    draw=$(text draw-check "$work/$page.dom.html")
    echo "  $page: self-check '$self', draw-check '$draw'"
    if echo "$self" | grep -Eq '^ok ([0-9]+)/\1$' && [ "${self#ok 0/}" = "$self" ]; then ok; else
        bad "$page: #self-check reads '$self'"; fi
    if echo "$draw" | grep -Eq '^ok ([0-9]+)/\1$' && [ "${draw#ok 0/}" = "$draw" ]; then ok; else
        bad "$page: #draw-check reads '$draw' ($(text draw-check-detail "$work/$page.dom.html"))"; fi
    [ "$page" = ten ] && { [ "$draw" = "ok 11/11" ] && ok || bad "ten: the drawing check should try 11 drawings (a stroke, ten digits)"; }

    browser --window-size=1280,2000 --virtual-time-budget=20000 --screenshot="$work/$page.png" "file://$html" >/dev/null
    bytes=$(wc -c <"$work/$page.png" 2>/dev/null | tr -d ' ')
    counted=$(colours "$work/$page.png")
    echo "  $page: screenshot ${bytes:-0} bytes, ${counted:-not counted} distinct colours"
    n=${counted##* }
    if [ "${bytes:-0}" -gt 50000 ] && [ "${counted%% *}" = "1280x2000" ] && [ "${n:-0}" -gt 200 ] 2>/dev/null; then ok; else
        bad "$page: the screenshot looks blank (${bytes:-0} bytes, '${counted}')"; fi
    if [ -n "${REPORT_SCREENSHOTS:-}" ]; then mkdir -p "$REPORT_SCREENSHOTS" && cp "$work/$page.png" "$REPORT_SCREENSHOTS/"; fi
done

echo "test_report: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
