#!/bin/sh
# exercises/check.sh: `make check`, the grader's scoreboard (exercises/grading.hpp tells the story).
#   make check             every exercise (EX=d: one; SEED=N: the inputs of an earlier run; IDIOMA=es)
# 1. Builds exercises/runner, the program that runs the student's code, at -O1 (quick to build).
#    When an exercise's code does not compile, that exercise's regions are put back to their stubs
#    in a copy (build/check/src) and the runner is built from it: the other exercises are still
#    graded, and that one reads "does not compile", with the compiler's first error in its file.
# 2. Runs exercises/judge, which links none of the student's code: one process of the runner per
#    check, each with a time limit, and the verdicts from numbers only. It prints every check and
#    the scoreboard, "(id) title: status", and "N of M exercises ok"; exits 0 only when all are.
# RUNNER_BUILD (the compile command, from the Makefile) and EX come from the environment.
set -u
table=exercises/exercises.def
[ -f "$table" ] || { echo "check: $table is missing"; exit 2; }
[ -x exercises/judge ] || { echo "check: exercises/judge is not built (run make check)"; exit 2; }
ids=$(awk -F'"' '/^EXERCISE\(/ { id = $1; sub(/^EXERCISE\(/, "", id); sub(/, *$/, "", id); printf "%s ", id }' "$table")
only=${EX:-}
if [ -n "$only" ]; then
    case " $ids" in *" $only "*) ;; *) echo "check: no exercise '$only'; EX= takes one of: $ids"; exit 2 ;; esac
fi
build=${RUNNER_BUILD:-${CXX:-c++} -std=c++17 -O1 -ffp-contract=off -fno-math-errno}
work=build/check
mkdir -p "$work"
: >"$work/not_compiling"

# The regions of the student's code: `// BEGIN EXERCISE (x) what` ... `// END EXERCISE` in a lab,
# `// BEGIN SOLUTION (x) what` ... `// END SOLUTION` in the repository.
region_files=$(grep -l -e '// BEGIN EXERCISE (' -e '// BEGIN SOLUTION (' mlp.cpp exercises/*.hpp exercises/*.cpp 2>/dev/null)

# region_of FILE LINE: the exercise whose region holds that line of FILE, or nothing.
region_of() {
    awk -v want="$2" '
        /\/\/ BEGIN (EXERCISE|SOLUTION) \(/ { ex = $0; sub(/^.*BEGIN (EXERCISE|SOLUTION) \(/, "", ex); sub(/\).*$/, "", ex); start = NR }
        /\/\/ END (EXERCISE|SOLUTION)/ { if (start && want > start && want < NR) { print ex; exit } start = 0 }
    ' "$1"
}

# normalize PATH: a path the compiler printed, as the student's folder names it (no a/../, no copy).
normalize() {
    p=${1#./}
    p=${p#"$work"/src/}
    while case $p in *[!/.]*/../*) true ;; *) false ;; esac; do
        p=$(printf '%s' "$p" | sed 's|[^/]*[^./][^/]*/\.\./||')
    done
    printf '%s' "$p"
}

# stub_copy EXERCISES: the sources in $work/src, with those exercises' regions back to stubs.
stub_copy() {
    rm -rf "$work/src"
    mkdir -p "$work/src"
    find . \( -path ./build -o -path ./out -o -path ./.git \) -prune -o \( -name '*.cpp' -o -name '*.hpp' -o -name '*.def' \) -print |
        while IFS= read -r f; do mkdir -p "$work/src/$(dirname "$f")" && cp "$f" "$work/src/$f"; done
    for f in $region_files; do
        awk -v stubbed=" $1 " '
            /\/\/ BEGIN (EXERCISE|SOLUTION) \(/ {
                ex = $0; sub(/^.*BEGIN (EXERCISE|SOLUTION) \(/, "", ex); sub(/\).*$/, "", ex)
                what = $0; sub(/^.*BEGIN (EXERCISE|SOLUTION) \([^)]*\) */, "", what); gsub(/"/, "\\\"", what)
                print
                if (index(stubbed, " " ex " ")) { skip = 1; print "exercise_stub(\"" ex "\", \"" what "\", \"its code does not compile\");" }
                next
            }
            /\/\/ END (EXERCISE|SOLUTION)/ { skip = 0 }
            !skip { print }
        ' "$f" >"$work/src/$f"
    done
}

# try_build SOURCE_DIR: builds exercises/runner; the compiler's messages in $work/build.txt.
try_build() {
    $build -o exercises/runner "$1/exercises/runner.cpp" >"$work/build.txt" 2>&1
}

# Up to date: a runner newer than every source, built from them (not from a stubbed copy).
up_to_date() {
    [ -x exercises/runner ] && [ ! -e "$work/runner_from_copy" ] &&
        [ -z "$(find . \( -path ./build -o -path ./out \) -prune -o \( -name '*.cpp' -o -name '*.hpp' -o -name '*.def' \) -newer exercises/runner -print | head -1)" ]
}

stubbed=""
built=no
if up_to_date || try_build .; then
    built=yes
    rm -f "$work/runner_from_copy"
else
    rm -f exercises/runner
    for attempt in 1 2 3 4 5 6 7 8; do
        first=$(grep -m1 -E '^[^ :]+:[0-9]+:([0-9]+:)? (fatal )?error' "$work/build.txt")
        file=$(normalize "${first%%:*}")
        line=$(printf '%s' "$first" | cut -d: -f2)
        ex=""
        [ -f "$file" ] && ex=$(region_of "$file" "$line")
        case " $stubbed " in *" $ex "*) ex="" ;; esac
        if [ -z "$ex" ]; then
            # Not in a region (a brace left open at its end, say): the first exercise whose code,
            # added to what compiles, breaks the build.
            for candidate in $ids; do
                case " $stubbed " in *" $candidate "*) continue ;; esac
                rest=""
                for other in $ids; do [ "$other" = "$candidate" ] || rest="$rest $other"; done
                stub_copy "$stubbed $rest"
                if ! try_build "$work/src"; then
                    ex=$candidate
                    first=$(grep -m1 -E '^[^ :]+:[0-9]+:([0-9]+:)? (fatal )?error' "$work/build.txt")
                    break
                fi
            done
            [ -n "$ex" ] || break
        fi
        message=$(printf '%s' "$first" | sed 's/^[^:]*:\([0-9]*\):[0-9]*: */\1: /')
        echo "$ex|$(normalize "${first%%:*}"):$message" >>"$work/not_compiling"
        stubbed="$stubbed $ex"
        stub_copy "$stubbed"
        if try_build "$work/src"; then built=yes; touch "$work/runner_from_copy"; break; fi
    done
fi
if [ "$built" != yes ]; then
    echo "check: the code does not compile, and not because of one exercise's code:"
    sed -n '1,12p' "$work/build.txt"
    exit 2
fi

NOT_COMPILING="$work/not_compiling" ./exercises/judge $only
