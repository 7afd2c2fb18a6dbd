#!/bin/bash
# Ferry's loopback OpenStack for integration tests: real Keystone, Glance, Placement, Nova (fake
# virt driver, and a second host with the libvirt driver running real guests under QEMU in zone
# "libvirt"), Neutron (ML2, no agents) and Cinder (file-backed volumes), from Debian 12's
# packages, every listener on 127.0.0.1. See README.md beside this file.
# FERRY_OPENSTACK_LIBVIRT=0 leaves the libvirt host out.
#
#   openstack-dev.sh up            install what is missing, start everything, wait until healthy
#   openstack-dev.sh status        one line per service; exit 0 only when all are healthy
#   openstack-dev.sh down [--wipe] stop what `up` started (by recorded PIDs); --wipe also drops the
#                                  databases, the RabbitMQ vhost and the state directory
#
# State, configs, logs and pidfiles: ${FERRY_OPENSTACK_STATE:-/var/lib/ferry-openstack}.
# Credentials afterwards: $STATE/clouds.yaml (cloud "openstack") and $STATE/openrc.
set -euo pipefail
set +m
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# A pyenv or virtualenv Python must not leak into Debian's OpenStack.
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP VIRTUAL_ENV PYENV_VERSION
for v in $(compgen -e | grep -E '^OS_' || true); do unset "$v"; done
export LC_ALL=C.UTF-8

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
S="${FERRY_OPENSTACK_STATE:-/var/lib/ferry-openstack}"
PY=/usr/bin/python3
HOSTNAME_OS=ferry-openstack
MYSQL_PORT="${FERRY_OPENSTACK_MYSQL_PORT:-3306}"
RABBIT_PORT="${FERRY_OPENSTACK_RABBIT_PORT:-5672}"
DB_USER=ferryos
DB_PASS=ferryos
DB_PREFIX=ferryos_
DATABASES=(keystone glance placement nova_api nova nova_cell0 neutron cinder)
VHOST=ferry_openstack
ADMIN_PASSWORD=secret
KS=http://127.0.0.1:5000/v3

PACKAGES=(python3-keystone python3-glance python3-nova python3-placement python3-neutron
  python3-cinder uwsgi-core uwsgi-plugin-python3 python3-pymysql qemu-utils
  python3-openstackclient curl jq)
LIBVIRT="${FERRY_OPENSTACK_LIBVIRT:-1}"
LIBVIRT_HOST=ferry-libvirt
# libvirt as libraries only: libvirt-daemon-system would add systemd units, a NAT network and
# iptables. privsep starts its helpers through sudo.
LIBVIRT_PACKAGES=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients python3-libvirt
  qemu-system-x86 sudo)
VIRSH=(virsh -q -c qemu:///system)

# name | port | health path  (HTTP services)
HTTP_SERVICES=(
  "keystone|5000|/v3"
  "glance-api|9292|/healthcheck"
  "placement-api|8778|/"
  "nova-api|8774|/"
  "neutron-server|9696|/"
  "cinder-api|8776|/healthcheck"
)
DAEMONS=(nova-conductor nova-scheduler nova-compute cinder-scheduler cinder-volume)
# virtlogd and libvirtd are ours too (no systemd here); nova-compute-libvirt is a second nova-compute.
[[ "$LIBVIRT" == 1 ]] && DAEMONS+=(nova-compute-libvirt)
ALL_SERVICES=(keystone glance-api placement-api nova-api neutron-server cinder-api "${DAEMONS[@]}")
[[ "$LIBVIRT" == 1 ]] && ALL_SERVICES+=(virtlogd libvirtd)

say() { printf 'ferry-openstack: %s\n' "$*"; }
die() { printf 'ferry-openstack: error: %s\n' "$*" >&2; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
fmt_ms() { printf '%d.%d s' $(($1 / 1000)) $((($1 % 1000) / 100)); }

T_START=$(now_ms)
PHASE=""
PHASE_T=0
phase() { # phase NAME: ends the previous phase (printing its time) and starts NAME
  local t
  t=$(now_ms)
  if [[ -n "$PHASE" ]]; then
    say "$(printf '%-26s %s' "$PHASE" "$(fmt_ms $((t - PHASE_T)))")"
    [[ -d "$S/log" ]] && printf '%s %s %d\n' "$(date -Is)" "$PHASE" $((t - PHASE_T)) >>"$S/log/timings.log"
  fi
  PHASE="${1:-}"
  PHASE_T=$t
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

http_code() { # URL -> HTTP status, 000 when nothing answers
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true
}

http_ok() { local c; c=$(http_code "$1"); [[ "$c" =~ ^[23] ]]; }

# ---------------------------------------------------------------------------------------------
# processes: each service runs in its own session/process group; "PID STARTTIME" is recorded in
# $S/run/NAME.pid. The start time (from /proc/PID/stat) tells a reused PID from ours; the
# environment cannot, because setproctitle (neutron-server) overwrites it.

proc_starttime() { # PID -> its start time in clock ticks since boot; fails for a zombie
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  [[ "$1" != Z ]] || return 1
  echo "${20}"
}

pid_of() { # NAME -> prints the PID when that service of this state dir is alive
  local f="$S/run/$1.pid" pid start now
  [[ -f "$f" ]] || return 1
  read -r pid start <"$f" || true
  [[ "$pid" =~ ^[0-9]+$ && -n "$start" ]] || return 1
  now=$(proc_starttime "$pid") || return 1
  [[ "$now" == "$start" ]] || return 1
  echo "$pid"
}

alive() { pid_of "$1" >/dev/null; }

start_svc() { # NAME [VAR=value ...] COMMAND [ARGS...]
  local name=$1
  shift
  if alive "$name"; then return 0; fi
  mkdir -p "$S/run" "$S/log"
  printf '\n===== %s start\n' "$(date -Is)" >>"$S/log/$name.log"
  # setsid execs env, which execs the service: $! is the service's PID and process group.
  # 9>&-: the service must not inherit (and so hold forever) the lock of this script.
  setsid env FERRY_OPENSTACK_STATE="$S" FERRY_OPENSTACK_SERVICE="$name" PYTHONPATH="$S/pylib" \
    "$@" </dev/null >>"$S/log/$name.log" 2>&1 9>&- &
  local pid=$!
  echo "$pid $(proc_starttime "$pid")" >"$S/run/$name.pid"
}

start_uwsgi() { # NAME PORT WSGI-FILE THREADS [VAR=value ...]
  local name=$1 port=$2 file=$3 threads=$4
  shift 4
  # Connection: close -- uwsgi's plain --http-socket does not keep connections alive but does not
  # say so; keystoneauth clients then reuse a closed connection (RemoteDisconnected).
  # No --master: one process that loads the app and serves (a master would hold a second copy of
  # the app, ~60 MiB each); --need-app makes it exit when the app does not load.
  start_svc "$name" "$@" /usr/bin/uwsgi-core --plugin python3 \
    --http-socket "127.0.0.1:$port" --wsgi-file "$S/wsgi/$file" \
    --processes 1 --threads "$threads" --enable-threads \
    --die-on-term --need-app --buffer-size 65535 --add-header "Connection: close" \
    --disable-logging
}

UWSGI_SERVICES=" keystone placement-api nova-api cinder-api "

stop_pidfile() { # NAME: signals its process group; remembers the pid for the wait
  local name=$1 pid sig=TERM
  # uwsgi: SIGINT stops at once; on SIGTERM it waits for the app's threads (cinder-api's RPC
  # ones never end).
  [[ "$UWSGI_SERVICES" == *" $name "* ]] && sig=INT
  if pid=$(pid_of "$name"); then
    kill "-$sig" -- "-$pid" 2>/dev/null || kill "-$sig" "$pid" 2>/dev/null || true
    STOPPING+=("$name:$pid")
  else
    rm -f "$S/run/$name.pid"
  fi
}

wait_stopped() { # waits up to $1 s for the TERMed groups, then KILLs what is left
  local deadline=$(($(date +%s) + $1)) entry name pid left
  while :; do
    left=0
    for entry in "${STOPPING[@]}"; do
      pid=${entry#*:}
      if kill -0 -- "-$pid" 2>/dev/null; then left=1; fi
    done
    ((left == 0)) && break
    if (($(date +%s) >= deadline)); then
      for entry in "${STOPPING[@]}"; do
        name=${entry%%:*} pid=${entry#*:}
        if kill -0 -- "-$pid" 2>/dev/null; then
          say "$name did not stop in time: SIGKILL to process group $pid"
          kill -KILL -- "-$pid" 2>/dev/null || true
        fi
      done
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  for entry in "${STOPPING[@]}"; do rm -f "$S/run/${entry%%:*}.pid"; done
  STOPPING=()
}

# ---------------------------------------------------------------------------------------------
# packages

missing_packages() { # prints the packages of "$@" that are not installed
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || echo "$p"
  done
}

apt_install() {
  [[ $# -gt 0 ]] || return 0
  [[ $(id -u) -eq 0 ]] || die "must run as root to install: $*"
  say "installing: $*"
  export DEBIAN_FRONTEND=noninteractive
  # Update the lists only when apt does not know a package (or they are older than a day).
  if ! apt-cache show "$@" >/dev/null 2>&1 ||
    [[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]]; then
    apt-get update -qq
  fi
  apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold "$@" >>"$S/log/apt.log" 2>&1 ||
    { tail -20 "$S/log/apt.log" >&2; die "apt-get install failed (log: $S/log/apt.log)"; }
}

# ---------------------------------------------------------------------------------------------
# MariaDB and RabbitMQ: the machine's own when they answer on 127.0.0.1, else ours under $S.

MYSQL=()
ensure_mariadb() {
  if ! port_open "$MYSQL_PORT"; then
    local m
    m=$(missing_packages mariadb-server)
    [[ -z "$m" ]] || apt_install mariadb-server
    mkdir -p "$S/mysql" "$S/run"
    if [[ ! -d "$S/mysql/data/mysql" ]]; then
      say "no MariaDB on 127.0.0.1:$MYSQL_PORT: initialising our own in $S/mysql/data"
      mariadb-install-db --no-defaults --datadir="$S/mysql/data" --user=root \
        --auth-root-authentication-method=normal --skip-test-db >>"$S/log/mariadb.log" 2>&1 ||
        die "mariadb-install-db failed (log: $S/log/mariadb.log)"
    fi
    touch "$S/mysql/own"
    # Flushing and the doublewrite buffer off: a test database, syncs 3-4x faster.
    start_svc mariadb /usr/sbin/mariadbd --no-defaults --datadir="$S/mysql/data" --user=root \
      --bind-address=127.0.0.1 --port="$MYSQL_PORT" --socket="$S/run/mysqld.sock" \
      --pid-file="$S/run/mysqld.pid.mariadb" --skip-log-bin --innodb-flush-log-at-trx-commit=0 \
      --innodb-doublewrite=0 --innodb-buffer-pool-size=128M --max-connections=500 \
      --log-error="$S/log/mariadb.err"
    local i
    for i in $(seq 300); do port_open "$MYSQL_PORT" && break; alive mariadb || break; sleep 0.1; done
    port_open "$MYSQL_PORT" || die "our MariaDB did not start (log: $S/log/mariadb.err)"
  fi
  command -v mysql >/dev/null || apt_install mariadb-client
  MYSQL=(mysql --protocol=tcp -h 127.0.0.1 -P "$MYSQL_PORT" -u root --batch --skip-column-names)
  "${MYSQL[@]}" -e 'SELECT 1' >/dev/null 2>&1 ||
    die "MariaDB on 127.0.0.1:$MYSQL_PORT does not let root in without a password"
}

RABBITMQCTL=()
ensure_rabbitmq() {
  if port_open "$RABBIT_PORT"; then
    if [[ -f "$S/rabbitmq/own" ]] && alive rabbitmq; then
      RABBITMQCTL=(env HOME="$S/rabbitmq" RABBITMQ_NODENAME=ferryos@localhost
        /usr/lib/rabbitmq/bin/rabbitmqctl)
    else
      RABBITMQCTL=(rabbitmqctl)
    fi
    return 0
  fi
  local m
  m=$(missing_packages rabbitmq-server)
  [[ -z "$m" ]] || apt_install rabbitmq-server
  say "no RabbitMQ on 127.0.0.1:$RABBIT_PORT: starting our own in $S/rabbitmq"
  mkdir -p "$S/rabbitmq/mnesia" "$S/log/rabbitmq"
  touch "$S/rabbitmq/own"
  echo '[].' >"$S/rabbitmq/enabled_plugins"
  # epmd: ours, bound to loopback and under a pidfile, unless one already runs.
  if ! port_open 4369; then
    start_svc epmd /usr/bin/epmd -address 127.0.0.1
    local i
    for i in $(seq 50); do port_open 4369 && break; sleep 0.1; done
  fi
  start_svc rabbitmq HOME="$S/rabbitmq" RABBITMQ_NODENAME=ferryos@localhost \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RABBIT_PORT" \
    RABBITMQ_DIST_PORT=$((RABBIT_PORT + 20000)) RABBITMQ_MNESIA_BASE="$S/rabbitmq/mnesia" \
    RABBITMQ_LOG_BASE="$S/log/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$S/rabbitmq/enabled_plugins" \
    RABBITMQ_CONFIG_FILE="$S/rabbitmq/rabbitmq" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    /usr/lib/rabbitmq/bin/rabbitmq-server
  RABBITMQCTL=(env HOME="$S/rabbitmq" RABBITMQ_NODENAME=ferryos@localhost
    /usr/lib/rabbitmq/bin/rabbitmqctl)
  local i
  for i in $(seq 600); do port_open "$RABBIT_PORT" && break; alive rabbitmq || break; sleep 0.1; done
  port_open "$RABBIT_PORT" || die "our RabbitMQ did not start (logs: $S/log/rabbitmq*)"
}

ensure_vhost() {
  local vhosts
  if ! vhosts=$("${RABBITMQCTL[@]}" -q list_vhosts 2>/dev/null); then
    say "warning: rabbitmqctl cannot reach the broker: using vhost / instead of $VHOST"
    VHOST=""
    return 0
  fi
  if ! grep -qxF "$VHOST" <<<"$vhosts"; then
    "${RABBITMQCTL[@]}" -q add_vhost "$VHOST" >/dev/null
    "${RABBITMQCTL[@]}" -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
    say "RabbitMQ vhost $VHOST created"
  fi
}

ensure_databases() {
  local sql="" db
  for db in "${DATABASES[@]}"; do
    sql+="CREATE DATABASE IF NOT EXISTS \`${DB_PREFIX}${db}\` CHARACTER SET utf8mb3;"
  done
  for h in 127.0.0.1 localhost; do
    sql+="CREATE USER IF NOT EXISTS '$DB_USER'@'$h' IDENTIFIED BY '$DB_PASS';"
    sql+="GRANT ALL PRIVILEGES ON \`${DB_PREFIX//_/\\_}%\`.* TO '$DB_USER'@'$h';"
  done
  "${MYSQL[@]}" -e "$sql"
}

# ---------------------------------------------------------------------------------------------
# configuration

render() { # TEMPLATE DEST: fills @NAME@ placeholders from the R_NAME environment variables
  "$PY" - "$1" "$2" <<'EOF'
import os, re, sys
src, dst = sys.argv[1], sys.argv[2]
text = open(src).read()
def sub(m):
    key = 'R_' + m.group(1)
    if key not in os.environ:
        sys.exit(f'render: {src}: no value for @{m.group(1)}@')
    return os.environ[key]
text = re.sub(r'@([A-Z_]+)@', sub, text)
tmp = dst + '.tmp'
with open(tmp, 'w') as f:
    f.write(text)
os.replace(tmp, dst)
EOF
}

write_configs() {
  local e="$S/etc"
  mkdir -p "$e"/{keystone,glance,placement,nova,neutron,cinder} "$S"/{bin,wsgi,log,run,lock} \
    "$S"/lock/{glance,nova,neutron,cinder} "$S"/keystone "$S"/glance/{images,staging,image-cache} \
    "$S"/nova/instances "$S"/nova-libvirt/instances "$S"/lock/nova-libvirt "$S"/neutron "$S"/cinder/{volumes,conversion}
  local ksauth
  ksauth="auth_type = password
auth_url = $KS
project_domain_name = Default
user_domain_name = Default
project_name = admin
username = admin
password = $ADMIN_PASSWORD
region_name = RegionOne"
  export R_STATE="$S" R_HOST="$HOSTNAME_OS" R_DEBUG="${FERRY_OPENSTACK_DEBUG:-false}" \
    R_DB="mysql+pymysql://$DB_USER:$DB_PASS@127.0.0.1:$MYSQL_PORT" \
    R_TRANSPORT="rabbit://guest:guest@127.0.0.1:$RABBIT_PORT/$VHOST" \
    R_KSAUTH="$ksauth" R_AUTHTOKEN="www_authenticate_uri = $KS
$ksauth"
  local t="$HERE/etc"
  render "$t/keystone.conf" "$e/keystone/keystone.conf"
  render "$t/glance-api.conf" "$e/glance/glance-api.conf"
  render "$t/glance-api-paste.ini" "$e/glance/glance-api-paste.ini"
  render "$t/glance-policy.yaml" "$e/glance/policy.yaml"
  render "$t/placement.conf" "$e/placement/placement.conf"
  render "$t/nova.conf" "$e/nova/nova.conf"
  render "$t/nova-libvirt.conf" "$e/nova/nova-libvirt.conf"
  render "$t/nova-db.conf" "$e/nova/nova-db.conf"
  render "$t/nova-api-paste.ini" "$e/nova/api-paste.ini"
  render "$t/neutron.conf" "$e/neutron/neutron.conf"
  render "$t/ml2_conf.ini" "$e/neutron/ml2_conf.ini"
  render "$t/neutron-api-paste.ini" "$e/neutron/api-paste.ini"
  render "$t/cinder.conf" "$e/cinder/cinder.conf"
  render "$t/cinder-api-paste.ini" "$e/cinder/api-paste.ini"
  cp "$t/resource_filters.json" "$e/cinder/resource_filters.json"
  chmod 600 "$e"/*/*.conf

  # The running services import from here, not from the checkout (which may go away).
  rm -rf "$S/pylib.new" && cp -r "$HERE/pylib" "$S/pylib.new" && rm -rf "$S/pylib" &&
    mv "$S/pylib.new" "$S/pylib"
  cp "$HERE"/wsgi/*.py "$S/wsgi/"

  # Console scripts: python3-* packages ship the libraries, not /usr/bin entry points.
  local line name target
  while read -r name target; do
    printf '#!/usr/bin/python3\n# %s (written by openstack-dev.sh)\nimport sys\nfrom %s import %s\nsys.exit(%s())\n' \
      "$name" "${target%%:*}" "${target##*:}" "${target##*:}" >"$S/bin/$name"
    chmod 755 "$S/bin/$name"
  done <<'EOF'
nova-manage nova.cmd.manage:main
nova-conductor nova.cmd.conductor:main
nova-scheduler nova.cmd.scheduler:main
nova-compute nova.cmd.compute:main
glance-manage glance.cmd.manage:main
glance-api glance.cmd.api:main
neutron-server neutron.cmd.eventlet.server:main
neutron-db-manage neutron.db.migration.cli:main
cinder-manage cinder.cmd.manage:main
cinder-scheduler cinder.cmd.scheduler:main
cinder-volume cinder.cmd.volume:main
EOF

  cat >"$S/clouds.yaml.tmp" <<EOF
# Ferry's loopback OpenStack (deploy/openstack-dev). Cloud "openstack": admin;
# cloud "openstack-ferry": the non-admin user ferry (member of project admin).
clouds:
  openstack:
    auth:
      auth_url: $KS
      username: admin
      password: $ADMIN_PASSWORD
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
    identity_api_version: 3
  openstack-ferry:
    auth:
      auth_url: $KS
      username: ferry
      password: ferry-secret
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
    identity_api_version: 3
EOF
  mv "$S/clouds.yaml.tmp" "$S/clouds.yaml"
  cat >"$S/openrc.tmp" <<EOF
# Ferry's loopback OpenStack (deploy/openstack-dev): . $S/openrc
export OS_AUTH_URL=$KS
export OS_USERNAME=admin
export OS_PASSWORD=$ADMIN_PASSWORD
export OS_PROJECT_NAME=admin
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
export OS_INTERFACE=public
export OS_IDENTITY_API_VERSION=3
EOF
  mv "$S/openrc.tmp" "$S/openrc"
}

# ---------------------------------------------------------------------------------------------
# database schemas: a sync runs when its stamp is missing or the database has no tables

db_has_tables() { # DBNAME (without prefix)
  local n
  n=$("${MYSQL[@]}" -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='${DB_PREFIX}$1'")
  [[ "${n:-0}" -gt 0 ]]
}

needs_sync() { # NAME DB...: true when NAME's stamp is missing or any DB is empty
  local name=$1 db
  shift
  [[ -f "$S/stamps/$name" ]] || return 0
  for db in "$@"; do db_has_tables "$db" || return 0; done
  return 1
}

# (each step ends in "|| return": errexit does not apply to functions called from a condition)
sync_keystone() {
  local c=(--config-file "$S/etc/keystone/keystone.conf")
  keystone-manage "${c[@]}" db_sync || return
  keystone-manage "${c[@]}" fernet_setup --keystone-user root --keystone-group root || return
  keystone-manage "${c[@]}" credential_setup --keystone-user root --keystone-group root || return
  keystone-manage "${c[@]}" bootstrap --bootstrap-password "$ADMIN_PASSWORD" \
    --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
    --bootstrap-admin-url "$KS/" --bootstrap-internal-url "$KS/" --bootstrap-public-url "$KS/"
}

sync_glance() { "$S/bin/glance-manage" --config-file "$S/etc/glance/glance-api.conf" db_sync; }

sync_placement() { placement-manage --config-file "$S/etc/placement/placement.conf" db sync; }

sync_nova() {
  local c=(--config-file "$S/etc/nova/nova.conf" --config-file "$S/etc/nova/nova-db.conf") rc
  "$S/bin/nova-manage" "${c[@]}" api_db sync || return
  "$S/bin/nova-manage" "${c[@]}" cell_v2 map_cell0 \
    --database_connection "$R_DB/${DB_PREFIX}nova_cell0?charset=utf8" || return
  if ! "$S/bin/nova-manage" "${c[@]}" cell_v2 list_cells | grep -q ' cell1 '; then
    # exit 2: that cell exists already
    "$S/bin/nova-manage" "${c[@]}" cell_v2 create_cell --name cell1 || { rc=$?; ((rc == 2)) || return $rc; }
  fi
  "$S/bin/nova-manage" "${c[@]}" db sync
}

sync_neutron() {
  "$S/bin/neutron-db-manage" --config-file "$S/etc/neutron/neutron.conf" \
    --config-file "$S/etc/neutron/ml2_conf.ini" upgrade heads
}

sync_cinder() { "$S/bin/cinder-manage" --config-file "$S/etc/cinder/cinder.conf" db sync; }

run_sync() { # NAME DB...: runs sync_NAME (logged) unless already done; sets stamp
  local name=$1
  shift
  if needs_sync "$name" "$@"; then
    rm -f "$S/stamps/$name"
    # A (re)created identity database has no catalog yet.
    [[ "$name" != keystone ]] || rm -f "$S/stamps/catalog"
    if "sync_$name" >>"$S/log/db-sync-$name.log" 2>&1; then
      touch "$S/stamps/$name"
    else
      echo "db sync of $name failed (log: $S/log/db-sync-$name.log)" >&2
      tail -15 "$S/log/db-sync-$name.log" >&2
      return 1
    fi
  fi
}

# ---------------------------------------------------------------------------------------------
# services

start_keystone() {
  start_uwsgi keystone 5000 keystone.py 4 OS_KEYSTONE_CONFIG_DIR="$S/etc/keystone"
}

start_apis() {
  start_uwsgi placement-api 8778 placement.py 2 OS_PLACEMENT_CONFIG_DIR="$S/etc/placement"
  start_uwsgi nova-api 8774 nova-api.py 1 OS_NOVA_CONFIG_DIR="$S/etc/nova" \
    OS_NOVA_CONFIG_FILES="api-paste.ini;nova.conf;nova-db.conf"
  start_uwsgi cinder-api 8776 cinder-api.py 1 FERRY_CINDER_CONF="$S/etc/cinder/cinder.conf"
  start_svc glance-api "$S/bin/glance-api" --config-file "$S/etc/glance/glance-api.conf"
  start_svc neutron-server "$S/bin/neutron-server" --config-file "$S/etc/neutron/neutron.conf" \
    --config-file "$S/etc/neutron/ml2_conf.ini"
  start_svc cinder-scheduler "$S/bin/cinder-scheduler" --config-file "$S/etc/cinder/cinder.conf"
  start_svc cinder-volume "$S/bin/cinder-volume" --config-file "$S/etc/cinder/cinder.conf"
}

start_nova_daemons() { # after the catalog: nova-scheduler exits when Placement is not in it
  local nc=(--config-file "$S/etc/nova/nova.conf" --config-file "$S/etc/nova/nova-db.conf")
  start_svc nova-conductor "$S/bin/nova-conductor" "${nc[@]}"
  start_svc nova-scheduler "$S/bin/nova-scheduler" "${nc[@]}"
}

start_compute() {
  # nova.conf only: nova-compute has no database access.
  start_svc nova-compute "$S/bin/nova-compute" --config-file "$S/etc/nova/nova.conf"
  [[ "$LIBVIRT" == 1 ]] || return 0
  start_svc nova-compute-libvirt "$S/bin/nova-compute" --config-file "$S/etc/nova/nova.conf" \
    --config-file "$S/etc/nova/nova-libvirt.conf"
}

ensure_libvirt_host() { # the user libvirt resolves before it reads qemu.conf, and QEMU as root
  getent group libvirt-qemu >/dev/null || addgroup --quiet --system libvirt-qemu
  getent group kvm >/dev/null || addgroup --quiet --system kvm
  id libvirt-qemu >/dev/null 2>&1 || adduser --quiet --system --ingroup kvm --disabled-login \
    --disabled-password --home /var/lib/libvirt --no-create-home --gecos "Libvirt Qemu" libvirt-qemu
  mkdir -p /etc/libvirt
  [[ -f /etc/libvirt/qemu.conf ]] ||
    printf '# written by Ferry'"'"'s openstack-dev.sh\nuser = "root"\ngroup = "root"\n' >/etc/libvirt/qemu.conf
}

start_libvirt() { # virtlogd and libvirtd in their own process groups, before nova-compute-libvirt
  [[ "$LIBVIRT" == 1 ]] || return 0
  ensure_libvirt_host
  start_svc virtlogd /usr/sbin/virtlogd
  start_svc libvirtd /usr/sbin/libvirtd
  local deadline=$(($(date +%s) + 60))
  until "${VIRSH[@]}" version >/dev/null 2>&1; do
    alive libvirtd || { tail -25 "$S/log/libvirtd.log" >&2; die "libvirtd exited (log: $S/log/libvirtd.log)"; }
    (($(date +%s) < deadline)) || die "libvirtd does not answer after 60 s (log: $S/log/libvirtd.log)"
    sleep 0.3
  done
}

stop_guests() { # QEMU outlives libvirtd: end the guests first (and forget them when wiping)
  alive libvirtd || return 0
  local name
  for name in $("${VIRSH[@]}" list --all --name 2>/dev/null); do
    "${VIRSH[@]}" destroy "$name" >/dev/null 2>&1 || true
    [[ "${1:-}" == --wipe ]] && { "${VIRSH[@]}" undefine --nvram "$name" >/dev/null 2>&1 ||
      "${VIRSH[@]}" undefine "$name" >/dev/null 2>&1 || true; }
  done
  return 0
}

remove_bridges() { # os-vif's linux_bridge unplug leaves the brq<network> bridges behind
  local dev
  for dev in $(ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | grep '^brq' || true); do
    ip link del "$dev" 2>/dev/null || true
  done
}

wait_http() { # TIMEOUT NAME...: waits until each named HTTP service answers
  local timeout=$1 entry name port path deadline
  shift
  deadline=$(($(date +%s) + timeout))
  for name in "$@"; do
    for entry in "${HTTP_SERVICES[@]}"; do
      IFS='|' read -r n port path <<<"$entry"
      [[ "$n" == "$name" ]] || continue
      until http_ok "http://127.0.0.1:$port$path"; do
        alive "$name" || { tail -25 "$S/log/$name.log" >&2; die "$name exited (log: $S/log/$name.log)"; }
        (($(date +%s) < deadline)) || die "$name does not answer on :$port after ${timeout}s (log: $S/log/$name.log)"
        sleep 0.3
      done
    done
  done
}

check_daemons_alive() {
  local d
  for d in "${DAEMONS[@]}"; do
    alive "$d" || { tail -25 "$S/log/$d.log" >&2; die "$d exited (log: $S/log/$d.log)"; }
  done
}

wait_host_mapped() { # HOST: nova's scheduler maps the compute host into cell1 (every 5 s)
  local deadline=$(($(date +%s) + 120)) n
  while :; do
    n=$("${MYSQL[@]}" -e "SELECT COUNT(*) FROM ${DB_PREFIX}nova_api.host_mappings WHERE host='$1'")
    [[ "${n:-0}" -gt 0 ]] && return 0
    (($(date +%s) < deadline)) || die "nova-compute host $1 was not mapped to cell1 in 120 s"
    check_daemons_alive
    sleep 0.5
  done
}

wait_compute_heartbeat() { # HOST: the nova-compute started by this run has reported (every 10 s)
  [[ -n "$COMPUTE_SINCE" ]] || return 0
  local deadline=$(($(date +%s) + 120)) n
  while :; do
    n=$("${MYSQL[@]}" -e "SELECT COUNT(*) FROM ${DB_PREFIX}nova.services WHERE host='$1'
      AND \`binary\`='nova-compute' AND deleted=0 AND updated_at >= '$COMPUTE_SINCE'")
    [[ "${n:-0}" -gt 0 ]] && return 0
    (($(date +%s) < deadline)) || die "nova-compute on $1 sent no heartbeat in 120 s (log: $S/log/)"
    check_daemons_alive
    sleep 0.5
  done
}

all_alive() {
  local n
  for n in "${ALL_SERVICES[@]}"; do alive "$n" || return 1; done
}

all_http_ok() {
  local entry n port path
  for entry in "${HTTP_SERVICES[@]}"; do
    IFS='|' read -r n port path <<<"$entry"
    http_ok "http://127.0.0.1:$port$path" || return 1
  done
}

# ---------------------------------------------------------------------------------------------
# subcommands

cmd_up() {
  mkdir -p "$S/log" "$S/run" "$S/stamps"
  if all_alive && all_http_ok && [[ -f "$S/stamps/provisioned" && -f "$S/clouds.yaml" ]]; then
    say "already up ($(fmt_ms $(($(now_ms) - T_START))) to check); clouds.yaml: $S/clouds.yaml"
    return 0
  fi
  local cold=1
  [[ -f "$S/stamps/provisioned" ]] && cold=0

  phase packages
  local missing
  local packages=("${PACKAGES[@]}")
  [[ "$LIBVIRT" == 1 ]] && packages+=("${LIBVIRT_PACKAGES[@]}")
  missing=$(missing_packages "${packages[@]}" | tr '\n' ' ')
  # shellcheck disable=SC2086
  [[ -z "${missing// /}" ]] || apt_install $missing

  phase "mariadb+rabbitmq"
  ensure_mariadb
  ensure_rabbitmq
  ensure_vhost
  ensure_databases

  phase config
  write_configs

  phase "db sync"
  # Every service's schema at once (2 cores: imports overlap with database waits); keystone's in
  # the foreground so that Keystone can start as soon as it is ready.
  local pids=() names=() n i rc=0
  for n in "glance glance" "placement placement" "nova nova_api nova nova_cell0" \
    "neutron neutron" "cinder cinder"; do
    # shellcheck disable=SC2086
    run_sync $n &
    pids+=($!)
    names+=("${n%% *}")
  done
  run_sync keystone keystone || die "database sync failed"
  start_keystone
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { rc=1; say "db sync of ${names[$i]} failed"; }
  done
  ((rc == 0)) || die "database sync failed"

  phase "services start"
  # The APIs start without the catalog. nova-scheduler exits when Placement is not in it, and
  # nova-compute must find Placement at once, or its host gets no resource provider until the
  # next periodic update (60 s): they start after the catalog (and Placement) are there.
  start_apis
  wait_http 120 keystone
  if [[ ! -f "$S/stamps/catalog" ]]; then
    OS_CLIENT_CONFIG_FILE="$S/clouds.yaml" "$PY" "$HERE/provision.py" catalog
    touch "$S/stamps/catalog"
  fi
  start_nova_daemons
  wait_http 180 placement-api
  # nova-compute is "up" in the API for 60 s after its last heartbeat, even a previous
  # process's: readiness is a heartbeat newer than this start.
  COMPUTE_SINCE=""
  { alive nova-compute && { [[ "$LIBVIRT" != 1 ]] || alive nova-compute-libvirt; }; } ||
    COMPUTE_SINCE=$("${MYSQL[@]}" -e 'SELECT UTC_TIMESTAMP()')
  start_libvirt
  start_compute
  wait_http 180 glance-api nova-api neutron-server cinder-api
  check_daemons_alive

  phase "compute+volume ready"
  OS_CLIENT_CONFIG_FILE="$S/clouds.yaml" "$PY" "$HERE/provision.py" resources
  wait_host_mapped "$HOSTNAME_OS"
  wait_compute_heartbeat "$HOSTNAME_OS"
  if [[ "$LIBVIRT" == 1 ]]; then
    wait_host_mapped "$LIBVIRT_HOST"
    wait_compute_heartbeat "$LIBVIRT_HOST"
    OS_CLIENT_CONFIG_FILE="$S/clouds.yaml" "$PY" "$HERE/provision.py" libvirt-zone "$LIBVIRT_HOST"
  fi
  check_daemons_alive
  touch "$S/stamps/provisioned"
  phase ""

  say "up in $(fmt_ms $(($(now_ms) - T_START))) ($([[ $cold -eq 1 ]] && echo cold || echo warm));" \
    "OS_CLIENT_CONFIG_FILE=$S/clouds.yaml openstack --os-cloud openstack ..."
}

cmd_status() {
  local entry n port path pid code bad=0 token="" project="" svcjson="" cinderjson=""
  printf '%-17s %-8s %s\n' SERVICE PID STATE
  for entry in "${HTTP_SERVICES[@]}"; do
    IFS='|' read -r n port path <<<"$entry"
    pid=$(pid_of "$n" || echo -)
    code=$(http_code "http://127.0.0.1:$port$path")
    if [[ "$pid" != - && "$code" =~ ^[23] ]]; then
      printf '%-17s %-8s ok (127.0.0.1:%s answers %s)\n' "$n" "$pid" "$port" "$code"
    else
      printf '%-17s %-8s DOWN (127.0.0.1:%s: %s)\n' "$n" "$pid" "$port" "${code/000/no answer}"
      bad=1
    fi
  done
  # Daemons: alive, and "up" in their service's own view (heartbeat through the database).
  if http_ok "$KS"; then
    local resp
    resp=$(curl -s -D - -o /tmp/ferry-os-token.$$ --max-time 10 -H 'Content-Type: application/json' \
      -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"admin\",\"domain\":{\"id\":\"default\"},\"password\":\"$ADMIN_PASSWORD\"}}},\"scope\":{\"project\":{\"name\":\"admin\",\"domain\":{\"id\":\"default\"}}}}}" \
      "$KS/auth/tokens" 2>/dev/null || true)
    token=$(awk 'tolower($1)=="x-subject-token:" {print $2}' <<<"$resp" | tr -d '\r')
    project=$(jq -r '.token.project.id // empty' /tmp/ferry-os-token.$$ 2>/dev/null || true)
    rm -f /tmp/ferry-os-token.$$
  fi
  if [[ -n "$token" ]]; then
    svcjson=$(curl -s --max-time 10 -H "X-Auth-Token: $token" http://127.0.0.1:8774/v2.1/os-services 2>/dev/null || true)
    cinderjson=$(curl -s --max-time 10 -H "X-Auth-Token: $token" "http://127.0.0.1:8776/v3/$project/os-services" 2>/dev/null || true)
  fi
  local d state json
  for d in "${DAEMONS[@]}"; do
    pid=$(pid_of "$d" || echo -)
    json=$svcjson
    [[ "$d" == cinder-* ]] && json=$cinderjson
    local binary=$d host=""
    [[ "$d" == nova-compute ]] && host=$HOSTNAME_OS
    [[ "$d" == nova-compute-libvirt ]] && binary=nova-compute host=$LIBVIRT_HOST
    state=$(jq -r --arg b "$binary" --arg h "$host" \
      '[.services[]? | select(.binary == $b and ($h == "" or .host == $h)) | .state] | first // empty' \
      <<<"$json" 2>/dev/null || true)
    if [[ "$pid" != - && "$state" == up ]]; then
      printf '%-17s %-8s ok (service up)\n' "$d" "$pid"
    elif [[ "$pid" != - && -z "$state" && -z "$token" ]]; then
      printf '%-17s %-8s UNKNOWN (running; Keystone does not answer to ask)\n' "$d" "$pid"
      bad=1
    else
      printf '%-17s %-8s DOWN (%s)\n' "$d" "$pid" "$([[ $pid == - ]] && echo 'not running' || echo "service state: ${state:-not registered}")"
      bad=1
    fi
  done
  for n in mariadb epmd rabbitmq; do
    pid=$(pid_of "$n" || true)
    [[ -n "$pid" ]] && printf '%-17s %-8s running (ours)\n' "$n" "$pid"
  done
  if ((bad)); then
    say "not healthy"
    return 1
  fi
  say "all healthy; OS_CLIENT_CONFIG_FILE=$S/clouds.yaml openstack --os-cloud openstack ..."
}

cmd_down() {
  local wipe=0
  [[ "${1:-}" == --wipe ]] && wipe=1
  [[ -d "$S" ]] || { say "nothing to stop ($S does not exist)"; return 0; }
  STOPPING=()
  phase stop
  local n
  # The guests, then compute (it would log errors about everything else going away), the rest.
  ((wipe)) && stop_guests --wipe || stop_guests
  stop_pidfile nova-compute
  stop_pidfile nova-compute-libvirt
  wait_stopped 20
  for n in "${ALL_SERVICES[@]}"; do stop_pidfile "$n"; done
  wait_stopped 20
  ((wipe)) && remove_bridges
  phase ""
  if ((wipe)); then
    # The databases and vhost live in the machine's MariaDB/RabbitMQ unless they are ours.
    if [[ ! -f "$S/mysql/own" ]] && port_open "$MYSQL_PORT"; then
      local sql="" db
      for db in "${DATABASES[@]}"; do sql+="DROP DATABASE IF EXISTS \`${DB_PREFIX}${db}\`;"; done
      sql+="DROP USER IF EXISTS '$DB_USER'@'127.0.0.1'; DROP USER IF EXISTS '$DB_USER'@'localhost';"
      mysql --protocol=tcp -h 127.0.0.1 -P "$MYSQL_PORT" -u root -e "$sql" ||
        say "warning: could not drop the databases"
    fi
    if [[ ! -f "$S/rabbitmq/own" ]] && port_open "$RABBIT_PORT"; then
      rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
    fi
  fi
  for n in rabbitmq epmd mariadb; do stop_pidfile "$n"; done
  wait_stopped 20
  if ((wipe)); then
    rm -rf "$S"
    say "stopped and wiped ($S, databases ${DB_PREFIX}*, vhost $VHOST)"
  else
    say "stopped (state kept in $S)"
  fi
}

lock() { # one `up` or `down` at a time per state dir (test files may call `up` concurrently)
  mkdir -p "$S"
  exec 9>>"$S/openstack-dev.lock"
  if ! flock -n 9; then
    say "$1: waiting, another openstack-dev.sh up/down holds $S/openstack-dev.lock"
    flock -w 1200 9 || die "still locked after 20 min: $S/openstack-dev.lock"
  fi
}

case "${1:-}" in
up) lock up; cmd_up ;;
status) cmd_status ;;
down) lock down; shift; cmd_down "$@" ;;
*)
  echo "usage: $0 up | status | down [--wipe]" >&2
  exit 2
  ;;
esac
