#!/usr/bin/env bash
# bench.sh starts the real counterparts and runs the Go benchmarks, the TokenReview
# load test and the several-replicas benchmark; see BENCHMARKS.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
scripts/services.sh
# shellcheck disable=SC1091
. "${KAAS_STATE_DIR:-$ROOT/.state}/test-env.sh"
go test -run '^$' -bench . -benchmem ./tokens/ ./webhook/
go run ./cmd/kaas-loadtest "$@"
go run ./cmd/kaas-replicabench
