#!/usr/bin/env bash
# `npm test`: installs what is missing, type-checks and lints every project, runs every tier of
# every project's tests (unit, int, e2e), and ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
source deploy/dev/ensure-deps.sh test || exit 1
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false FORCE_COLOR=${FORCE_COLOR:-0}

rm -rf .reports
failed_steps=()

# The loopback OpenStack the integration suites use (deploy/openstack-dev): started once for the
# whole run, in the background while the checks run, and stopped at the end unless it was already up.
openstack_dev=deploy/openstack-dev/openstack-dev.sh
openstack_log="${TMPDIR:-/tmp}/ferry-openstack-up.log"
if bash "$openstack_dev" status >/dev/null 2>&1; then
  openstack_pid=""
else
  bash "$openstack_dev" up >"$openstack_log" 2>&1 &
  openstack_pid=$!
  trap 'bash "$openstack_dev" down >/dev/null 2>&1' EXIT
fi
nx run-many -t typecheck --outputStyle=stream || failed_steps+=(typecheck)
nx run-many -t lint --outputStyle=stream || failed_steps+=(lint)
prettier --check --log-level=warn . || failed_steps+=(format)
nx run-many -t test --parallel=1 --outputStyle=stream || failed_steps+=(test)
if [[ -n "$openstack_pid" ]] && ! wait "$openstack_pid"; then
  echo "ferry: the loopback OpenStack did not start; the end of $openstack_log:" >&2
  tail -n 40 "$openstack_log" >&2
  failed_steps+=(openstack-up)
elif [[ -n "$openstack_pid" ]]; then
  rm -f "$openstack_log" # it started: its log has nothing to tell
fi
for tier in test:int test:e2e; do
  # One project at a time: integration suites start real servers and the machine has two cores.
  nx run-many -t "$tier" --parallel=1 --outputStyle=stream || failed_steps+=("$tier")
done
node libs/tooling/src/test-summary.ts "${failed_steps[@]}"
