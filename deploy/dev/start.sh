#!/usr/bin/env bash
# `npm start`: runs Ferry on this machine: NATS with JetStream, then every service there is so far.
# Ctrl-C, or SIGTERM to this script alone, stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/dev/ensure-deps.sh run

# Refuse to start on a bad setting, naming it (.env and the environment).
node libs/config/src/check.ts

state="${FERRY_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/ferry}"
mkdir -p "$state"
pids=()
names=()
nats_pid=""
# Each service runs in a session of its own (npm, its shell, node), stopped as a whole group: so a
# SIGTERM or SIGINT to this script alone (as a supervisor sends) stops them all, as Ctrl-C does.
alive() { for pid in "$@"; do kill -0 -- "-$pid" 2>/dev/null && return 0; done; return 1; }
stop() {
  trap - INT TERM EXIT
  # The services first, so that they finish their work and close their NATS connections; then NATS.
  local groups=("${pids[@]}")
  for pid in "${groups[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  # 30 s to finish (a service waits for its running stages to settle), then no more.
  for _ in $(seq 300); do alive "${groups[@]}" || break; sleep 0.1; done
  for pid in "${groups[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  ((${#groups[@]})) && wait "${groups[@]}" 2>/dev/null || true
  [[ -n "$nats_pid" ]] && kill -TERM "$nats_pid" 2>/dev/null && wait "$nats_pid" 2>/dev/null || true
  echo "ferry: stopped"
}
trap stop INT TERM EXIT

# A setting given in the environment or in .env (FERRY_ENV_FILE when set): the services read both,
# the environment winning.
env_file="${FERRY_ENV_FILE:-.env}"
configured() { [[ -n "${!1:-}" ]] || grep -qE "^[[:space:]]*$1[[:space:]]*=[[:space:]]*[^[:space:]]" "$env_file" 2>/dev/null; }
identities=""
if ! configured NATS_URL; then
  # Ferry's own server, on its own port and store: the machine's NATS (if any) is left alone.
  port="${FERRY_NATS_PORT:-14222}"
  # Each service's own identity and the server's TLS files, made on the first run (nkey seeds and
  # keys readable by this user only); the server's permissions come from identities.ts each time.
  identities="$state/identities"
  node --conditions=ferry-source libs/messaging/src/nats-admin.ts identities "$identities"
  # As deployments run it (deploy/nats/single.conf): an fsync before each acknowledgement, and
  # messages up to 4 MB (a 10,000-VM selection).
  printf 'listen: "127.0.0.1:%s"\nmax_payload: 4MB\njetstream { store_dir: "%s", sync_interval: always }\ninclude "identities/nats-auth.conf"\n' \
    "$port" "$state/nats" >"$state/nats.conf"
  # Its own session: a Ctrl-C reaches the services, and NATS stays up until they have stopped.
  setsid "$NATS_SERVER_BIN" -c "$state/nats.conf" -l "$state/nats.log" &
  nats_pid=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$nats_pid" 2>/dev/null || { echo "ferry: nats-server did not start; see $state/nats.log" >&2; exit 1; }
    sleep 0.1
  done
  export NATS_URL="nats://127.0.0.1:$port" NATS_CA="$identities/ca.pem"
  # Streams are the admin's to make: services may only check them.
  NATS_NKEY="$identities/admin.nk" node --conditions=ferry-source libs/messaging/src/nats-admin.ts provision
  echo "ferry: NATS with JetStream on $NATS_URL (store $state/nats; TLS, an identity per service in $identities)"
  echo "ferry: other systems connect with NATS_NKEY=$identities/client.nk NATS_CA=$NATS_CA"
else
  echo "ferry: using NATS at $(node --input-type=module -e 'import { environment } from "./libs/config/src/load.ts"; process.stdout.write(environment().NATS_URL ?? "")') (NATS_URL)"
fi

# No VMware source configured (environment or .env): a sample Workstation folder of three small VMs
# (made once, real .vmx and VMDK files), so that a first run shows the whole flow in the console.
if ! configured VMWARE_WORKSTATION_PATHS && ! configured VMWARE_ESXI_HOST && ! configured VMWARE_VCENTER_HOST; then
  sample="$state/sample-vms"
  bash deploy/dev/sample-vms.sh "$sample"
  export VMWARE_WORKSTATION_PATHS="$sample"
  echo "ferry: no VMware source configured: discovering the sample VMs in $sample"
fi

# Sign-in is on (DESIGN.md §7). With no OpenID provider configured, a local administrator signs in
# to the console with a password made at the first start (readable by this user only) and printed;
# a key made beside it seals the console's sessions, so a restart keeps people signed in.
admin_password=""
if ! configured OIDC_ISSUER; then
  admin_password="$state/local-admin-password"
  [[ -s "$admin_password" ]] || (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(18).toString("base64url"))' >"$admin_password")
  export GATEWAY_LOCAL_ADMIN_PASSWORD_FILE="$admin_password"
fi
# The gateway's save of its projections belongs to this NATS store: kept beside it.
configured GATEWAY_SNAPSHOT_FILE || export GATEWAY_SNAPSHOT_FILE="$state/gateway/projections.snapshot"
if ! configured GATEWAY_SESSION_SECRET_FILE; then
  [[ -s "$state/session.key" ]] || (umask 077 && head -c 32 /dev/urandom >"$state/session.key")
  export GATEWAY_SESSION_SECRET_FILE="$state/session.key"
fi

# Services run from their build (NestJS needs decorators compiled); Nx builds their libs first. The
# gateway serves the console's build.
NX_NO_CLOUD=true NX_DAEMON=false nx run-many -t build --projects='@ferry/service-*,@ferry/console' --outputStyle=static >/dev/null

# glibc gives each thread that allocates an arena of its own (8 per core) and keeps what they freed:
# two arenas hold a service's resident memory near what it uses (the gateway's at rest, 324 → 233 MiB
# after its bench). The images and the tests run the services the same way.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
started=0
# The workers' metrics listen on METRICS_HOST; every interface includes loopback.
metrics_host="${METRICS_HOST:-127.0.0.1}"
[[ "$metrics_host" == 0.0.0.0 ]] && metrics_host=127.0.0.1
ready=()
for pkg in services/*/package.json; do
  [[ -f "$pkg" ]] || continue
  dir="$(dirname "$pkg")"
  node -e 'process.exit(require("./'"$pkg"'").scripts?.start ? 0 : 1)' || continue
  # From here (not from the service's folder): npm sets INIT_CWD to where it runs, and the services
  # read .env and clouds.yaml from INIT_CWD.
  # Each worker its own metrics port (the gateway serves its metrics on its own port).
  metrics_port=$((${FERRY_METRICS_PORT_BASE:-9464} + started))
  # Each service as its own identity on Ferry's own NATS.
  nkey=()
  [[ -n "$identities" ]] && nkey=(NATS_NKEY="$identities/$(basename "$dir").nk")
  setsid env "${nkey[@]}" METRICS_PORT="$metrics_port" npm --prefix "$dir" run --silent start &
  pids+=($!)
  names+=("$(basename "$dir")")
  # A worker serves its metrics once its consumer exists, so an answer there means it takes commands.
  [[ "$(basename "$dir")" == gateway ]] ||
    ready+=("http://$metrics_host:$metrics_port/metrics")
  started=$((started + 1))
  echo "ferry: started $(basename "$dir") (metrics: http://127.0.0.1:$metrics_port/metrics)"
done
((started == 0)) && echo "ferry: no services exist yet; NATS is up for them"
gateway="http://${GATEWAY_HOST:-127.0.0.1}:${GATEWAY_PORT:-8080}"
ready+=("$gateway/readyz")
# Running once every worker takes commands and the gateway has folded the store: what the console
# shows from then on is whole. A service that stops meanwhile (a port taken, a bad setting) ends the
# start, named: whatever answers on the gateway's port then is not this Ferry.
up=""
deadline=$((SECONDS + 120))
while ((SECONDS < deadline)); do
  for i in "${!pids[@]}"; do
    kill -0 "${pids[$i]}" 2>/dev/null || { echo "ferry: ${names[$i]} stopped while starting: its reason is above, and in its log (LOG_DIR)" >&2; exit 1; }
  done
  node -e 'Promise.all(process.argv.slice(1).map((u) => fetch(u).then((r) => r.ok, () => false))).then((ok) => process.exit(ok.every(Boolean) ? 0 : 1))' "${ready[@]}" && up=1 && break
  sleep 0.25
done
[[ -n "$up" ]] || { echo "ferry: not every service was ready after two minutes (asked: ${ready[*]}); see the log (LOG_DIR)" >&2; exit 1; }
echo "ferry: console at $gateway/, GraphQL at $gateway/api/graphql"
[[ -n "$admin_password" ]] &&
  echo "ferry: sign in to the console as the local administrator, password $(cat "$admin_password") (kept in $admin_password)"
echo "ferry: running; Ctrl-C to stop"
wait -n "${pids[@]}" ${nats_pid:+"$nats_pid"} || true
