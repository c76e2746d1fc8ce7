#!/bin/sh
# tests/run.sh: `make test`'s runner. Runs every test given (a command each), whatever happens to
# the ones before it, then prints which passed and which failed; exits 1 if any failed.
# FAIL_FAST=1 (what `make mutants` sets, where only whether make test fails matters) stops at the
# first failure instead.
#   sh tests/run.sh "COMMAND" ...
set -u
# The tests that run make (the lab's) start makes of their own: they cannot share this make's job
# slots, which its MAKEFLAGS would offer them (make warns "jobserver unavailable"), so it is removed.
MAKEFLAGS=$(printf '%s' "${MAKEFLAGS:-}" | sed 's/--jobserver-[a-z]*=[^ ]*//g')
export MAKEFLAGS
passed=0
failed=""
for t in "$@"; do
    echo "=== $t"
    start=$(date +%s)
    if sh -c "$t"; then passed=$((passed + 1)); else failed="$failed
  FAILED: $t"; [ "${FAIL_FAST:-0}" = 1 ] && break; fi
    echo "=== $t: $(($(date +%s) - start)) s"
done
echo
if [ -z "$failed" ]; then
    echo "make test: all $passed tests passed"
else
    echo "make test: $passed of $# tests passed$failed"
    exit 1
fi
