#!/bin/sh
# tests/test_lab.sh: the lab and its grader prove themselves.
#   sh tests/test_lab.sh            (run by `make test-all`; needs MNIST in data/; a few minutes)
#   sh tests/test_lab.sh quick      (run by `make test`: the same proof on one exercise, (d))
#  - `make lab` writes a lab that builds (./mlp, ./deep_mlp, the grader) without a warning, shows
#    no line of any answer, refuses to overwrite itself, and whose ./mlp stops at the first stub
#    with one line naming the exercise;
#  - in the fresh lab, `make check` scores every exercise `not implemented` and exits non-zero;
#  - with the repository's files copied back, every exercise is ok and it exits 0;
#  - each planted mistake of tests/mutants.txt that belongs to an exercise makes the grader call that
#    exercise wrong; a correct Nesterov written in another order is still ok;
#  - in the repository, `make check` says every exercise is ok.
set -u
mode=${1:-all}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
require test_lab data
lab=$work/lab
# Every make here builds the lab at -O1 (quick), so that flags a caller's make passes down through
# MAKEFLAGS (CI's -Werror) neither rebuild it nor fail it on a planted mistake's warning (clang's
# unused lambda capture, when 1 / (1 - P) is dropped).
flags="CXXFLAGS=-O1"
# The exercises, from their one table.
exercises=$(awk -F'"' '/^EXERCISE\(/ { id = $1; sub(/^EXERCISE\(/, "", id); sub(/, *$/, "", id); printf "%s ", id }' exercises/exercises.def)
count=$(echo $exercises | wc -w)
# quick: one exercise, graded alone (make check EX=d), and its first planted mistake.
only=
[ "$mode" = quick ] && only=d exercises=d

# score LOG EXERCISE: the scoreboard's status for that exercise (what follows its title).
score() {
    awk -v ex="($2) " 'index($0, ex) == 1 {
        best = 0
        n = split(": ok|: not implemented|: wrong", marks, "|")
        for (i = 1; i <= n; ++i) { at = index($0, marks[i]); if (at && (!best || at < best)) best = at }
        if (best) status = substr($0, best + 2)
    } END { print status }' "$1"
}

if make -s lab LAB="$lab" >"$work/make_lab.txt" 2>&1; then ok; else bad "make lab: $(cat "$work/make_lab.txt")"; fi
make -s lab LAB="$lab" >/dev/null 2>"$work/again.txt" && bad "make lab wrote over an existing lab" ||
    { grep -q 'already exists' "$work/again.txt" && ok || bad "make lab over an existing lab: $(cat "$work/again.txt")"; }

# No line of an answer in the lab: every line of every SOLUTION region, but those that the code
# outside the regions has too (a loop over the layers, say).
code="mlp.cpp exercises/*.hpp exercises/*.cpp matrix.hpp matrix/*.hpp program/*.hpp"
# shellcheck disable=SC2086
awk '/\/\/ BEGIN SOLUTION/ { inside = 1; next } /\/\/ END SOLUTION/ { inside = 0 } !inside' $code |
    sed 's/^ *//; s/ *$//' | sort -u >"$work/given.txt"
# shellcheck disable=SC2086
awk '/\/\/ BEGIN SOLUTION/ { inside = 1; next } /\/\/ END SOLUTION/ { inside = 0 } inside' $code |
    sed 's/^ *//; s/ *$//' | awk 'length($0) >= 12' | sort -u | comm -23 - "$work/given.txt" >"$work/answers.txt"
leaked=0
while IFS= read -r line; do
    if grep -rqF --include='*.cpp' --include='*.hpp' --include='*.md' --include='*.sh' --include='Makefile' -- "$line" "$lab"; then
        leaked=$((leaked + 1)); echo "    the lab shows an answer's line: $line"
    fi
done <"$work/answers.txt"
[ "$leaked" -eq 0 ] && [ -s "$work/answers.txt" ] && ok || bad "the lab shows $leaked line(s) of the answers"
for gone in tests/mutants.txt exercises/torch_reference.py bench/ten_class_numpy.py; do
    [ ! -e "$lab/$gone" ] && ok || bad "the lab carries $gone, which shows answers"
done
# test_gradients.cpp comes with its finite-difference core (the grader's), not its planted mistakes.
[ -f "$lab/test_gradients.cpp" ] && ! grep -q 'student_mistakes\|expect_caught\|REPOSITORY ONLY' "$lab/test_gradients.cpp" && ok ||
    bad "the lab's test_gradients.cpp should hold the core without the planted mistakes"

# The fresh lab builds, and every exercise is not implemented.
if (cd "$lab" && make -s $flags >"$work/build.txt" 2>&1) && ! grep -q 'warning' "$work/build.txt"; then ok; else
    bad "the lab does not build cleanly:"; head -5 "$work/build.txt"; fi
(cd "$lab" && ./mlp --out "$work/o") >/dev/null 2>"$work/mlp_err.txt"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$work/mlp_err.txt")" -eq 1 ] && grep -q 'exercise (lesson), .*not written yet' "$work/mlp_err.txt" && ok ||
    bad "the lab's ./mlp should stop at its first stub with one line (exit $rc): $(cat "$work/mlp_err.txt")"
(cd "$lab" && make -s $flags check ${only:+EX=$only} >"$work/fresh.txt" 2>&1) && bad "make check passed on a fresh lab" || ok
for ex in $exercises; do
    case $(score "$work/fresh.txt" "$ex") in
        "not implemented"*) ok ;;
        *) bad "fresh lab: ($ex) scores '$(score "$work/fresh.txt" "$ex")', not 'not implemented'" ;;
    esac
done
[ -n "$only" ] || { grep -q "^0 of $count exercises ok\$" "$work/fresh.txt" && ok || bad "the fresh lab's scoreboard does not end with 0 of $count exercises ok"; }

# The repository's answers copied back: every exercise ok.
answered=$(grep -l 'BEGIN SOLUTION' mlp.cpp exercises/*.hpp exercises/*.cpp)
for f in $answered; do cp "$f" "$lab/$f"; done
if (cd "$lab" && make -s $flags exercises/grade >/dev/null 2>&1 && make -s $flags check ${only:+EX=$only} >"$work/solved.txt" 2>&1); then ok; else
    bad "make check on the lab with the repository's answers failed:"; grep -E 'WRONG|wrong|not implemented' "$work/solved.txt" | head -5; fi
[ -n "$only" ] || { grep -q "^$count of $count exercises ok\$" "$work/solved.txt" && ok || bad "the answered lab's scoreboard does not read $count of $count exercises ok"; }

# plant LAB FILE SED: LAB with the answers, but FILE edited; the grader rebuilt.
plant() {
    for f in $answered; do cp "$f" "$1/$f"; done
    sed "$3" "$2" >"$1/$2"
    (cd "$1" && make -s $flags exercises/grade >/dev/null 2>"$1/plant_err.txt")
}
# planted LAB K: the planted mistakes K, K + 2, K + 4, ... of tests/mutants.txt, one after the
# other in LAB, each verdict a line of $work/planted.K (two labs side by side: two cores).
planted() {
    n=0
    grep -v '^#' tests/mutants.txt | while IFS='|' read -r exercise name file script; do
        case $exercise in ''|-|page) continue ;; esac
        [ -z "$only" ] || [ "$exercise" = "$only" ] || continue
        n=$((n + 1))
        [ -z "$only" ] || [ "$n" -eq 1 ] || continue  # quick: its first planted mistake
        [ $((n % 2)) -eq "$2" ] || continue
        if ! plant "$1" "$file" "$script"; then echo "bad|planted '$name': the lab no longer builds: $(head -3 "$1/plant_err.txt")"; continue; fi
        (cd "$1" && make -s $flags check EX="$exercise" >"$1/planted.txt" 2>&1)
        grep "^($exercise) " "$1/planted.txt" | tail -1 >>"$work/boards.$2"
        status=$(score "$1/planted.txt" "$exercise")
        case $status in
            wrong*) echo "ok|planted '$name': ($exercise) $(echo "$status" | cut -c1-150)" ;;
            '') echo "bad|planted '$name': ($exercise) no scoreboard line: $(grep -m2 -E 'error|Error' "$1/planted.txt" | tr '\n' ' ')" ;;
            *) echo "bad|planted '$name': ($exercise) scores '$status', not wrong" ;;
        esac
    done >"$work/planted.$2"
}
cp -a "$lab" "$work/lab2"
planted "$lab" 0 &
planted "$work/lab2" 1
wait
cat "$work/planted.0" "$work/planted.1" >"$work/planted"
while IFS='|' read -r verdict what; do
    if [ "$verdict" = ok ]; then ok; echo "  $what"; else bad "$what"; fi
done <"$work/planted"
if [ -n "$only" ]; then
    [ -s "$work/planted" ] && ok || bad "no planted mistake of ($only) was graded"
    echo "test_lab (quick, exercise $only): $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi
[ "$(wc -l <"$work/planted")" -ge 15 ] && ok || bad "fewer than 15 planted mistakes were graded"

# A correct Nesterov in another order of the arithmetic: still ok.
plant "$lab" exercises/optimizers.hpp 's/theta\.data\[i\] -= lr \* (g\.data\[i\] + m \* s\.buf\.data\[i\]);/theta.data[i] = theta.data[i] - lr * g.data[i] - lr * m * s.buf.data[i];/'
(cd "$lab" && make -s $flags check EX=d >"$work/reordered.txt" 2>&1)
case $(score "$work/reordered.txt" d) in ok*) ok ;; *) bad "a correct Nesterov in another order scores '$(score "$work/reordered.txt" d)'" ;; esac

# The scoreboard lines the READMEs show are ones the grader printed here.
cat "$work/fresh.txt" "$work/solved.txt" "$work/boards.0" "$work/boards.1" >"$work/printed"
for doc in README.md LEEME.md exercises/README.md exercises/LEEME.md; do
    awk '/^```/ { inside = !inside; next } inside' "$doc" | grep -E '^\((lesson|[a-f])\) |^[0-9]+ of [0-9]+ exercises ok$' >"$work/shown" || true
    unseen=0
    while IFS= read -r line; do
        grep -qxF -- "$line" "$work/printed" || { unseen=$((unseen + 1)); echo "    $doc shows a scoreboard line the grader did not print: $line"; }
    done <"$work/shown"
    [ "$unseen" -eq 0 ] && ok || bad "$doc: $unseen scoreboard line(s) not printed by make check"
done

# The repository itself.
sh exercises/check.sh >"$work/repo.txt" 2>&1 && grep -q "^$count of $count exercises ok\$" "$work/repo.txt" && ok ||
    { bad "make check in the repository:"; grep -E 'WRONG|wrong|not implemented' "$work/repo.txt" | head -5; }

echo "test_lab: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
