#!/usr/bin/env bash
# `npm run bench -- <name>`: installs what is missing, then runs the named benchmarks (see libs/bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/dev/ensure-deps.sh >&2
exec node --conditions=ferry-source libs/bench/src/main.ts "$@"
