#!/usr/bin/env bash
# fuzz.sh runs every fuzz target for FUZZTIME each (default 10s: the budget make test
# gives them, so a new crash fails CI). A crash fails the run and leaves its input in
# <package>/testdata/fuzz/<FuzzName>/: commit it with the fix, it then runs as a regression
# test in every `go test`. Longer runs: `make fuzz FUZZTIME=5m`. Arguments, if any, name
# the targets to run (scripts/fuzz.sh FuzzTokenReview FuzzParse).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
FUZZTIME=${FUZZTIME:-10s}
# Minimizing each new interesting input can take the whole budget of a slow target.
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-5s}

# package target: one go test invocation per target (go test fuzzes one target at a time).
TARGETS=(
  "./webhook FuzzTokenReview"
  "./webhook FuzzDecodeReview"
  "./tokens FuzzParse"
  "./tokens FuzzCreateToken"
  "./kube FuzzAdoptKubeconfig"
  "./models FuzzClusterInputs"
  "./rbac FuzzBindings"
  "./jobs FuzzJobReplay"
)

# fuzz_once PKG NAME LOG fuzzes one target for FUZZTIME, its output shown and kept in LOG.
# When it fails, FINDING names what fails again as a plain test (the input it wrote, or
# the seeds and committed corpus), or is empty: no such input (one that passes on its own
# is removed).
fuzz_once() {
  local pkg=$1 name=$2 log=$3 dir="$1/testdata/fuzz/$2" before f
  FINDING=
  before=$(ls "$dir" 2>/dev/null || true)
  if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$pkg" 2>&1 | tee "$log"; then
    return 0
  fi
  for f in $(ls "$dir" 2>/dev/null || true); do
    if grep -qxF "$f" <<<"$before"; then
      continue
    fi
    if go test -count=1 -run "^${name}/${f}\$" "$pkg" >&2; then
      echo "== fuzz: $dir/$f passes on its own: removed" >&2
      rm -f "$dir/$f"
    else
      FINDING="$dir/$f"
    fi
  done
  # No new input fails: the seeds and the committed corpus may (they run first).
  if [[ -z $FINDING ]] && ! go test -count=1 -run "^${name}\$" "$pkg" >&2; then
    FINDING="$dir (the seeds or the committed corpus)"
  fi
  return 1
}

# fail ends the run with a reason about the target being fuzzed ($name, its log $log).
fail() {
  rm -f "$log"
  echo "== fuzz: $name $1" >&2
  exit 1
}

summary=()
for t in "${TARGETS[@]}"; do
  read -r pkg name <<<"$t"
  if [[ $# -gt 0 && " $* " != *" $name "* ]]; then
    continue
  fi
  echo "== fuzz: $name ($pkg, $FUZZTIME)" >&2
  log=$(mktemp)
  tries=0
  while ! fuzz_once "$pkg" "$name" "$log"; do
    # A finding is an input that fails when run again as a plain test. The engine also
    # fails now and then on its own: "fuzzing process hung or terminated unexpectedly"
    # under load, with an input that passes on its own (golang/go#56238, #52569), or
    # "context deadline exceeded" at the end of the run with no input at all. That
    # is said, its input dropped and the target run once more; a second such failure, or
    # a target's own failure that does not repeat, fails the run.
    [[ -z $FINDING ]] || fail "found a failure: $FINDING (go test -run '^$name' $pkg runs it)"
    if grep -q 'Failing input written' "$log" && ! grep -qE 'fuzzing process (hung|terminated)' "$log"; then
      fail "failed on an input that passes on its own: the target is not deterministic"
    fi
    tries=$((tries + 1))
    ((tries < 2)) || fail "failed twice in the fuzzing engine without a failing input"
    echo "== fuzz: $name: the fuzzing engine failed without an input that fails on its own; running it again" >&2
  done
  # The last progress line carries the totals: "fuzz: elapsed: 10s, execs: 12345 (…/sec), …"
  # (past a minute the time reads "1m15s", past an hour "1h0m3s").
  last=$(grep -E '^fuzz: elapsed: ([0-9]+h)?([0-9]+m)?[0-9]+s, execs: [0-9]+' "$log" | tail -1 || true)
  rm -f "$log"
  secs=$(sed -nE 's/^fuzz: elapsed: (([0-9]+)h)?(([0-9]+)m)?([0-9]+)s,.*/\2:\4:\5/p' <<<"$last" |
    awk -F: 'NF { print ($1 + 0) * 3600 + ($2 + 0) * 60 + $3 }' || true)
  execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
  if [[ -n $secs && -n $execs && $secs -gt 0 ]]; then
    summary+=("$(printf '%-22s %10d execs in %4ds  %8d/s' "$name" "$execs" "$secs" $((execs / secs)))")
  else
    summary+=("$(printf '%-22s the corpus only: the baseline took the whole %s' "$name" "$FUZZTIME")")
  fi
done
echo "== fuzz: executions per target" >&2
printf '%s\n' "${summary[@]}" >&2
