#!/usr/bin/env bash
# soak.sh starts the real counterparts, builds the panel and keeps it under mixed load for
# ten minutes (cmd/kaas-soak; flags pass through, e.g. `scripts/soak.sh -duration 1m`).
# It fails on any failed request or when the panel's RSS grew more than 10%; see
# BENCHMARKS.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
scripts/services.sh
# shellcheck disable=SC1091
. "${KAAS_STATE_DIR:-$ROOT/.state}/test-env.sh"
go build -o bin/kaas .
go run ./cmd/kaas-soak -bin bin/kaas "$@"
