#!/usr/bin/env bash
# Prints the path of a nats-server >= 2.10.23, the version Ferry is deployed and tested on
# (`sync_interval: always`; 2.10.20-2.10.22 lose streams on a crash). Where the machine's own
# nats-server is older (Debian 12 has 2.9.10), the package of Debian's next release is fetched from
# the same archive with a private apt state and unpacked beside it, leaving the system's apt alone.
#   deploy/dev/nats-server.sh            the binary's path (installed first if missing)
set -euo pipefail

MIN_VERSION=2.10.23
SUITE=trixie

version_of() { "$1" --version 2>/dev/null | sed -n 's/^nats-server: v\([0-9.]*\).*/\1/p'; }
new_enough() { [[ -n "$1" ]] && printf '%s\n%s\n' "$MIN_VERSION" "$1" | sort -V -C; }

if [[ $(id -u) -eq 0 ]]; then tools="${FERRY_TOOLS_DIR:-/usr/local/lib/ferry}"; else
  tools="${FERRY_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ferry/tools}"
fi
installed="$tools/nats-server/nats-server"

for candidate in "${NATS_SERVER_BIN:-}" "$installed" "$(command -v nats-server || true)" /usr/sbin/nats-server; do
  [[ -n "$candidate" && -x "$candidate" ]] || continue
  if new_enough "$(version_of "$candidate")"; then echo "$candidate"; exit 0; fi
done

command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || {
  echo "ferry: nats-server >= $MIN_VERSION is needed; install it and set NATS_SERVER_BIN to its path" >&2
  exit 1
}
# The mirror the machine's apt already uses, with the next release's suite.
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
  sed -nE 's/^(deb|URIs:)[[:space:]]+(\[[^]]*\][[:space:]]+)?(https?:\/\/[^[:space:]]+\/debian)\/?([[:space:]].*)?$/\3/p' |
  head -n 1 || true)
mirror="${mirror:-http://deb.debian.org/debian}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb ${mirror%/} $SUITE main" >"$work/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1
  -o APT::Sandbox::User=root -qq)
echo "ferry: fetching nats-server from Debian $SUITE ($mirror): the machine's is older than $MIN_VERSION" >&2
apt-get "${apt_opts[@]}" update >&2
(cd "$work" && apt-get "${apt_opts[@]}" download nats-server >&2)
dpkg-deb -x "$work"/nats-server_*.deb "$work/root"
version=$(version_of "$work/root/usr/sbin/nats-server")
new_enough "$version" || { echo "ferry: Debian $SUITE has nats-server $version, older than $MIN_VERSION" >&2; exit 1; }
mkdir -p "$tools/nats-server-$version"
install -m 0755 "$work/root/usr/sbin/nats-server" "$tools/nats-server-$version/nats-server"
ln -sfn "nats-server-$version" "$tools/nats-server"
echo "ferry: nats-server $version installed in $tools/nats-server-$version" >&2
echo "$installed"
