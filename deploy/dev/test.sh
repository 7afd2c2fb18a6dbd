#!/usr/bin/env bash
# `npm test`: installs what is missing, type-checks and lints every project, runs every tier of
# every project's tests (unit, int, e2e), and ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
source deploy/dev/ensure-deps.sh || exit 1
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false FORCE_COLOR=${FORCE_COLOR:-0}

rm -rf .reports
failed_steps=()
nx run-many -t typecheck --outputStyle=stream || failed_steps+=(typecheck)
nx run-many -t lint --outputStyle=stream || failed_steps+=(lint)
prettier --check --log-level=warn . || failed_steps+=(format)
for tier in test test:int test:e2e; do
  # One project at a time: integration suites start real servers and the machine has two cores.
  nx run-many -t "$tier" --parallel=1 --outputStyle=stream || failed_steps+=("$tier")
done
node libs/tooling/src/test-summary.ts "${failed_steps[@]}"
