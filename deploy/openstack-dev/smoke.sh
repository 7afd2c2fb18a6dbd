#!/bin/bash
# Smoke test of Ferry's loopback OpenStack (openstack-dev.sh up first), with Debian's `openstack`
# CLI only. Exits non-zero on the first failure; whatever it created is deleted in any case.
#
#   image: a real qcow2 (qemu-img create) uploaded to Glance -> active
#   port with a chosen MAC on "private"; server on that port, m1.tiny, from the image -> ACTIVE
#   volume from the image -> available; that volume uploaded back to Glance (qcow2) -> active
#   server booted from the volume (block device mapping) -> ACTIVE, volume in-use
#   empty volume attached to the first server -> in-use; detached
#   everything deleted, and checked gone
#
# Environment: FERRY_OPENSTACK_STATE (default /var/lib/ferry-openstack), SMOKE_MAC
# (default fa:16:3e:f0:00:01), SMOKE_TIMEOUT per wait in seconds (default 120).
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP VIRTUAL_ENV PYENV_VERSION
for v in $(compgen -e | grep -E '^OS_' || true); do unset "$v"; done
export LC_ALL=C.UTF-8

S="${FERRY_OPENSTACK_STATE:-/var/lib/ferry-openstack}"
MAC="${SMOKE_MAC:-fa:16:3e:f0:00:01}"
TIMEOUT="${SMOKE_TIMEOUT:-120}"
[[ -f "$S/clouds.yaml" ]] || { echo "smoke: no $S/clouds.yaml: run openstack-dev.sh up first" >&2; exit 1; }
export OS_CLIENT_CONFIG_FILE="$S/clouds.yaml" OS_CLOUD=openstack

NAME="ferry-smoke-$$"
TMP=$(mktemp -d)
IMAGE="" IMAGE2="" PORT="" VM1="" VM2="" VOL_IMG="" VOL_EMPTY=""
T0=$(date +%s%N)
STEP_T=$T0
failed=0

osc() { openstack "$@"; }

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
secs() { printf '%d.%d s' $(($1 / 1000)) $((($1 % 1000) / 100)); }
step() { # prints the previous step's time, announces the next
  printf 'smoke: ok  %-58s %s\n' "$CUR" "$(secs "$(ms_since "$STEP_T")")"
  CUR=$1
  STEP_T=$(date +%s%N)
}
CUR="start"
fail() {
  echo "smoke: FAIL $CUR: $*" >&2
  failed=1
  exit 1
}

wait_field() { # KIND ID FIELD WANT [BAD-VALUE-REGEX]: polls `openstack KIND show`
  local kind=$1 id=$2 field=$3 want=$4 bad=${5:-error} deadline v
  deadline=$(($(date +%s) + TIMEOUT))
  while :; do
    v=$(osc "$kind" show "$id" -f value -c "$field" 2>/dev/null || echo "?")
    [[ "$v" == "$want" ]] && return 0
    [[ "$v" =~ ^($bad)$ ]] && fail "$kind $id: $field is $v (wanted $want)"
    (($(date +%s) < deadline)) || fail "$kind $id: $field still $v after ${TIMEOUT}s (wanted $want)"
    sleep 1
  done
}

wait_gone() { # KIND ID
  local deadline=$(($(date +%s) + TIMEOUT))
  while osc "$1" show "$2" -f value -c id >/dev/null 2>&1; do
    (($(date +%s) < deadline)) || fail "$1 $2 still there after ${TIMEOUT}s"
    sleep 1
  done
}

cleanup() {
  local rc=$?
  set +e
  if ((rc != 0 || failed)); then
    echo "smoke: cleaning up after failure" >&2
    [[ -n "$VM1" || -n "$VM2" ]] && osc server delete --wait $VM1 $VM2 >/dev/null 2>&1
    for v in $VOL_IMG $VOL_EMPTY; do osc volume delete --force "$v" >/dev/null 2>&1; done
    [[ -n "$PORT" ]] && osc port delete "$PORT" >/dev/null 2>&1
    for i in $IMAGE $IMAGE2; do osc image delete "$i" >/dev/null 2>&1; done
    echo "smoke: FAILED after $(secs "$(ms_since "$T0")") (logs: $S/log/)" >&2
  fi
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT

step "token"
osc token issue -f value -c id >/dev/null || fail "no token from Keystone"

step "image: upload a 64 MiB qcow2 -> active"
qemu-img create -q -f qcow2 "$TMP/x.qcow2" 64M
IMAGE=$(osc image create --disk-format qcow2 --container-format bare --file "$TMP/x.qcow2" \
  "$NAME-image" -f value -c id) || fail "image create"
wait_field image "$IMAGE" status active "killed|deleted"

step "port with MAC $MAC on private"
PORT=$(osc port create --network private --mac-address "$MAC" "$NAME-port" -f value -c id) ||
  fail "port create"
[[ "$(osc port show "$PORT" -f value -c mac_address)" == "$MAC" ]] || fail "port MAC is not $MAC"

step "server on that port, m1.tiny, from the image -> ACTIVE"
VM1=$(osc server create --flavor m1.tiny --image "$IMAGE" --port "$PORT" "$NAME-vm1" \
  -f value -c id) || fail "server create"
wait_field server "$VM1" status ACTIVE ERROR
addr=$(osc server show "$VM1" -f json -c addresses)
grep -q '10\.0\.0\.' <<<"$addr" || fail "server has no 10.0.0.x address: $addr"
port=$(osc port show "$PORT" -f json)
[[ "$(jq -r .status <<<"$port")" == ACTIVE ]] || fail "port is not ACTIVE: $port"
[[ "$(jq -r .device_id <<<"$port")" == "$VM1" ]] || fail "port not bound to the server: $port"
[[ "$(jq -r '.mac_address' <<<"$port")" == "$MAC" ]] || fail "port lost its MAC: $port"

step "volume from the image -> available"
VOL_IMG=$(osc volume create --image "$IMAGE" --size 1 "$NAME-vol-image" -f value -c id) ||
  fail "volume create --image"
wait_field volume "$VOL_IMG" status available "error"
[[ "$(osc volume show "$VOL_IMG" -f value -c bootable)" == true ]] || fail "volume is not bootable"

step "volume -> image (qcow2) -> active"
IMAGE2=$(osc image create --volume "$VOL_IMG" --disk-format qcow2 --container-format bare \
  "$NAME-image-from-volume" -f value -c image_id) || fail "image create --volume"
wait_field image "$IMAGE2" status active "killed|deleted"
wait_field volume "$VOL_IMG" status available "error"

step "server booted from that volume (BDM) -> ACTIVE"
VM2=$(osc server create --flavor m1.tiny --volume "$VOL_IMG" --network private "$NAME-vm2" \
  -f value -c id) || fail "server create --volume"
wait_field server "$VM2" status ACTIVE ERROR
wait_field volume "$VOL_IMG" status in-use "error"

step "empty volume attached to the first server -> in-use"
VOL_EMPTY=$(osc volume create --size 2 "$NAME-vol-empty" -f value -c id) || fail "volume create"
wait_field volume "$VOL_EMPTY" status available "error"
osc server add volume "$VM1" "$VOL_EMPTY" >/dev/null || fail "server add volume"
wait_field volume "$VOL_EMPTY" status in-use "error|error_attaching"

step "detach it -> available"
osc server remove volume "$VM1" "$VOL_EMPTY" || fail "server remove volume"
wait_field volume "$VOL_EMPTY" status available "error|error_detaching"

step "delete both servers"
osc server delete "$VM1" "$VM2" || fail "server delete"
wait_gone server "$VM1"
wait_gone server "$VM2"
VM1="" VM2=""

step "delete volumes, port, images"
wait_field volume "$VOL_IMG" status available "error|error_detaching"
osc volume delete "$VOL_IMG" "$VOL_EMPTY" || fail "volume delete"
osc port delete "$PORT" || fail "port delete"
osc image delete "$IMAGE" "$IMAGE2" || fail "image delete"
wait_gone volume "$VOL_IMG"
wait_gone volume "$VOL_EMPTY"
wait_gone port "$PORT"
VOL_IMG="" VOL_EMPTY="" PORT="" IMAGE="" IMAGE2=""

step "done"
echo "smoke: all checks passed in $(secs "$(ms_since "$T0")")"
