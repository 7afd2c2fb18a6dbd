#!/usr/bin/env bash
# `npm run bench -- <name>`: installs what is missing, then runs the named benchmarks (see libs/bench).
# A bench that needs the loopback OpenStack (upload) starts it; one that started it stops it when it
# ends, unless FERRY_KEEP_OPENSTACK=1 asks to keep it. One running already is left running.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/dev/ensure-deps.sh test >&2
openstack_dev=deploy/openstack-dev/openstack-dev.sh
if [[ " $* " == *" upload "* && "${FERRY_KEEP_OPENSTACK:-}" != 1 ]] &&
  ! bash "$openstack_dev" status >/dev/null 2>&1; then
  trap 'bash "$openstack_dev" down >/dev/null 2>&1' EXIT
fi
node --conditions=ferry-source libs/bench/src/main.ts "$@"
