#!/bin/sh
# exercises/handin.sh: `make handin`, in the lab: the files you edited, in one archive to hand in.
#   make handin [STUDENT=NAME] [HANDIN=FILE]     (FILE: handin-NAME.tar.gz in the lab by default)
# Packs exactly the files that hold exercises (those with `// BEGIN EXERCISE (` markers: mlp.cpp and
# the exercises' headers and deep_mlp.cpp) and MANIFEST.txt: who, when, each file's size and
# checksum (cksum), and each exercise's state, written or still its stub. An exercise still stubbed
# is packed as it is, with a warning that it will be graded "not implemented". The instructor grades
# the archive with `make grade-class` in the repository (README.md, "For instructors").
set -eu
[ -f .lab ] || { echo "make handin: run it in a lab (make lab writes one)" >&2; exit 2; }
student=${STUDENT:-${USER:-student}}
safe=$(printf '%s' "$student" | tr -c 'A-Za-z0-9._-' '_')
archive=${HANDIN:-handin-$safe.tar.gz}
files=$(grep -l '// BEGIN EXERCISE (' mlp.cpp exercises/*.hpp exercises/*.cpp 2>/dev/null)
[ -n "$files" ] || { echo "make handin: no file here holds an exercise's markers (// BEGIN EXERCISE)" >&2; exit 2; }
ids=$(awk -F'"' '/^EXERCISE\(/ { id = $1; sub(/^EXERCISE\(/, "", id); sub(/, *$/, "", id); printf "%s ", id }' exercises/exercises.def)

# stubbed EXERCISE: the regions of that exercise that still hold only their stub.
stubbed() {
    # shellcheck disable=SC2086
    awk -v ex="$1" '
        /\/\/ BEGIN EXERCISE \(/ { inside = index($0, "(" ex ")") > 0; code = 0; what = $0; sub(/^.*BEGIN EXERCISE \([^)]*\) */, "", what); next }
        /\/\/ END EXERCISE/ { if (inside && !code) print what; inside = 0; next }
        inside && $0 !~ /^[ \t]*$/ && $0 !~ /exercise_stub\(/ { code = 1 }
    ' $files
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
    echo "hand-in of the backpropagation lab"
    echo "student: $student"
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "files:"
    for f in $files; do echo "  $f $(cksum <"$f" | awk '{ print $1, $2 }')"; done
    echo "exercises:"
    for ex in $ids; do
        left=$(stubbed "$ex" | tr '\n' ';' | sed 's/;$//; s/;/; /g')
        if [ -n "$left" ]; then echo "  ($ex) still a stub: $left"; else echo "  ($ex) written"; fi
    done
} >"$work/MANIFEST.txt"
mkdir -p "$work/handin"
cp "$work/MANIFEST.txt" "$work/handin/"
for f in $files; do mkdir -p "$work/handin/$(dirname "$f")" && cp "$f" "$work/handin/$f"; done
(cd "$work/handin" && tar -czf ../handin.tar.gz MANIFEST.txt $files)
cp "$work/handin.tar.gz" "$archive"
grep -q 'still a stub' "$work/MANIFEST.txt" &&
    { echo "make handin: warning: some exercises still hold their stubs and will be graded not implemented:"; grep 'still a stub' "$work/MANIFEST.txt"; }
echo "make handin: wrote $archive ($(echo $files | wc -w) files and MANIFEST.txt), for $student"
