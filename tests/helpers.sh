# tests/helpers.sh: what the shell tests share (sourced; $work must name a scratch folder).
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# require TEST WHAT...: stops TEST with one line when a program (./mlp, ./deep_mlp) is not built or
# data/ has no MNIST (WHAT "data").
require() {
    req_test=$1
    shift
    for req in "$@"; do
        if [ "$req" = data ]; then
            [ -f data/train-images-idx3-ubyte ] || { echo "$req_test: data/ has no MNIST (run make data)"; exit 1; }
        else
            [ -x "$req" ] || { echo "$req_test: build $req first (make)"; exit 1; }
        fi
    done
}

# Every case must end within 30 seconds (a FIFO once made ./mlp wait forever): timeout kills it,
# and its exit code 124 fails the case.
limit=
command -v timeout >/dev/null 2>&1 && limit="timeout 30"

# expect NAME CODE PATTERN CMD...: CMD exits with CODE and prints exactly one line on stderr,
# which contains PATTERN (a fixed string).
expect() {
    name=$1 code=$2 pattern=$3
    shift 3
    $limit "$@" >"$work/stdout" 2>"$work/stderr"
    rc=$?
    lines=$(wc -l <"$work/stderr" | tr -d ' ')
    if [ "$rc" -eq "$code" ] && [ "$lines" -eq 1 ] && grep -qF -- "$pattern" "$work/stderr"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name: exit $rc (want $code), $lines stderr line(s), want '$pattern':"
        sed 's/^/    /' "$work/stderr" | head -5
    fi
}

# idx HEADER_HEX PAYLOAD_BYTES FILE: writes the bytes given in hex, then PAYLOAD_BYTES bytes of value 1.
idx() {
    : >"$3"
    hex=$1
    while [ -n "$hex" ]; do
        printf "\\$(printf '%03o' "0x${hex%"${hex#??}"}")" >>"$3"
        hex=${hex#??}
    done
    [ "$2" -gt 0 ] && head -c "$2" /dev/zero | tr '\0' '\1' >>"$3"
    return 0
}
# A tiny valid set: 3 images of 2x2 pixels, labels 0 1 0, in both the training and test slots.
make_valid_set() {
    mkdir -p "$1"
    idx 00000803000000030000000200000002 12 "$1/train-images-idx3-ubyte"
    printf '\000\000\010\001\000\000\000\003\000\001\000' >"$1/train-labels-idx1-ubyte"
    cp "$1/train-images-idx3-ubyte" "$1/t10k-images-idx3-ubyte"
    cp "$1/train-labels-idx1-ubyte" "$1/t10k-labels-idx1-ubyte"
}

# Sets as_user to a command that runs $MLP as an unprivileged user (root reads and writes anything,
# so permission cases need one), or to nothing when that cannot be arranged here.
unprivileged_mlp() {
    if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
        cp "$MLP" "$work/mlp_copy" && chmod 755 "$work/mlp_copy"
        as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups $work/mlp_copy"
    elif [ "$(id -u)" != 0 ]; then
        as_user=$MLP
    else
        as_user=
    fi
}

# deep NAME CODE PATTERN ARGS...: ./deep_mlp ARGS exits with CODE, one stderr line containing PATTERN.
deep() {
    name=$1 code=$2 pattern=$3
    shift 3
    expect "$name" "$code" "$pattern" ./deep_mlp "$@"
}

# missing WHAT HOW: a check that needs WHAT cannot run here. In CI (.ci/run sets REQUIRE_ALL=1)
# that fails the test; elsewhere one line says what was skipped and how to get it.
missing() {
    if [ "${REQUIRE_ALL:-0}" = 1 ]; then bad "$1 is missing, and REQUIRE_ALL=1 wants every check run: $2"
    else echo "SKIPPED: $1 is missing; $2"; fi
}

# The browser: CHROMIUM, else chromium on PATH; empty when there is none (CHROMIUM=/nowhere, or a
# PATH without it, hides it). chromium_wanted names what was looked for, for the skip line.
chromium_wanted=${CHROMIUM:-chromium on PATH}
chromium=${CHROMIUM:-$(command -v chromium 2>/dev/null)}
[ -n "$chromium" ] && [ -x "$chromium" ] || chromium=
# browser ARGS...: headless Chromium with a fresh profile, nothing fetched from the network.
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
# page_checks NAME HTML: the page's own checks in the browser: #self-check, #draw-check and
# #walk-check read "ok N/N" (the walk check: the page's backprop on one image equals the C++
# program's, a click on a grad_W1 pixel shows a finite difference that agrees with backprop, and a
# step of (5) lowers the loss; those two are also read from the walk's elements here).
page_checks() {
    browser --window-size=1280,1000 --virtual-time-budget=20000 --dump-dom "file://$2" >"$work/$1.dom.html"
    self=$(text self-check "$work/$1.dom.html")
    draw=$(text draw-check "$work/$1.dom.html")
    walk=$(text walk-check "$work/$1.dom.html")
    echo "  $1: self-check '$self', draw-check '$draw', walk-check '$walk'"
    if echo "$walk" | grep -Eq '^ok ([0-9]+)/\1$' && [ "${walk#ok 0/}" = "$walk" ]; then ok; else
        bad "$1: #walk-check reads '$walk' ($(text walk-check-detail "$work/$1.dom.html"))"; fi
    grep -q 'id="walk-fd" data-parameter="W_1\[[0-9]*, [0-9]*\]"[^>]* data-agree="true"' "$work/$1.dom.html" && ok ||
        bad "$1: a click on a grad_W1 pixel does not show a finite difference that agrees with backprop"
    grep -q 'id="walk-step-result" data-change="down"' "$work/$1.dom.html" && ok || bad "$1: the step of (5) does not lower the loss"
    if echo "$self" | grep -Eq '^ok ([0-9]+)/\1$' && [ "${self#ok 0/}" = "$self" ]; then ok; else
        bad "$1: #self-check reads '$self'"; fi
    if echo "$draw" | grep -Eq '^ok ([0-9]+)/\1$' && [ "${draw#ok 0/}" = "$draw" ]; then ok; else
        bad "$1: #draw-check reads '$draw' ($(text draw-check-detail "$work/$1.dom.html"))"; fi
}
