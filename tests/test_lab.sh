#!/bin/sh
# tests/test_lab.sh: the lab, its grader and the instructor's kit prove themselves.
#   sh tests/test_lab.sh            (run by `make test-all`; needs MNIST in data/; several minutes)
#   sh tests/test_lab.sh quick      (run by `make test`: the lab, and its grader on exercise (d))
#  - `make lab` writes a lab beside the repository by default, from the tracked files only (never an
#    earlier lab), refuses any spelling of an existing folder and a parent that does not exist, takes
#    any LAB name as is (spaces, quotes, backquotes), shows no line of any answer, builds without a
#    warning, and its ./mlp stops at the first stub with one line naming the exercise;
#  - in the fresh lab, `make check` scores every exercise `not implemented` and exits non-zero; with
#    the repository's answers written into the lab's regions, every exercise is ok and it exits 0,
#    in English and in Spanish (LANG=es_MX.UTF-8), with the same verdicts;
#  - the judge cannot be spoken for or fooled: a static initializer that prints the old grader's
#    verdict and exits, a Nesterov that looks the stored answers up, a momentum with one buffer for
#    every tensor, and a backward pass by finite differences are each graded wrong, the last saying
#    what it does; an endless loop in one function costs under a minute in all; a compile error in
#    (f) names (f) and its file, and the other six are graded;
#  - each planted mistake of tests/mutants.txt that belongs to an exercise, and each silent mistake
#    and published alternative of tests/lab_cases/cases.txt, makes the grader call that exercise
#    wrong, with the hint it gives; a correct Nesterov written in another order is still ok;
#  - `make handin` packs a complete lab and one with mistakes; `make grade-class` grades both,
#    writing results.json files that parse, with the right scores, and the class's CSV;
#  - EX reaches the grader as it is: `make check EX='zz; touch x'` runs nothing;
#  - in the repository, `make check` says every exercise is ok.
set -u
mode=${1:-all}
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "$0")/helpers.sh"
require test_lab data
repo=$(pwd)
lab=$work/lab
# Every make here builds the lab at -O1 (quick), so that flags a caller's make passes down through
# MAKEFLAGS (CI's -Werror) neither rebuild it nor fail it on a planted mistake's warning.
flags="CXXFLAGS=-O1"
# The exercises, from their one table.
exercises=$(awk -F'"' '/^EXERCISE\(/ { id = $1; sub(/^EXERCISE\(/, "", id); sub(/, *$/, "", id); printf "%s ", id }' exercises/exercises.def)
count=$(echo $exercises | wc -w)
# quick: one exercise, (d), graded alone.
only=
[ "$mode" = quick ] && only=d exercises=d

# score LOG EXERCISE: the scoreboard's status for that exercise (what follows its title).
score() {
    awk -v ex="($2) " 'index($0, ex) == 1 {
        best = 0
        n = split(": ok|: not implemented|: wrong|: needs|: correcto|: no implementado|: incorrecto|: necesita", marks, "|")
        for (i = 1; i <= n; ++i) { at = index($0, marks[i]); if (at && (!best || at < best)) best = at }
        if (best) status = substr($0, best + 2)
    } END { print status }' "$1"
}
# put_region FILE LABEL CONTENT: the region whose BEGIN line holds LABEL gets CONTENT's lines.
put_region() {
    awk -v label="$2" -v content="$3" '
        /\/\/ BEGIN (EXERCISE|SOLUTION) \(/ && index($0, label) { print; while ((getline line < content) > 0) print line; skip = 1; next }
        /\/\/ END (EXERCISE|SOLUTION)/ { skip = 0 }
        !skip { print }
    ' "$1" >"$1.new" && mv "$1.new" "$1"
}
# answer_lab LAB: the repository's answers written into LAB's regions (the same, in the same order).
answer_lab() {
    for f in $(cd "$1" && grep -l '// BEGIN EXERCISE (' mlp.cpp exercises/*.hpp exercises/*.cpp); do
        awk '
            FNR == NR {
                if ($0 ~ /\/\/ BEGIN SOLUTION \(/) { n++; inside = 1; next }
                if ($0 ~ /\/\/ END SOLUTION/) { inside = 0; next }
                if (inside) body[n] = body[n] $0 "\n"
                next
            }
            /\/\/ BEGIN EXERCISE \(/ { print; m++; printf "%s", body[m]; skip = 1; next }
            /\/\/ END EXERCISE/ { skip = 0 }
            !skip { print }
        ' "$f" "$1/$f" >"$1/$f.new" && mv "$1/$f.new" "$1/$f"
    done
}
# check LAB [EX]: the grader in LAB (one exercise, or all), its output in LAB/check.txt: the
# scoreboard of `make check` without rebuilding ./mlp and ./deep_mlp after it, as make check does
# (make_check runs make check itself).
check() {
    (cd "$1" && EX="${2:-}" RUNNER_BUILD="$runner_build" sh exercises/check.sh >"$1/check.txt" 2>&1)
}
make_check() {
    (cd "$1" && make -s $flags check EX="${2:-}" >"$1/check.txt" 2>&1)
}

# --- make lab: where, what, and never over anything -------------------------------------------------
if LAB="$lab" make -s lab >"$work/make_lab.txt" 2>&1; then ok; else bad "make lab: $(cat "$work/make_lab.txt")"; fi
make -s lab LAB="$lab" >/dev/null 2>"$work/again.txt" && bad "make lab wrote over an existing lab" ||
    { grep -q 'already exists' "$work/again.txt" && ok || bad "make lab over an existing lab: $(cat "$work/again.txt")"; }
mkdir "$work/sub"
(cd "$work/sub" && make -s -C "$repo" lab LAB="$work/nothere/../lab" >/dev/null 2>"$work/spelled.txt") && bad "make lab LAB=nothere/../lab wrote" ||
    { grep -q 'does not exist' "$work/spelled.txt" && ok || bad "make lab LAB=nothere/../lab: $(cat "$work/spelled.txt")"; }
make -s lab LAB="$work/sub/../lab" >/dev/null 2>&1 && bad "make lab LAB=sub/../lab wrote over the lab" || ok
for name in "my lab" "it's" 'back`touch ran`tick'; do
    if make -s lab LAB="$work/$name" >/dev/null 2>"$work/named.txt" && [ -f "$work/$name/mlp.cpp" ] && [ ! -e ran ] && [ ! -e "$work/ran" ]; then ok; rm -rf "$work/$name"; else
        bad "make lab LAB='$name': $(cat "$work/named.txt")"; fi
done
[ -z "$only" ] && {
    # Untracked files, an earlier lab filled in among them, stay out of the next.
    mkdir -p "$repo/earlier-lab.$$" && echo "answers" >"$repo/earlier-lab.$$/answers.txt"
    make -s lab LAB="$work/lab3" >/dev/null 2>&1
    [ -d "$work/lab3" ] && [ ! -e "$work/lab3/earlier-lab.$$" ] && ok || bad "make lab copied an untracked folder"
    rm -rf "$repo/earlier-lab.$$" "$work/lab3"
    # The default: beside the repository, never inside it.
    grep -q 'LAB:-\.\./' exercises/make_lab.sh && ok || bad "make lab's default folder is not ../NAME-lab"
}
(cd "$work" && mkdir ex && cd ex && make -s -C "$repo" check EX='zz; touch injected' >/dev/null 2>&1)
[ $? -eq 2 ] && [ ! -e "$work/ex/injected" ] && [ ! -e "$repo/injected" ] && ok || bad "make check EX='zz; touch injected' ran the command"

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
for gone in tests/mutants.txt exercises/torch_reference.py bench/ten_class_numpy.py exercises/grade_class.sh; do
    [ ! -e "$lab/$gone" ] && ok || bad "the lab carries $gone, which it has no use for"
done
# test_gradients.cpp comes with its finite-difference core (the grader's), not its planted mistakes.
[ -f "$lab/test_gradients.cpp" ] && ! grep -q 'student_mistakes\|expect_caught\|REPOSITORY ONLY' "$lab/test_gradients.cpp" && ok ||
    bad "the lab's test_gradients.cpp should hold the core without the planted mistakes"

# --- the fresh lab ------------------------------------------------------------------------------------
if (cd "$lab" && make -s $flags >"$work/build.txt" 2>&1) && ! grep -q 'warning' "$work/build.txt"; then ok; else
    bad "the lab does not build cleanly:"; head -5 "$work/build.txt"; fi
# The lab's command for the runner, as its Makefile has it.
runner_build=$(cd "$lab" && printf 'print-runner-build:\n\t@echo $(RUNNER_BUILD)\n' | make -s $flags -f Makefile -f - print-runner-build 2>/dev/null | tail -1)
[ -n "$runner_build" ] && ok || bad "the lab's Makefile has no RUNNER_BUILD"
(cd "$lab" && ./mlp --out "$work/o") >/dev/null 2>"$work/mlp_err.txt"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$work/mlp_err.txt")" -eq 1 ] && grep -q 'exercise (lesson), .*not written yet' "$work/mlp_err.txt" && ok ||
    bad "the lab's ./mlp should stop at its first stub with one line (exit $rc): $(cat "$work/mlp_err.txt")"
make_check "$lab" "$only" && bad "make check passed on a fresh lab" || ok
cp "$lab/check.txt" "$work/fresh.txt"
for ex in $exercises; do
    case $(score "$work/fresh.txt" "$ex") in
        "not implemented"*) ok ;;
        *) bad "fresh lab: ($ex) scores '$(score "$work/fresh.txt" "$ex")', not 'not implemented'" ;;
    esac
done
[ -n "$only" ] || { grep -q "^0 of $count exercises ok\$" "$work/fresh.txt" && ok || bad "the fresh lab's scoreboard does not end with 0 of $count exercises ok"; }

# --- the lab answered ---------------------------------------------------------------------------------
cp -a "$lab" "$work/fresh_lab"
answer_lab "$lab"
if check "$lab" "$only"; then ok; else bad "make check on the lab with the repository's answers failed:"; grep -E 'WRONG|wrong|not implemented' "$lab/check.txt" | head -5; fi
cp "$lab/check.txt" "$work/solved.txt"
# The answered files, kept as they are: every planted mistake starts from them.
mkdir -p "$work/answers/exercises"
for f in $(cd "$lab" && grep -l '// BEGIN EXERCISE (' mlp.cpp exercises/*.hpp exercises/*.cpp); do cp "$lab/$f" "$work/answers/$f"; done
[ -n "$only" ] || { grep -q "^$count of $count exercises ok\$" "$work/solved.txt" && ok || bad "the answered lab's scoreboard does not read $count of $count exercises ok"; }
# A seed at which the grader once called a right answer wrong: finite differences' rounding (0.3 eps
# |L| / h) on a gradient element of 8.7e-8, measured against 1e-6 of itself (test_gradients.cpp).
(cd "$lab" && SEED=3831419721 EX=a RUNNER_BUILD="$runner_build" sh exercises/check.sh >"$work/seed.txt" 2>&1) &&
    grep -q '^(a) .*: ok' "$work/seed.txt" && ok || bad "SEED=3831419721: the answers to (a) graded: $(grep -E '^\(a\) ' "$work/seed.txt" | tail -1)"

# plant LAB FILE SED: LAB with the answers, but FILE edited. case_region LAB FILE LABEL CONTENT: a region's code replaced.
fresh_answers() { (cd "$work/answers" && find . -type f) | while IFS= read -r f; do cp "$work/answers/$f" "$1/$f"; done; }
plant() { fresh_answers "$1"; sed "$3" "$work/answers/$2" >"$1/$2"; }
# expect_wrong LAB EXERCISE NAME [HINT]: make check EX=EXERCISE in LAB calls it wrong (with HINT).
expect_wrong() {
    check "$1" "$2"
    status=$(score "$1/check.txt" "$2")
    grep "^($2) " "$1/check.txt" | tail -1 >>"$1/boards"
    case $status in
        wrong*|incorrect*)
            hint=${4:-}
            case $hint in
                '') said=yes ;;
                !*) said=yes; grep -qF -- "${hint#!}" "$1/check.txt" && said=no ;;
                *) said=no; grep -qF -- "$hint" "$1/check.txt" && said=yes ;;
            esac
            if [ $said = yes ]; then echo "ok|$3: ($2) $(echo "$status" | cut -c1-150)"; else
                echo "bad|$3: ($2) wrong, but $( [ "${hint#!}" = "$hint" ] && echo without || echo with) the hint '${hint#!}': $(echo "$status" | cut -c1-200)"; fi ;;
        '') echo "bad|$3: ($2) no scoreboard line: $(grep -m2 -E 'error|Error' "$1/check.txt" | tr '\n' ' ')" ;;
        *) echo "bad|$3: ($2) scores '$status', not wrong" ;;
    esac
}

# --- planted mistakes and the lab's cases, in two labs side by side (two cores) ----------------------
# tests/lab_cases/cases.txt: EXERCISE|NAME|FILE|LABEL|CONTENT|HINT (the region LABEL of FILE gets the
# file CONTENT, and make check must call EXERCISE wrong with HINT) or EXERCISE|NAME|FILE|SED|HINT.
planted() {
    n=0
    {
        grep -v '^#' tests/mutants.txt | while IFS='|' read -r exercise name file script; do
            case $exercise in ''|-|page) continue ;; esac
            printf 'sed|%s|%s|%s|%s|\n' "$exercise" "$name" "$file" "$script"  # (printf: echo may read the backslashes)
        done
        grep -v '^#' tests/lab_cases/cases.txt | grep -v '^$'
    } | while IFS='|' read -r kind exercise name file what hint; do
        [ -z "$only" ] || [ "$exercise" = "$only" ] || continue
        n=$((n + 1))
        [ -z "$only" ] || [ "$n" -le 1 ] || continue
        [ $((n % 2)) -eq "$2" ] || continue
        case $kind in
            sed) plant "$1" "$file" "$what" ;;
            region) fresh_answers "$1"; put_region "$1/$file" "${what%%=*}" "tests/lab_cases/${what#*=}" ;;
        esac
        expect_wrong "$1" "$exercise" "$name" "$hint"
    done >"$work/planted.$2"
}
cp -a "$lab" "$work/lab1"
cp -a "$lab" "$work/lab2"
planted "$work/lab1" 0 &
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
[ "$(wc -l <"$work/planted")" -ge 28 ] && ok || bad "fewer than 28 planted mistakes and cases were graded"

# --- what no answer may do ------------------------------------------------------------------------------
# A static initializer that prints the old grader's verdict and ends the process: wrong throughout.
cp -a "$work/fresh_lab" "$work/forged"
awk -v extra=tests/lab_cases/forged_verdict.cpp '/^#endif  \/\/ MLP_CPP_INCLUDED/ { while ((getline line < extra) > 0) print line } { print }' \
    "$work/fresh_lab/mlp.cpp" >"$work/forged/mlp.cpp"
check "$work/forged"
grep -q "^0 of $count exercises ok\$" "$work/forged/check.txt" && ! grep -q ': ok' "$work/forged/check.txt" &&
    grep -q 'ended without its report' "$work/forged/check.txt" && ok ||
    bad "the forged verdict: $(tail -1 "$work/forged/check.txt")"
# An endless loop in one function: under a minute for all of make check, that function named.
fresh_answers "$work/lab2"
put_region "$work/lab2/exercises/optimizers.hpp" "(d) momentum_update" tests/lab_cases/momentum_loops.txt
start=$(date +%s)
check "$work/lab2"
took=$(($(date +%s) - start))
[ "$took" -lt 60 ] && grep -q 'did not end within .* in momentum_update' "$work/lab2/check.txt" &&
    grep -q "^5 of $count exercises ok\$" "$work/lab2/check.txt" && ok ||
    bad "an endless loop in momentum_update: $took s, $(grep -c 'did not end' "$work/lab2/check.txt") 'did not end', $(tail -1 "$work/lab2/check.txt")"
# A compile error in (f): (f) named, with its file; the other six graded.
fresh_answers "$work/lab2"
sed 's/return zip_map(g, theta, \[lambda\](double g_i, double theta_i) { return g_i + lambda \* theta_i; }, "weight decay");/return zip_map(g, theta, [lambda](double g_i, double theta_i) { return g_i + lambda * theta_i; }, "weight decay")/' \
    "$work/answers/exercises/optimizers.hpp" >"$work/lab2/exercises/optimizers.hpp"
check "$work/lab2"
grep -q '^(f) .*: wrong: does not compile: exercises/optimizers.hpp:[0-9]*: error' "$work/lab2/check.txt" &&
    grep -q "^6 of $count exercises ok\$" "$work/lab2/check.txt" && ok ||
    bad "a compile error in (f): $(grep '^(f) ' "$work/lab2/check.txt" | tail -1); $(tail -1 "$work/lab2/check.txt")"
# A correct Nesterov in another order of the arithmetic, and in CS231n's look-ahead form (v in
# parameter units: the same recurrence as PyTorch's): still ok.
plant "$work/lab2" exercises/optimizers.hpp 's/theta\.data\[i\] -= lr \* (g\.data\[i\] + m \* s\.buf\.data\[i\]);/theta.data[i] = theta.data[i] - lr * g.data[i] - lr * m * s.buf.data[i];/'
check "$work/lab2" d
case $(score "$work/lab2/check.txt" d) in ok*) ok ;; *) bad "a correct Nesterov in another order scores '$(score "$work/lab2/check.txt" d)'" ;; esac
fresh_answers "$work/lab2"
put_region "$work/lab2/exercises/optimizers.hpp" "(d) nesterov_update" tests/lab_cases/nesterov_lookahead.txt
check "$work/lab2" d
case $(score "$work/lab2/check.txt" d) in ok*) ok ;; *) bad "Nesterov in CS231n's look-ahead form scores '$(score "$work/lab2/check.txt" d)'" ;; esac

# --- Spanish: the same verdicts, in Spanish -----------------------------------------------------------
seed=$(sed -n 's/^seed \([0-9]*\):.*/\1/p' "$work/solved.txt")
(cd "$lab" && LANG=es_MX.UTF-8 SEED="$seed" make -s $flags check >"$work/es.txt" 2>&1)
grep -q "^semilla $seed: SEED=$seed make check repite estas entradas\$" "$work/es.txt" &&
    grep -q "^$count de $count ejercicios correctos\$" "$work/es.txt" && ok || bad "LANG=es_MX.UTF-8 make check: $(tail -1 "$work/es.txt")"
(cd "$work/fresh_lab" && IDIOMA=es make -s $flags check >"$work/es_fresh.txt" 2>&1)
same=yes
for ex in $exercises; do
    en=$(score "$work/fresh.txt" "$ex" | cut -d: -f1) es=$(score "$work/es_fresh.txt" "$ex" | cut -d: -f1)
    case "$en|$es" in "ok|correcto"|"wrong|incorrecto"|"not implemented|no implementado"|"needs|necesita"*) ;; *) same=no; echo "    ($ex): '$en' in English, '$es' in Spanish" ;; esac
done
[ $same = yes ] && grep -q "^0 de $count ejercicios correctos\$" "$work/es_fresh.txt" && ok || bad "IDIOMA=es: other verdicts than in English"
plant "$work/lab2" exercises/optimizers.hpp 's/const double step_size = lr \/ (1\.0 - std::pow(b1, static_cast<double>(t)));/const double step_size = lr;/'
(cd "$work/lab2" && IDIOMA=es EX=d RUNNER_BUILD="$runner_build" sh exercises/check.sh >"$work/es_wrong.txt" 2>&1)
grep -q '^(d) momento, Nesterov y Adam: incorrecto: adam_update: falta la corrección de mom' "$work/es_wrong.txt" && ok ||
    bad "IDIOMA=es, Adam without mom's correction: $(grep '^(d) ' "$work/es_wrong.txt" | tail -1)"

# --- the hand-in and the instructor's kit ------------------------------------------------------------
(cd "$lab" && make -s handin STUDENT=complete >"$work/handin.txt" 2>&1) && [ -f "$lab/handin-complete.tar.gz" ] &&
    ! grep -q warning "$work/handin.txt" && ok || bad "make handin: $(cat "$work/handin.txt")"
fresh_answers "$work/lab2"
sed 's/return 1\.0 - y \* y;/return 1.0 - y;/' "$work/answers/exercises/layers.hpp" >"$work/lab2/exercises/layers.hpp"
put_region "$work/lab2/exercises/layers.hpp" "(f) dropout_forward" tests/lab_cases/stub_f_dropout.txt
(cd "$work/lab2" && make -s handin STUDENT=mistakes >"$work/handin2.txt" 2>&1)
grep -q 'warning: some exercises still hold their stubs' "$work/handin2.txt" && grep -q '(f) still a stub: dropout_forward' "$work/handin2.txt" && ok ||
    bad "make handin with a stub left: no warning: $(cat "$work/handin2.txt")"
mkdir "$work/handins"
cp "$lab/handin-complete.tar.gz" "$work/lab2/handin-mistakes.tar.gz" "$work/handins/"
if make -s grade-class HANDINS="$work/handins" OUT="$work/graded" >"$work/class.txt" 2>&1; then ok; else bad "make grade-class: $(tail -3 "$work/class.txt")"; fi
total=$(awk '{ s += $2 } END { print s }' exercises/points.txt)
b_points=$(awk '$1 == "b" { print $2 }' exercises/points.txt)
f_points=$(awk '$1 == "f" { print $2 }' exercises/points.txt)
if grep -q "^complete,.*,$total\$" "$work/graded/class.csv" && grep -q "^mistakes,.*,$((total - b_points - f_points))\$" "$work/graded/class.csv"; then ok; else
    bad "class.csv: $(cat "$work/graded/class.csv" | tr '\n' ' ')"
    for student in complete mistakes; do  # what the grader said, to tell a wrong verdict from a slow machine
        echo "  $student's scoreboard, all but its ok lines:"
        grep -v -e ' ok$' -e '^$' "$work/graded/$student/scoreboard.txt" | head -20 | sed 's/^/    /'
    done
fi
for student in complete mistakes; do
    json=$work/graded/$student/results.json
    if [ -x /usr/bin/python3 ]; then
        want=$total
        [ $student = mistakes ] && want=$((total - b_points - f_points))
        /usr/bin/python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r["score"] == int(sys.argv[2]), r["score"]
assert len(r["tests"]) == int(sys.argv[3])
assert all(set(t) >= {"name", "score", "max_score", "output"} for t in r["tests"])
assert sum(t["score"] for t in r["tests"]) == r["score"]' "$json" "$want" "$count" 2>"$work/json.txt" && ok ||
            bad "$student's results.json: $(tail -1 "$work/json.txt")"
    elif [ "${REQUIRE_ALL:-0}" = 1 ]; then
        bad "REQUIRE_ALL=1 and no /usr/bin/python3 to parse results.json"
    else
        echo "SKIPPED: test_lab: results.json not parsed (no /usr/bin/python3)"
    fi
done

# --- the READMEs, and the repository itself ----------------------------------------------------------
# The scoreboard lines the READMEs show are ones the grader printed here.
cat "$work/fresh.txt" "$work/solved.txt" "$work/lab1/boards" "$work/lab2/boards" "$work/es.txt" "$work/es_fresh.txt" "$work/es_wrong.txt" \
    "$work/graded/complete/scoreboard.txt" "$work/graded/mistakes/scoreboard.txt" >"$work/printed" 2>/dev/null
for doc in README.md LEEME.md exercises/README.md exercises/LEEME.md; do
    awk '/^```/ { inside = !inside; next } inside' "$doc" | grep -E '^\((lesson|[a-f])\) |^[0-9]+ (of|de) [0-9]+ (exercises ok|ejercicios correctos)$' >"$work/shown" || true
    unseen=0
    while IFS= read -r line; do
        grep -qxF -- "$line" "$work/printed" || { unseen=$((unseen + 1)); echo "    $doc shows a scoreboard line the grader did not print: $line"; }
    done <"$work/shown"
    [ "$unseen" -eq 0 ] && ok || bad "$doc: $unseen scoreboard line(s) not printed by make check"
done
make -s check >"$work/repo.txt" 2>&1 && grep -q "^$count of $count exercises ok\$" "$work/repo.txt" && ok ||
    { bad "make check in the repository:"; grep -E 'WRONG|wrong|not implemented' "$work/repo.txt" | head -5; }

echo "test_lab: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
