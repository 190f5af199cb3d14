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

summary=()
for t in "${TARGETS[@]}"; do
  read -r pkg name <<<"$t"
  if [[ $# -gt 0 && " $* " != *" $name "* ]]; then
    continue
  fi
  echo "== fuzz: $name ($pkg, $FUZZTIME)" >&2
  log=$(mktemp)
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$pkg" 2>&1 | tee "$log"; then
    rm -f "$log"
    echo "== fuzz: $name found a failure: see the input written under $pkg/testdata/fuzz/$name" >&2
    exit 1
  fi
  # The last progress line carries the totals: "fuzz: elapsed: 10s, execs: 12345 (…/sec), …".
  last=$(grep -E '^fuzz: elapsed: [0-9]+s, execs: [0-9]+' "$log" | tail -1 || true)
  rm -f "$log"
  secs=$(sed -nE 's/^fuzz: elapsed: ([0-9]+)s.*/\1/p' <<<"$last")
  execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
  if [[ -n $secs && -n $execs && $secs -gt 0 ]]; then
    summary+=("$(printf '%-22s %10d execs in %4ds  %8d/s' "$name" "$execs" "$secs" $((execs / secs)))")
  else
    summary+=("$(printf '%-22s the corpus only: the baseline took the whole %s' "$name" "$FUZZTIME")")
  fi
done
echo "== fuzz: executions per target" >&2
printf '%s\n' "${summary[@]}" >&2
