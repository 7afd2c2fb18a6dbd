#!/bin/sh
# Renders the seed's nginx layout (deploy/nginx/ferry.conf, its one source) to standard output:
#   render-nginx.sh <template> <listen> <gateway host:port> <console dir>
# Used by the `web` image (deploy/docker/Dockerfile) and by the CI check that runs `nginx -t` on
# the result (libs/tooling/src/deploy-configs.int.spec.ts).
set -eu
[ "$#" -eq 4 ] || { echo "usage: $0 <template> <listen> <gateway> <console-dir>" >&2; exit 2; }
out=$(sed -e "s|@LISTEN@|$2|g" -e "s|@GATEWAY@|$3|g" -e "s|@CONSOLE_DIR@|$4|g" "$1")
if printf '%s\n' "$out" | grep -v '^[[:space:]]*#' | grep -q '@[A-Z_]*@'; then
  echo "$0: $1 has a placeholder this script does not know" >&2
  exit 1
fi
printf '%s\n' "$out"
