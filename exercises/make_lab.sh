#!/bin/sh
# exercises/make_lab.sh: `make lab`, the exercises for a student to do.
#   make lab [LAB=DIR]      (LAB reaches this script through the environment: any name is taken as is)
# Writes DIR, a copy of the project in which every exercise's answer is replaced by a stub. DIR is
# by default ../NAME-lab, beside this repository (NAME: its folder's name), where the repository's
# own clean-ups (make clean, git clean) never reach it; a DIR inside the repository is allowed, with
# a warning. DIR's parent must exist, and DIR must not: it is made with one mkdir, so that no spelling
# of an existing folder (a/../lab, a link) is ever written into.
#   - in the code, each region from `// BEGIN SOLUTION (x) what` to `// END SOLUTION` becomes
#         // BEGIN EXERCISE (x) what
#         exercise_stub("x", "what", "where");  // your code goes here
#         // END EXERCISE
#     The stub compiles and, when called, stops the run with one line naming the exercise, the
#     function and the guide's section (where: from exercises/exercises.def). The student writes
#     between the markers, which the grader (exercises/check.sh) and the hand-in use;
#   - in the guides, each `<!-- BEGIN SOLUTION (x) -->` ... `<!-- END SOLUTION -->` block (the
#     worked code) becomes a note, and `<!-- BEGIN LAB ONLY` ... `END LAB ONLY -->` is shown;
#   - in the Makefile, `# BEGIN REPOSITORY ONLY` ... `# END REPOSITORY ONLY` goes and `# LAB: `
#     lines are kept without their prefix: the lab builds ./mlp, ./deep_mlp and the grader,
#     `make check` grades and `make handin` packs the student's files.
# Only the files the repository tracks are copied (never an earlier lab, filled in, nor what a build
# left). What would show an answer stays out: the tests and their planted mistakes (test_gradients.cpp
# keeps its finite-difference core, which the grader uses, and loses its `// BEGIN REPOSITORY ONLY`
# part), the benchmarks, the PyTorch and numpy solutions, the fuzzers, the instructor's kit. MNIST's
# files in data/, if there, are linked (or copied).
set -eu
here=$(pwd)
[ -f exercises/make_lab.sh ] && [ -f mlp.cpp ] || { echo "make lab: run it from the project's folder" >&2; exit 2; }
dest=${LAB:-../$(basename "$here")-lab}
case $dest in
    */) dest=${dest%/} ;;
esac
[ -n "$dest" ] || { echo "make lab: LAB is empty; give a folder: make lab LAB=DIR" >&2; exit 2; }
parent=$(dirname -- "$dest")
[ -d "$parent" ] || { echo "make lab: $parent does not exist; make it first, or give another folder: make lab LAB=DIR" >&2; exit 2; }
if [ -e "$dest" ] || [ -L "$dest" ]; then
    echo "make lab: $dest already exists, and may hold your work: it is left as it is; give another folder: make lab LAB=DIR" >&2
    exit 2
fi
mkdir -- "$dest" 2>/dev/null || { echo "make lab: cannot make $dest (it appeared meanwhile, or $parent is not writable)" >&2; exit 2; }
dest_abs=$(cd -- "$dest" && pwd -P)
case $dest_abs/ in
    "$(pwd -P)"/*) echo "make lab: note: $dest is inside the repository, where 'git clean -xfd' would delete it; ../$(basename "$here")-lab is safer" >&2 ;;
esac

# The project's files: git's list of tracked files where this is a checkout, else what is on disk
# but for builds, outputs and labs (any folder with a .lab file).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files --cached)
else
    labs=$(find . -name .lab -type f | sed 's|^\./||; s|/\.lab$||')
    files=$(find . \( -path ./.git -o -path ./build -o -path ./out \) -prune -o -type f -print | sed 's|^\./||' |
        while IFS= read -r f; do
            skip=no
            for l in $labs; do case $f in "$l"/*) skip=yes ;; esac; done
            [ $skip = yes ] || printf '%s\n' "$f"
        done)
fi
# Not for the lab: whatever would show an answer, and what only the repository's checks need.
keep() {
    case $1 in
        tests/notes_numpy_seed0.txt) return 0 ;;  # the grader compares the lesson's run with it
        tests/*|bench/*|fuzz/*|.ci/*) return 1 ;;
        exercises/torch_reference.py|exercises/compare_torch.sh|exercises/reference/make_reference.py) return 1 ;;
        exercises/make_lab.sh|exercises/grade_class.sh|exercises/points.txt) return 1 ;;
        data/*-ubyte|data/*.gz) return 1 ;;
    esac
    return 0
}

fail() { echo "make lab: $*" >&2; rm -rf -- "$dest"; exit 1; }
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
                    what = label; sub(/^[^)]*\) */, "", what); label_what = what; gsub(/\\/, "\\\\", what); gsub(/"/, "\\\"", what)
                    if (!(ex in where)) { print file ": exercise (" ex ") is not in exercises/exercises.def (line " NR ")" > "/dev/stderr"; exit 3 }
                    print indent "// BEGIN EXERCISE (" ex ") " label_what
                    print indent "exercise_stub(\"" ex "\", \"" what "\", \"" where[ex] "\");  // your code goes here"
                    print indent "// END EXERCISE"
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
left=$(grep -rlE '^[[:space:]]*(//|<!--) (BEGIN|END) SOLUTION' "$dest" 2>/dev/null | head -1)
[ -z "$left" ] || fail "a SOLUTION marker is left in $left"
touch "$dest/.lab"  # the lab's Makefile and grader know they are in a lab
for idx in data/*-ubyte; do
    [ -f "$idx" ] || continue
    ln "$idx" "$dest/$idx" 2>/dev/null || cp -p "$idx" "$dest/$idx"
done
echo "make lab: wrote $dest, the project with every exercise's answer left for you to write."
echo "  cd $dest && make && make check      (make check EX=d grades one exercise; README.md says more)"
cd "$here"
