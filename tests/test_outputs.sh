#!/bin/sh
# tests/test_outputs.sh: ./mlp's writing, when writing goes wrong. The output folder must end up
# with the whole old set of files or the whole new one (never a half-written file, a mix of the
# two, or a leftover temporary); nothing is written through a symbolic link; runs into one folder
# at the same time all succeed, and the set left is one run's; a signal while the files are
# written waits for them (a second one stops the run at once, the old set kept); a lost stdout is
# reported; and every failure is one line on stderr that names the real cause (errno's text), with
# the right exit code. The instants that matter (a signal while a file is written or between two
# renames, a run pausing between two renames while another one writes) are made to happen on cue
# by tests/interpose.so, preloaded. make clean leaves out/ alone.
#   sh tests/test_outputs.sh        (run by `make test`; needs ./mlp built; MNIST only for one case)
set -u
MLP=${MLP:-./mlp}
[ -x "$MLP" ] || { echo "test_outputs: $MLP is not built (run make)"; exit 1; }
export MLP
work=$(mktemp -d)
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
set="$work/set"
make_valid_set "$set"

# only_outputs NAME DIR: DIR holds loss.csv, loss.svg and report.html and nothing else (no temporary).
only_outputs() {
    if [ "$(ls -A "$2" | tr '\n' ' ')" = "loss.csv loss.svg report.html " ]; then ok; else bad "$1: $2 holds $(ls -A "$2" | tr '\n' ' ')"; fi
}
# old_set DIR: a first run's files in DIR, copied to DIR.old for comparing.
old_set() {
    rm -rf "$1" "$1.old"
    "$MLP" --data "$set" --epochs 2 --out "$1" >/dev/null 2>&1 && cp -r "$1" "$1.old"
}
# unchanged NAME DIR: DIR still holds exactly the files old_set put there.
unchanged() {
    if cmp -s "$2/loss.csv" "$2.old/loss.csv" && cmp -s "$2/loss.svg" "$2.old/loss.svg" &&
        cmp -s "$2/report.html" "$2.old/report.html"; then ok; else bad "$1: the old files in $2 were replaced"; fi
    only_outputs "$1" "$2"
}

# --- all or nothing ----------------------------------------------------------------------------
# A folder in the way of loss.svg: loss.csv was already renamed into place when loss.svg's rename
# failed; it must be put back.
old_set "$work/blocked"; rm "$work/blocked/loss.svg"; mkdir "$work/blocked/loss.svg"
expect "a folder in the way of loss.svg" 1 "$work/blocked/loss.svg: cannot write: Is a directory; the files in $work/blocked are unchanged" \
    "$MLP" --data "$set" --epochs 3 --out "$work/blocked"
cmp -s "$work/blocked/loss.csv" "$work/blocked.old/loss.csv" && ok || bad "loss.csv was replaced though loss.svg could not be"
[ "$(ls -A "$work/blocked" | tr '\n' ' ')" = "loss.csv loss.svg report.html " ] && ok || bad "temporaries left: $(ls -A "$work/blocked")"

# A file-size limit of 1024 bytes (ulimit -f 2, in POSIX's 512-byte blocks), less than loss.svg:
# once death by SIGXFSZ, with no message and loss.svg.tmp left behind; now EFBIG, said. (Not
# lower: clang's OpenMP runtime dies by SIGBUS at start-up when it cannot make a 1 KiB file.)
old_set "$work/limited"
expect "file-size limit" 1 "$work/limited/loss.svg: cannot write: File too large (over the file-size limit, ulimit -f); the files in $work/limited are unchanged" \
    sh -c 'ulimit -f 2 && exec "$@"' limited "$MLP" --data "$set" --epochs 3 --out "$work/limited"
unchanged "file-size limit" "$work/limited"

# A full disk, for real: a 256 KiB tmpfs in a private mount namespace (as root, or in a user
# namespace), holding a first run's files, then filled up but for one page: the second run's
# loss.csv fits, its loss.svg does not.
mkdir "$work/tiny"
cat >"$work/full_disk.sh" <<'EOF'
mount -t tmpfs -o size=256k tmpfs "$1" 2>/dev/null || exit 77
"$MLP" --data "$2" --epochs 2 --out "$1/out" >/dev/null 2>&1 && cp -r "$1/out" "$3/full.old" || exit 1
cat /dev/zero >"$1/filler" 2>/dev/null
truncate -s $(($(stat -c %s "$1/filler") - 4096)) "$1/filler"  # one page free
"$MLP" --data "$2" --epochs 3 --out "$1/out" >/dev/null 2>"$3/full.stderr"
echo $? >"$3/full.rc"
cp -r "$1/out" "$3/full"
EOF
if [ "$(id -u)" = 0 ]; then namespace="unshare -m"; else namespace="unshare -rm"; fi
$namespace sh "$work/full_disk.sh" "$work/tiny" "$set" "$work" 2>/dev/null
case $? in
0)
    if [ "$(cat "$work/full.rc")" = 1 ] && [ "$(wc -l <"$work/full.stderr")" -eq 1 ] &&
        grep -qF "/out/loss.svg: cannot write: No space left on device (free some space, or choose another --out)" "$work/full.stderr"; then ok; else
        bad "full disk: exit $(cat "$work/full.rc"), stderr: $(cat "$work/full.stderr")"; fi
    unchanged "full disk" "$work/full" ;;
77) missing "a tmpfs mount (unshare -m, as root or in a user namespace)" "the full disk case needs one" ;;
*) bad "full disk: the first run into the tmpfs failed" ;;
esac

# A folder the user cannot write into: refused before training, with the system's reason.
chmod 755 "$work"
unprivileged_mlp
[ -n "$as_user" ] || missing "an unprivileged user (setpriv, as root)" "the unwritable --out case needs one"
if [ -n "$as_user" ]; then
    old_set "$work/readonly"; chmod 555 "$work/readonly"
    expect "unwritable --out" 2 "--out $work/readonly: cannot create or write that folder (Permission denied)" \
        $as_user --data "$set" --epochs 3 --out "$work/readonly"
    unchanged "unwritable --out" "$work/readonly"
fi

# --- runs side by side, and symbolic links ------------------------------------------------------
# 100 pairs of runs into one folder: each run's temporaries have names of their own, so all succeed.
rm -rf "$work/shared"
pair=0
while [ "$pair" -lt 100 ]; do
    $limit "$MLP" --data "$set" --epochs 2 --out "$work/shared" >/dev/null 2>"$work/a.err" &
    a=$!
    $limit "$MLP" --data "$set" --epochs 2 --out "$work/shared" >/dev/null 2>"$work/b.err" &
    b=$!
    wait "$a" || echo "pair $pair: $(cat "$work/a.err")" >>"$work/concurrent.fail"
    wait "$b" || echo "pair $pair: $(cat "$work/b.err")" >>"$work/concurrent.fail"
    pair=$((pair + 1))
done
if [ -s "$work/concurrent.fail" ]; then bad "concurrent runs into one --out failed: $(head -3 "$work/concurrent.fail")"; else ok; fi
only_outputs "concurrent runs" "$work/shared"

# --- signals, and another run, at the instants that matter -------------------------------------
# The sets the runs below must leave, made by runs left alone.
"$MLP" --data "$set" --epochs 3 --out "$work/three" >/dev/null 2>&1
"$MLP" --data "$set" --epochs 4 --out "$work/four" >/dev/null 2>&1
# is_set NAME DIR EPOCHS: DIR holds the whole set of a run of EPOCHS epochs (the loss history and
# the plot of $work/three or four, and a page that says so) and nothing else.
is_set() {
    ref="$work/three"; [ "$3" = 4 ] && ref="$work/four"
    if cmp -s "$2/loss.csv" "$ref/loss.csv" && cmp -s "$2/loss.svg" "$ref/loss.svg" &&
        grep -q "epochs</dt><dd>$3<" "$2/report.html"; then ok; else
        bad "$1: $2 is not one run's whole set of $3 epochs: loss.csv has $(($(wc -l <"$2/loss.csv") - 1)) epochs," \
            "the page says $(grep -o 'epochs</dt><dd>[0-9]*' "$2/report.html")"; fi
    only_outputs "$1" "$2"
}
interpose="$PWD/tests/interpose.so"
[ -f "$interpose" ] || { bad "tests/interpose.so is not built (make)"; interpose=/nowhere; }
# AddressSanitizer wants to come first among the libraries; here it need not.
asan="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
# on_cue NAME VARIABLES...: ./mlp --epochs 3 into $work/cue (which holds a first run's set), with
# the interposer set by VARIABLES; its exit code in $rc, its stderr in $work/stderr.
on_cue() {
    cue_name=$1
    shift
    old_set "$work/cue"
    env "$asan" LD_PRELOAD="$interpose" "$@" $limit "$MLP" --data "$set" --epochs 3 --out "$work/cue" >/dev/null 2>"$work/stderr"
    rc=$?
}
# SIGTERM while loss.csv is written (before its fsync): the run finishes its files, then stops by
# that signal (exit 143), saying so; no temporary is left. Once it died there, leaving loss.csv's
# temporary behind.
on_cue "a signal while writing" INTERPOSE_FSYNC_SIGNAL=15
[ "$rc" = 143 ] && grep -qF "finishing the files being written, then stopping" "$work/stderr" && ok ||
    bad "a signal while writing: exit $rc (want 143), stderr: $(cat "$work/stderr")"
is_set "a signal while writing" "$work/cue" 3
# A second SIGTERM, while loss.svg is written: the run stops at once, the old set untouched, no
# temporary left.
on_cue "a second signal" INTERPOSE_FSYNC_SIGNAL=15 INTERPOSE_FSYNC_TIMES=2
[ "$rc" = 143 ] && ok || bad "a second signal: exit $rc (want 143)"
unchanged "a second signal" "$work/cue"
# SIGTERM between the renames of loss.csv and loss.svg: the set is completed first. Once it left
# the new loss.csv beside the old plot and page.
on_cue "a signal between two renames" INTERPOSE_RENAME=loss.svg INTERPOSE_RENAME_SIGNAL=15
[ "$rc" = 143 ] && ok || bad "a signal between two renames: exit $rc (want 143)"
is_set "a signal between two renames" "$work/cue" 3
# Two runs into one folder: the first pauses 3 s between the renames of loss.csv and loss.svg,
# and the second, of 3 epochs, starts then. Both succeed, and the folder holds the whole set of
# the one that finished last, the second (it waits for the first). Once the second run's loss.csv
# ended beside the first run's plot and page.
old_set "$work/two"
rm -f "$work/paused"
env "$asan" LD_PRELOAD="$interpose" INTERPOSE_RENAME=loss.svg INTERPOSE_RENAME_PAUSE=3 INTERPOSE_RENAME_MARK="$work/paused" \
    $limit "$MLP" --data "$set" --epochs 4 --out "$work/two" >/dev/null 2>"$work/first.err" &
first=$!
waited=0
while [ ! -e "$work/paused" ] && [ "$waited" -lt 300 ]; do sleep 0.1; waited=$((waited + 1)); done
$limit "$MLP" --data "$set" --epochs 3 --out "$work/two" >/dev/null 2>"$work/second.err" && ok ||
    bad "two runs into one --out: the second failed: $(cat "$work/second.err")"
wait "$first" && ok || bad "two runs into one --out: the first failed: $(cat "$work/first.err")"
is_set "two runs into one --out" "$work/two" 3

# Symbolic links planted where ./mlp writes: at the old fixed temporary names, at the old probe
# file's name, and at loss.csv itself. No file they point to may change.
rm -rf "$work/links"; mkdir "$work/links"
echo "precious" >"$work/victim"
for name in loss.csv.tmp loss.svg.tmp .mlp_write_test loss.csv; do ln -s "$work/victim" "$work/links/$name"; done
expect "symbolic links in --out" 0 "wrote $work/links/loss.csv" "$MLP" --data "$set" --epochs 2 --out "$work/links"
[ "$(cat "$work/victim")" = precious ] && ok || bad "a file was written through a symbolic link in --out"
[ -L "$work/links/loss.csv.tmp" ] && [ -L "$work/links/.mlp_write_test" ] && [ ! -L "$work/links/loss.csv" ] &&
    grep -q '^1,' "$work/links/loss.csv" && ok || bad "the user's links were touched, or loss.csv was not written"

# --- a diverged run, and standard output -------------------------------------------------------
# Training that diverges writes the history before the divergence, then fails.
rm -rf "$work/diverged"
expect "diverged run" 1 "training diverged at epoch 1" "$MLP" --data "$set" --epochs 5 --lr 100 --out "$work/diverged"
[ "$(cat "$work/diverged/loss.csv" 2>/dev/null | tr '\n' ' ')" = "epoch,loss 0,0.6390921222090643 " ] &&
    grep -q '<polyline' "$work/diverged/loss.svg" && ok || bad "the diverged run did not write its history"
only_outputs "diverged run" "$work/diverged"
if [ -f data/train-images-idx3-ubyte ] && [ -f data/t10k-labels-idx1-ubyte ]; then
    expect "diverged run, real MNIST" 1 "training diverged at epoch 1" "$MLP" --lr 1 --out "$work/diverged_mnist"
    [ "$(tr '\n' ' ' <"$work/diverged_mnist/loss.csv")" = "epoch,loss 0,0.7924556535767249 " ] && ok ||
        bad "the diverged MNIST run did not write epoch 0's loss"
fi

# Results that cannot reach stdout are an error, not a silent exit 0; the files are still written.
rm -rf "$work/full_stdout"
$limit "$MLP" --data "$set" --epochs 2 --out "$work/full_stdout" >/dev/full 2>"$work/stderr"
rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$work/stderr")" -eq 1 ] &&
    grep -qF "cannot write to standard output: No space left on device" "$work/stderr" && ok ||
    bad "stdout on a full disk: exit $rc, stderr: $(cat "$work/stderr")"
only_outputs "stdout on a full disk" "$work/full_stdout"
$limit "$MLP" --help >/dev/full 2>"$work/stderr"
rc=$?
[ "$rc" = 1 ] && grep -qF "cannot write to standard output" "$work/stderr" && ok || bad "--help to a full disk: exit $rc"
# A reader that has gone (./mlp | head -1): once death by SIGPIPE before any file was written.
# The reader is gone before ./mlp starts (sleep), so the write fails every time.
rm -rf "$work/pipe"
{ sleep 1; $limit "$MLP" --data "$set" --epochs 2 --out "$work/pipe" 2>"$work/stderr"; echo $? >"$work/pipe.rc"; } | true
[ "$(cat "$work/pipe.rc")" = 1 ] && [ "$(wc -l <"$work/stderr")" -eq 1 ] &&
    grep -qF "cannot write to standard output: Broken pipe" "$work/stderr" && ok ||
    bad "closed pipe: exit $(cat "$work/pipe.rc"), stderr: $(cat "$work/stderr")"
only_outputs "closed pipe" "$work/pipe"

# --- make clean keeps what the runs wrote ----------------------------------------------------------
# The Makefile in a folder of its own, beside a built ./mlp and the out/ of runs (a model saved
# there too): make clean removes the program, and out/ stays whole. Once it deleted out/.
mkdir -p "$work/clean/out"
cp Makefile "$work/clean/"
echo built >"$work/clean/mlp"
echo "the network of a long run" >"$work/clean/out/net.model"
cp "$work/three/loss.csv" "$work/clean/out/"
make -s -C "$work/clean" clean >/dev/null 2>"$work/clean.err" || bad "make clean failed: $(cat "$work/clean.err")"
[ ! -e "$work/clean/mlp" ] && [ "$(cat "$work/clean/out/net.model" 2>/dev/null)" = "the network of a long run" ] &&
    cmp -s "$work/clean/out/loss.csv" "$work/three/loss.csv" && ok || bad "make clean removed out/, or left ./mlp"

echo "test_outputs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
