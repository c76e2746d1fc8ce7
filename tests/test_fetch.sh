#!/bin/sh
# tests/test_fetch.sh: data/fetch_mnist.sh when things go wrong. Each failure must say what went
# wrong, exit non-zero and leave nothing corrupt (no partial or unverified file) in the folder.
#   sh tests/test_fetch.sh [MNIST_GZ_DIR]     (a folder holding the four original .gz files;
#                                              default: the folder of a file:// MNIST_MIRROR;
#                                              skipped when there is none, a failure when
#                                              REQUIRE_ALL=1, as in CI)
set -u
case "${MNIST_MIRROR:-}" in file://*) mirror_dir=${MNIST_MIRROR#file://} ;; *) mirror_dir= ;; esac
src=${1:-$mirror_dir}
if [ -z "$src" ] || [ ! -f "$src/t10k-labels-idx1-ubyte.gz" ]; then
    if [ "${REQUIRE_ALL:-0}" = 1 ]; then
        echo "FAIL: test_fetch: no folder of MNIST .gz files, and REQUIRE_ALL=1 (set MNIST_MIRROR=file:///folder/)"
        exit 1
    fi
    echo "SKIPPED: test_fetch: no folder of MNIST .gz files (give one, or set MNIST_MIRROR=file:///folder/)"
    exit 0
fi
src=$(cd "$src" && pwd)
script=$(pwd)/data/fetch_mnist.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; sed 's/^/    /' "$work/err" | head -5; }

# A target folder where only t10k-labels is missing, so each case fetches one small file.
fresh_target() {
    rm -rf "$work/target"
    mkdir -p "$work/target"
    for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte; do echo placeholder >"$work/target/$f"; done
}
# Nothing but the placeholders may remain after a failure.
clean_after_failure() { [ "$(ls -A "$work/target" | wc -l)" -eq 3 ]; }

# 1. A whole, good mirror.
fresh_target
if MNIST_MIRROR="file://$src/" sh "$script" "$work/target" >/dev/null 2>"$work/err" &&
    [ "$(wc -c <"$work/target/t10k-labels-idx1-ubyte")" -eq 10008 ] && [ "$(ls -A "$work/target" | wc -l)" -eq 4 ]; then ok; else bad "a good file:// mirror"; fi

# 2. Checksum mismatch: a mirror serving a different file under the right name.
mkdir -p "$work/wrong"
gzip -c /dev/null >"$work/wrong/t10k-labels-idx1-ubyte.gz"
fresh_target
if ! MNIST_MIRROR="file://$work/wrong/" sh "$script" "$work/target" >/dev/null 2>"$work/err" &&
    grep -q "checksum mismatch" "$work/err" && grep -q "no mirror gave a good t10k-labels-idx1-ubyte.gz" "$work/err" &&
    clean_after_failure; then ok; else bad "checksum mismatch"; fi

# 3. Partial download: the first half of the real file; then a good mirror after it is used.
mkdir -p "$work/partial"
head -c 2000 "$src/t10k-labels-idx1-ubyte.gz" >"$work/partial/t10k-labels-idx1-ubyte.gz"
fresh_target
if ! MNIST_MIRROR="file://$work/partial/" sh "$script" "$work/target" >/dev/null 2>"$work/err" &&
    grep -q "checksum mismatch" "$work/err" && clean_after_failure; then ok; else bad "partial download"; fi
fresh_target
if MNIST_MIRROR="file://$work/partial/ file://$src/" sh "$script" "$work/target" >/dev/null 2>"$work/err" &&
    grep -q "trying the next mirror" "$work/err" && [ "$(wc -c <"$work/target/t10k-labels-idx1-ubyte")" -eq 10008 ]; then ok
else bad "falls back to the next mirror after a partial download"; fi

# 4. A mirror that has nothing.
fresh_target
if ! MNIST_MIRROR="file://$work/nothing/" sh "$script" "$work/target" >/dev/null 2>"$work/err" &&
    grep -q "could not download file://$work/nothing/t10k-labels-idx1-ubyte.gz" "$work/err" && clean_after_failure; then ok
else bad "empty mirror"; fi

# 5. Neither curl nor wget, for an http mirror: a PATH with every tool the script needs but those.
mkdir -p "$work/bin"
for tool in sh cp rm mv mkdir gunzip gzip cut sha256sum cat; do
    p=$(command -v "$tool") && ln -s "$p" "$work/bin/$tool"
done
fresh_target
if ! PATH="$work/bin" MNIST_MIRROR="http://127.0.0.1:9/" "$work/bin/sh" "$script" "$work/target" >/dev/null 2>"$work/err" &&
    grep -q "neither curl nor wget is installed" "$work/err" && clean_after_failure; then ok; else bad "neither curl nor wget"; fi

# 6. No space left while unpacking: a file-size limit of 8 KiB lets the 4.5 KB .gz arrive but not
# its 10 KB contents.
fresh_target
if ! (ulimit -f 16 && MNIST_MIRROR="file://$src/" sh "$script" "$work/target") >/dev/null 2>"$work/err" &&
    grep -q "could not unpack t10k-labels-idx1-ubyte.gz" "$work/err" && clean_after_failure; then ok; else bad "no space left"; fi

echo "test_fetch: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
