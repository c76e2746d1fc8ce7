#!/bin/sh
# exercises/make_lab.sh: `make lab`, the exercises for a student to do.
#   sh exercises/make_lab.sh [DIR]          (make lab, make lab LAB=DIR; DIR defaults to lab)
# Writes DIR, a copy of the project in which every exercise's answer is replaced by a stub:
#   - in the code, each region from `// BEGIN SOLUTION (x) what` to `// END SOLUTION` becomes
#     `exercise_stub("x", "what", "where");`, which compiles and, when called, stops the run with one
#     line naming the exercise, the function and the guide's section (where: from
#     exercises/exercises.def; program/command_line.hpp);
#   - in the guides, each `<!-- BEGIN SOLUTION (x) -->` ... `<!-- END SOLUTION -->` block (the
#     worked code) becomes a note, and `<!-- BEGIN LAB ONLY` ... `END LAB ONLY -->` is shown;
#   - in the Makefile, `# BEGIN REPOSITORY ONLY` ... `# END REPOSITORY ONLY` goes and `# LAB: `
#     lines are kept without their prefix: the lab builds ./mlp, ./deep_mlp and the grader, and
#     `make check` grades.
# What would show an answer stays out: the tests and their planted mistakes (test_gradients.cpp
# keeps its finite-difference core, which the grader uses, and loses its `// BEGIN REPOSITORY ONLY`
# part), the benchmarks, the PyTorch and numpy solutions, the fuzzers. MNIST's files in data/, if there, are linked (or
# copied). It refuses to write over an existing DIR.
set -eu
dest=${1:-lab}
[ ! -e "$dest" ] || { echo "make lab: $dest already exists; remove it, or give another folder: make lab LAB=DIR" >&2; exit 2; }
here=$(pwd)
[ -f exercises/make_lab.sh ] && [ -f mlp.cpp ] || { echo "make lab: run it from the project's folder" >&2; exit 2; }

# The project's files: git's list where this is a checkout, else what is on disk.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files --cached --others --exclude-standard)
else
    files=$(find . -type f ! -path './.git/*' | sed 's|^\./||')
fi
# Not for the lab: whatever would show an answer, and what only the repository's checks need.
keep() {
    case $1 in
        tests/notes_numpy_seed0.txt) return 0 ;;  # the grader compares the lesson's run with it
        tests/*|bench/*|fuzz/*|.ci/*) return 1 ;;
        exercises/torch_reference.py|exercises/compare_torch.sh|exercises/reference/make_reference.py) return 1 ;;
        exercises/make_lab.sh) return 1 ;;
        data/*-ubyte|data/*.gz) return 1 ;;
    esac
    return 0
}

mkdir -p "$dest"
fail() { echo "make lab: $*" >&2; rm -rf "$dest"; exit 1; }
for f in $files; do
    [ -f "$f" ] || continue
    keep "$f" || continue
    mkdir -p "$dest/$(dirname "$f")"
    case $f in
        *.cpp|*.hpp)
            awk -v file="$f" '
                FNR == NR {  # exercises/exercises.def: where each exercise is explained
                    if ($0 ~ /^EXERCISE\(/) {
                        n = split($0, q, "\"")
                        id = q[1]; sub(/^EXERCISE\(/, "", id); sub(/, *$/, "", id)
                        where[id] = q[6] ", \\\"" q[8] "\\\" (en español: " q[10] ", \\\"" q[12] "\\\")"
                    }
                    next
                }
                /^[ \t]*\/\/ BEGIN SOLUTION \(/ {
                    if (inside) { print file ": a region begins inside another (line " NR ")" > "/dev/stderr"; exit 3 }
                    inside = 1
                    indent = $0; sub(/[^ \t].*$/, "", indent)
                    label = $0; sub(/^[ \t]*\/\/ BEGIN SOLUTION \(/, "", label)
                    ex = label; sub(/\).*$/, "", ex)
                    what = label; sub(/^[^)]*\) */, "", what); gsub(/\\/, "\\\\", what); gsub(/"/, "\\\"", what)
                    if (!(ex in where)) { print file ": exercise (" ex ") is not in exercises/exercises.def (line " NR ")" > "/dev/stderr"; exit 3 }
                    print indent "exercise_stub(\"" ex "\", \"" what "\", \"" where[ex] "\");  // your code goes here"
                    next
                }
                /^[ \t]*\/\/ BEGIN REPOSITORY ONLY/ { hidden = 1; next }
                /^[ \t]*\/\/ END REPOSITORY ONLY/ { hidden = 0; next }
                hidden { next }
                /^[ \t]*\/\/ END SOLUTION/ {
                    if (!inside) { print file ": END SOLUTION without BEGIN (line " NR ")" > "/dev/stderr"; exit 3 }
                    inside = 0; next
                }
                inside { next }
                { print }
                END { if (inside) { print file ": a region is not closed" > "/dev/stderr"; exit 3 } }
            ' exercises/exercises.def "$f" >"$dest/$f" || fail "$f: its SOLUTION regions do not pair up, or name an exercise not in exercises/exercises.def"
            ;;
        *.md)
            awk '
                /^<!-- BEGIN SOLUTION \(/ {
                    ex = $0; sub(/^<!-- BEGIN SOLUTION \(/, "", ex); sub(/\).*$/, "", ex)
                    inside = 1
                    print "> *The worked code is left out of the lab: write it yourself, then `make check EX=" ex "`.*"
                    next
                }
                /^<!-- END SOLUTION -->/ { inside = 0; next }
                /^<!-- BEGIN LAB ONLY/ || /^END LAB ONLY -->/ { next }
                inside { next }
                { print }
            ' "$f" >"$dest/$f"
            ;;
        Makefile)
            awk '
                /^# BEGIN REPOSITORY ONLY/ { inside = 1; next }
                /^# END REPOSITORY ONLY/ { inside = 0; next }
                inside { next }
                /^# LAB: / { sub(/^# LAB: /, ""); print; next }
                { print }
            ' "$f" >"$dest/$f"
            ;;
        *) cp -p "$f" "$dest/$f" ;;
    esac
done
if grep -rl 'BEGIN SOLUTION\|END SOLUTION' "$dest" >/dev/null 2>&1; then
    fail "a SOLUTION marker is left in $(grep -rl 'BEGIN SOLUTION\|END SOLUTION' "$dest" | head -1)"
fi
touch "$dest/.lab"  # the lab's Makefile and grader know they are in a lab
for idx in data/*-ubyte; do
    [ -f "$idx" ] || continue
    ln "$idx" "$dest/$idx" 2>/dev/null || cp -p "$idx" "$dest/$idx"
done
echo "make lab: wrote $dest, the project with every exercise's answer left for you to write."
echo "  cd $dest && make && make check      (make check EX=d grades one exercise; README.md says more)"
cd "$here"
