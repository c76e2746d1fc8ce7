#!/bin/sh
# exercises/grade_class.sh: `make grade-class`, the instructor's kit (README.md, "For instructors").
#   make grade-class HANDINS=DIR [OUT=DIR] [IDIOMA=es]     (OUT: DIR/graded by default)
# Grades every hand-in in HANDINS (the .tar.gz archives `make handin` writes in a lab), each in a
# fresh lab of its own: a lab made from this repository, the hand-in's exercise files put in it (no
# other file, and no path that leaves the lab), then `make check` there, whose judge runs every
# check in a process of its own with its time limit (and the whole in at most GRADE_SECONDS, 900 by
# default). For each student, OUT/NAME/ holds scoreboard.txt (make check's output) and results.json,
# in the format Gradescope's autograders read: {"score", "output", "tests": [{"name", "score",
# "max_score", "output"}]}, one test per exercise. OUT/class.csv has a line per student: the name,
# every exercise's points and the total. exercises/points.txt sets the points of each exercise; an
# exercise is worth its points when it is ok, else none.
set -u
[ -f exercises/grade_class.sh ] && [ -f mlp.cpp ] || { echo "make grade-class: run it from the repository's folder" >&2; exit 2; }
handins=${HANDINS:-}
[ -n "$handins" ] && [ -d "$handins" ] || { echo "make grade-class: give the folder of hand-ins: make grade-class HANDINS=DIR" >&2; exit 2; }
out=${OUT:-$handins/graded}
limit=${GRADE_SECONDS:-900}
mkdir -p "$out" || exit 2
points=exercises/points.txt
ids=$(awk -F'"' '/^EXERCISE\(/ { id = $1; sub(/^EXERCISE\(/, "", id); sub(/, *$/, "", id); printf "%s ", id }' exercises/exercises.def)
for ex in $ids; do
    grep -q "^$ex [0-9]" "$points" || { echo "make grade-class: $points gives no points to exercise ($ex)" >&2; exit 2; }
done
points_of() { awk -v ex="$1" '$1 == ex { print $2 }' "$points"; }
# title_of ID N: field N of the exercise's entry in exercises/exercises.def (2: its title, 4: título).
title_of() {
    awk -F'"' -v want="$1" -v n="$2" '/^EXERCISE\(/ { id = $1; sub(/^EXERCISE\(/, "", id); sub(/, *$/, "", id); if (id == want) print $n }' exercises/exercises.def
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One lab, made once; each student gets a copy of it.
LAB="$work/template" sh exercises/make_lab.sh >/dev/null || { echo "make grade-class: make lab failed" >&2; exit 1; }
(cd "$work/template" && make -s exercises/judge >/dev/null 2>&1) || { echo "make grade-class: the lab's judge does not build" >&2; exit 1; }
lab_files=$(cd "$work/template" && grep -l '// BEGIN EXERCISE (' mlp.cpp exercises/*.hpp exercises/*.cpp)
timeout=
command -v timeout >/dev/null 2>&1 && timeout="timeout $limit"

# json STRING: STRING as a JSON string, quotes included.
json() {
    printf '%s' "$1" | awk 'BEGIN { ORS = ""; print "\"" }
        { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, ""); if (NR > 1) print "\\n"; print }
        END { print "\"" }'
}

header="student"
for ex in $ids; do header="$header,($ex)"; done
echo "$header,total" >"$out/class.csv"
count=0
for archive in "$handins"/*.tar.gz; do
    [ -f "$archive" ] || continue
    name=$(basename "$archive" .tar.gz)
    name=${name#handin-}
    dir=$out/$name
    rm -rf "$dir" "$work/lab" "$work/unpacked"
    mkdir -p "$dir" "$work/unpacked"
    cp -a "$work/template" "$work/lab"
    note=""
    if ! tar -xzf "$archive" -C "$work/unpacked" 2>"$work/tar.txt"; then
        note="the archive could not be read: $(head -1 "$work/tar.txt")"
    else
        for f in $lab_files; do
            [ -f "$work/unpacked/$f" ] && [ ! -L "$work/unpacked/$f" ] && cp "$work/unpacked/$f" "$work/lab/$f"
        done
    fi
    (cd "$work/lab" && env -u EX $timeout make -s check >"$work/check.txt" 2>&1)
    rc=$?
    grep -v -e '^make\(\[[0-9]*\]\)\{0,1\}: \*\*\*' -e '^build: ' "$work/check.txt" >"$dir/scoreboard.txt"  # make's own lines
    [ "$rc" -eq 124 ] && echo "grading stopped after $limit s" >>"$dir/scoreboard.txt"
    [ -z "$note" ] || echo "$note" >>"$dir/scoreboard.txt"
    total=0
    max=0
    tests=""
    row=$(json "$name" | sed 's/^"//; s/"$//')
    for ex in $ids; do
        worth=$(points_of "$ex")
        # The scoreboard's line "(id) title: status", in English or Spanish.
        line="" status=""
        for title in "$(title_of "$ex" 2)" "$(title_of "$ex" 4)"; do
            found=$(grep -F "($ex) $title: " "$dir/scoreboard.txt" | tail -1)
            [ -n "$found" ] && line=$found status=${found#"($ex) $title: "}
        done
        # The exercise's own lines: from its title to the blank line after it.
        detail=$(awk -v head="($ex) " 'index($0, head) == 1 && !seen { on = 1; seen = 1 } on && /^$/ { exit } on { print }' "$dir/scoreboard.txt")
        case $status in
            ok*|correcto*) got=$worth ;;
            *) got=0 ;;
        esac
        [ -n "$line" ] || { got=0; status="not graded (see scoreboard.txt)"; }
        total=$((total + got))
        max=$((max + worth))
        row="$row,$got"
        tests="$tests${tests:+,}
    {\"name\": $(json "($ex) $(title_of "$ex" 2)"), \"score\": $got, \"max_score\": $worth, \"output\": $(json "$detail
$status")}"
    done
    # (printf, not echo: a shell's echo may turn the JSON's \n into a line break)
    printf '{\n  "score": %s,\n  "output": %s,\n  "tests": [%s\n  ]\n}\n' "$total" \
        "$(json "$(grep -E '^(seed|semilla) ' "$dir/scoreboard.txt"; grep -E ' (exercises ok|ejercicios correctos)$' "$dir/scoreboard.txt")")" "$tests" >"$dir/results.json"
    echo "$row,$total" >>"$out/class.csv"
    echo "$name: $total of $max ($(grep -E ' (exercises ok|ejercicios correctos)$' "$dir/scoreboard.txt" || echo "no scoreboard"))"
    count=$((count + 1))
done
[ "$count" -gt 0 ] || { echo "make grade-class: no .tar.gz hand-in in $handins" >&2; exit 2; }
echo "make grade-class: $count hand-in(s) graded; per student $out/NAME/results.json and scoreboard.txt; the class in $out/class.csv"
