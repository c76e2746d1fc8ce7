#!/bin/sh
# exercises/check.sh: `make check`, the grader's scoreboard.
#   sh exercises/check.sh [EXERCISE]       (make check, make check EX=d; in the lab and in the repository)
# Runs ./exercises/grade once per exercise, each in a process of its own and within a time limit,
# so that a stub, a wrong answer, an exception, a crash or an endless loop in one exercise is
# reported and the others still run. Prints each exercise's checks, then one line per exercise,
# "(id) title: status" with status ok, not implemented or wrong (and what is wrong), then
# "N of M exercises ok". Exits 0 only when every exercise graded is ok.
set -u
GRADE=${GRADE:-./exercises/grade}
LIMIT=${CHECK_SECONDS:-300}
[ -x "$GRADE" ] || { echo "check: $GRADE is not built (run make)"; exit 2; }
only=${1:-}
table=exercises/exercises.def  # the exercises: id, title, guide, section, grading function
[ -f "$table" ] || { echo "check: $table is missing"; exit 2; }
# field ID N: field N of exercise ID's entry (2: its title), or every id with ID empty.
field() {
    awk -F'"' -v want="$1" -v n="$2" '/^EXERCISE\(/ {
        id = $1; sub(/^EXERCISE\(/, "", id); sub(/, *$/, "", id)
        if (want == "") printf "%s ", id; else if (id == want) print $n
    }' "$table"
}
all=$(field "" 0)
if [ -n "$only" ]; then
    case " $all " in *" $only "*) ;; *) echo "check: no exercise '$only'; EX= takes one of: $all"; exit 2 ;; esac
    all=$only
fi

title() { field "$1" 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
timeout=
command -v timeout >/dev/null 2>&1 && timeout="timeout $LIMIT"
for ex in $all; do
    echo "($ex) $(title "$ex")"
    $timeout "$GRADE" "$ex" >"$work/$ex.log" 2>&1
    rc=$?
    grep -v '^result: ' "$work/$ex.log"
    status=$(sed -n 's/^result: //p' "$work/$ex.log" | tail -1)
    if [ -z "$status" ]; then
        # No verdict: the process ended inside a check (the last line without one names it).
        last=$(grep '^  ' "$work/$ex.log" | tail -1 | sed 's/^ *//; s/ *$//')
        if [ "$rc" -eq 124 ]; then why="still running after $LIMIT s (an endless loop?)"
        elif [ "$rc" -gt 128 ]; then why="crashed ($(kill -l $((rc - 128)) 2>/dev/null || echo "signal $((rc - 128))"))"
        else why="ended with exit code $rc and no verdict"; fi
        status="wrong: $why${last:+ in: $last}"
        echo "  $status"
    fi
    echo "$ex|$status" >>"$work/board"
    echo
done

total=0
good=0
while IFS='|' read -r ex status; do
    total=$((total + 1))
    case $status in ok*) good=$((good + 1)) ;; esac
    echo "($ex) $(title "$ex"): $status"
done <"$work/board"
echo "$good of $total exercises ok"
[ "$good" -eq "$total" ]
