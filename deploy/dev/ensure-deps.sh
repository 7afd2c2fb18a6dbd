#!/usr/bin/env bash
# Installs what Ferry needs and is missing: Debian packages (as root on Debian) and the npm packages.
# Sourced by start.sh (`source ensure-deps.sh`: what running Ferry needs), test.sh and bench.sh
# (`source ensure-deps.sh test`: the test tools too), so each works as the first command in a fresh
# clone and installs no more than it uses.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
package_lists=("$root/deploy/dev/debian-packages")
[[ "${1:-}" == test ]] && package_lists+=("$root/deploy/dev/debian-packages-test")

ensure_debian_packages() {
  local missing=()
  while read -r pkg cmd; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    # What a package provides: a command, or (for a library package) a path it installs.
    if [[ "$cmd" == /* ]]; then [[ -e "$cmd" ]] || missing+=("$pkg"); continue; fi
    command -v "$cmd" >/dev/null 2>&1 || [[ -x "/usr/sbin/$cmd" ]] || missing+=("$pkg")
  done < <(cat "${package_lists[@]}")
  ((${#missing[@]} == 0)) && return 0
  if [[ -f /etc/debian_version && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "ferry: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "ferry: missing: ${missing[*]}." >&2
    echo "       Install them with your system's package manager (on Debian: sudo apt-get install ${missing[*]})," >&2
    echo "       then run this command again." >&2
    exit 1
  fi
}

ensure_npm_packages() {
  command -v npm >/dev/null || { echo "ferry: npm is missing: install Node.js (any version >= 20 with npm); Ferry brings its own Node 24." >&2; exit 1; }
  # npm 9 (Debian 12's, with its nodejs 18) installs the lock without the platform's native optional
  # packages (the console build's rolldown binding): said here rather than as a failed build later.
  local npm_version
  npm_version="$(npm --version)"
  ((${npm_version%%.*} >= 10)) || { echo "ferry: npm $npm_version is too old (Debian 12's nodejs 18 brings npm 9): install Node.js 20 or later with its npm; Ferry brings its own Node 24." >&2; exit 1; }
  local stamp="$root/node_modules/.ferry-lock-sha256" want
  want="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
  if [[ ! -x "$root/node_modules/.bin/node" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    echo "ferry: installing npm packages (npm ci)"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
  # npm scripts put node_modules/.bin first on PATH; this makes the same true for this shell.
  export PATH="$root/node_modules/.bin:$PATH"
  [[ "$(node -p 'process.versions.node.split(".")[0]')" == 24 ]] || { echo "ferry: expected Node 24 from node_modules/.bin" >&2; exit 1; }
}

# Ferry is deployed and tested on nats-server >= 2.10.23 (sync_interval: always); the tests, npm start
# and the benches start the binary this names.
ensure_nats_server() {
  NATS_SERVER_BIN="$(bash "$root/deploy/dev/nats-server.sh")" || exit 1
  export NATS_SERVER_BIN
}

ensure_debian_packages
ensure_nats_server
ensure_npm_packages
