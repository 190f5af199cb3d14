#!/usr/bin/env bash
# openstack.sh runs a real OpenStack on loopback for the OPENSTACK driver's tests and the
# demo: Keystone, Nova (virt driver fake.FakeDriver: servers go ACTIVE, nothing boots),
# Placement, Neutron (ML2, openvswitch mechanism driver, one agent row with a far-future
# heartbeat so ports bind; no data path), Glance (file store) and Octavia (amphora
# provider with its noop amphora, compute and network drivers), all from Debian's
# packages, on the machine's MariaDB and RabbitMQ (started when they are not running).
# Every file lives in DIR; the databases are kaas_os_<hash of DIR>_<service>, the
# RabbitMQ vhost kaas_os_<hash of DIR>, so two DIRs do not meet.
#
#   scripts/openstack.sh start  DIR   start, or reuse the one already running in DIR;
#                                     prints the export lines of `env` on stdout
#   scripts/openstack.sh stop   DIR
#   scripts/openstack.sh status DIR   exit 0 when running, 3 when not
#   scripts/openstack.sh env    DIR   export lines: OS_* of its admin, KAAS_OPENSTACK_*
#                                     (image, external network, flavors)
#
# A fresh DIR took 292 s on a busy 2-core machine (130 s of database migrations), a
# restart 147 s (19 processes, 2.4 GB RSS); reusing a running one 0.4 s. Progress
# goes to stderr; each service logs to DIR/logs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
UWSGI=/usr/bin/uwsgi-core
KEYSTONE_MANAGE=/usr/bin/keystone-manage
PACKAGES=(python3-keystone python3-nova python3-neutron python3-octavia python3-placement python3-glance
  python3-pymysql uwsgi-core uwsgi-plugin-python3 mariadb-server mariadb-client rabbitmq-server curl openssl)
SERVICES=(keystone placement nova-api nova-conductor nova-scheduler nova-compute neutron-server glance-api
  octavia-api octavia-worker)
READY_TIMEOUT=600
STOP_TIMEOUT=30

log() { echo "openstack: $*" >&2; }
die() {
  log "$*"
  exit 1
}
usage() {
  echo "usage: $0 start|stop|status|env DIR" >&2
  exit 2
}

(($# == 2)) || usage
cmd=$1
if [[ $cmd == start ]]; then
  mkdir -p "$2"
elif [[ ! -d $2 ]]; then
  case $cmd in
  stop) exit 0 ;;
  status)
    echo "openstack: not running in $2"
    exit 3
    ;;
  *) die "$2 does not exist: run $0 start $2" ;;
  esac
fi
DIR=$(cd "$2" && pwd)
ID=$(printf %s "$DIR" | sha256sum | cut -c1-8)
DB=kaas_os_${ID}
VHOST=kaas_os_${ID}
HOST=kaas-os-${ID}
ETC=$DIR/etc
RUN=$DIR/run
LOGS=$DIR/logs
MYSQL=(mysql -uroot -h127.0.0.1 -P3306)

# Python environments of the caller must not leak into the system Python of the services.
clean_env=(env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV)

# pyrun NAME MODULE ARGS... runs the console script NAME (Debian's python3-* packages
# ship the modules, not the scripts) whose main() is in MODULE.
pyrun() {
  pycmd "$1" "$2"
  shift 2
  "${PYCMD[@]}" "$@"
}

# pycmd NAME MODULE sets PYCMD to the command line of that console script.
pycmd() {
  PYCMD=("${clean_env[@]}" "$PY" -c "import sys; sys.argv[0]='$1'; from $2 import main; sys.exit(main())")
}

free_port() {
  "${clean_env[@]}" "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pid_of prints the pid of a service of DIR if it is alive.
pid_of() {
  local f=$RUN/$1.pid pid
  [[ -s $f ]] || return 1
  pid=$(tr -dc 0-9 <"$f")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  # A stale pidfile must not match an unrelated process that got the same pid.
  [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *"$DIR"* ]] || return 1
  echo "$pid"
}

# load_ports sets PORT_<service> for keystone nova placement neutron glance octavia from
# DIR/ports, picking a free port for each one missing or taken by another process (none
# of DIR's services runs when it is called).
load_ports() {
  local s p
  for s in keystone nova placement neutron glance octavia; do
    p=$(sed -n "s/^$s=//p" "$DIR/ports" 2>/dev/null || true)
    if [[ -z $p ]] || port_in_use "$p"; then
      p=$(free_port)
    fi
    printf -v "PORT_$s" %s "$p"
  done
  for s in keystone nova placement neutron glance octavia; do
    p=PORT_$s
    echo "$s=${!p}"
  done >"$DIR/ports"
}

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg -s "$p" 2>/dev/null | grep -qx 'Status: install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) || "$ROOT/scripts/deps.sh" "${missing[@]}"
}

# ensure_backing starts MariaDB and RabbitMQ where they are not running (the commands this
# kind of machine starts them with) and makes DIR's vhost.
ensure_backing() {
  local deadline=$((SECONDS + 60))
  if ! "${MYSQL[@]}" -e 'SELECT 1' >/dev/null 2>&1; then
    log "starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    until "${MYSQL[@]}" -e 'SELECT 1' >/dev/null 2>&1; do
      ((SECONDS < deadline)) || die "MariaDB did not answer on 127.0.0.1:3306"
      sleep 0.5
    done
  fi
  if ! port_in_use 5672; then
    log "starting RabbitMQ"
    rabbitmq-server -detached >/dev/null 2>&1 || true
    until port_in_use 5672; do
      ((SECONDS < deadline)) || die "RabbitMQ did not listen on 127.0.0.1:5672"
      sleep 0.5
    done
  fi
  if ! rabbitmqctl -q list_vhosts 2>/dev/null | grep -qx "$VHOST"; then
    rabbitmqctl -q add_vhost "$VHOST" >/dev/null
    rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
  fi
}

# paste_files takes the API paste files of Nova, Neutron and Glance from their *-common
# packages (installing those would pull in dbconfig-common and start services).
paste_files() {
  [[ -s $ETC/nova-api-paste.ini && -s $ETC/neutron-api-paste.ini && -s $ETC/glance-api-paste.ini ]] && return 0
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download nova-common neutron-common glance-common >/dev/null 2>&1) ||
    { apt-get update >/dev/null && (cd "$tmp" && apt-get download nova-common neutron-common glance-common >/dev/null); } ||
    die "apt-get download of the *-common packages failed"
  for d in "$tmp"/*.deb; do dpkg-deb -x "$d" "$tmp/x"; done
  cp "$tmp/x/usr/share/nova-common/api-paste.ini" "$ETC/nova-api-paste.ini"
  cp "$tmp/x/usr/share/neutron-common/api-paste.ini" "$ETC/neutron-api-paste.ini"
  cp "$tmp/x/usr/share/glance-common/glance-api-paste.ini" "$ETC/glance-api-paste.ini"
  rm -rf "$tmp"
}

octavia_ca() {
  local d=$DIR/octavia/certs
  [[ -s $d/client.pem ]] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=kaas-os-octavia-ca \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  cat "$d/ca.pem" "$d/ca.key" >"$d/client.pem"
}

# authtoken SECTION USER prints a keystoneauth section for a service user.
authtoken() {
  cat <<EOF
[$1]
www_authenticate_uri = http://127.0.0.1:$PORT_keystone/v3
auth_url = http://127.0.0.1:$PORT_keystone/v3
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = $PASSWORD
region_name = RegionOne
service_token_roles_required = false
EOF
}

write_conf() {
  local rabbit="rabbit://guest:guest@127.0.0.1:5672/$VHOST" db="mysql+pymysql://root:@127.0.0.1:3306/$DB"
  cat >"$ETC/keystone.conf" <<EOF
# Written by scripts/openstack.sh on every start, like the others here.
[DEFAULT]
log_file = $LOGS/keystone.log
[database]
connection = ${db}_keystone
[token]
provider = fernet
[fernet_tokens]
key_repository = $DIR/keystone/fernet-keys
[fernet_receipts]
key_repository = $DIR/keystone/receipt-keys
[credential]
key_repository = $DIR/keystone/credential-keys
[identity]
password_hash_rounds = 4
EOF
  {
    cat <<EOF
[DEFAULT]
log_file = $LOGS/placement.log
[api]
auth_strategy = keystone
[placement_database]
connection = ${db}_placement
EOF
    authtoken keystone_authtoken placement
  } >"$ETC/placement.conf"
  {
    cat <<EOF
[DEFAULT]
compute_driver = fake.FakeDriver
transport_url = $rabbit
state_path = $DIR/nova/state
instances_path = $DIR/nova/instances
host = $HOST
my_ip = 127.0.0.1
enabled_apis = osapi_compute
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $ETC/nova-api-paste.ini
[api_database]
connection = ${db}_nova_api
[database]
connection = ${db}_nova
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 5
[quota]
# Tests run clusters side by side: only the host's size limits them.
instances = -1
cores = -1
ram = -1
[oslo_concurrency]
lock_path = $DIR/nova/locks
[vnc]
enabled = false
[spice]
enabled = false
[oslo_messaging_notifications]
driver = noop
[service_user]
send_service_user_token = false
[cinder]
os_region_name = RegionOne
EOF
    authtoken keystone_authtoken nova
    authtoken placement nova
    authtoken neutron nova
    authtoken glance nova
  } >"$ETC/nova.conf"
  {
    cat <<EOF
[DEFAULT]
core_plugin = ml2
service_plugins = router
transport_url = $rabbit
state_path = $DIR/neutron/state
bind_host = 127.0.0.1
bind_port = $PORT_neutron
api_paste_config = $ETC/neutron-api-paste.ini
auth_strategy = keystone
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 0
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
allow_overlapping_ips = true
log_file = $LOGS/neutron-server.log
[database]
connection = ${db}_neutron
[oslo_concurrency]
lock_path = $DIR/neutron/locks
[agent]
root_helper = true
[ml2]
type_drivers = flat,vxlan
tenant_network_types = vxlan
mechanism_drivers = openvswitch
extension_drivers = port_security
[ml2_type_vxlan]
vni_ranges = 1:1000
[ml2_type_flat]
flat_networks = public
[securitygroup]
firewall_driver = noop
EOF
    authtoken keystone_authtoken neutron
    authtoken nova neutron
  } >"$ETC/neutron.conf"
  {
    cat <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $PORT_glance
workers = 1
log_file = $LOGS/glance-api.log
enabled_backends = file:file
[database]
connection = ${db}_glance
[paste_deploy]
flavor = keystone
config_file = $ETC/glance-api-paste.ini
[glance_store]
default_backend = file
[file]
filesystem_store_datadir = $DIR/glance/images
[os_glance_tasks_store]
filesystem_store_datadir = $DIR/glance/tasks
[os_glance_staging_store]
filesystem_store_datadir = $DIR/glance/staging
[oslo_concurrency]
lock_path = $DIR/glance/locks
EOF
    authtoken keystone_authtoken glance
  } >"$ETC/glance-api.conf"
  {
    cat <<EOF
[DEFAULT]
transport_url = $rabbit
[api_settings]
bind_host = 127.0.0.1
bind_port = $PORT_octavia
auth_strategy = keystone
api_base_uri = http://127.0.0.1:$PORT_octavia
enabled_provider_drivers = amphora:The Octavia Amphora driver (noop backends).
default_provider_driver = amphora
[database]
connection = ${db}_octavia
[controller_worker]
amphora_driver = amphora_noop_driver
compute_driver = compute_noop_driver
network_driver = network_noop_driver
volume_driver = volume_noop_driver
image_driver = image_noop_driver
loadbalancer_topology = SINGLE
amp_boot_network_list = 00000000-0000-0000-0000-000000000001
amp_secgroup_list = 00000000-0000-0000-0000-000000000002
amp_image_tag = amphora
amp_flavor_id = 1
client_ca = $DIR/octavia/certs/ca.pem
[oslo_messaging]
topic = octavia_prov_$ID
[oslo_concurrency]
lock_path = $DIR/octavia/locks
[task_flow]
jobboard_enabled = false
[certificates]
cert_manager = local_cert_manager
cert_generator = local_cert_generator
ca_certificate = $DIR/octavia/certs/ca.pem
ca_private_key = $DIR/octavia/certs/ca.key
storage_path = $DIR/octavia/certs/store
[haproxy_amphora]
client_cert = $DIR/octavia/certs/client.pem
server_ca = $DIR/octavia/certs/ca.pem
base_path = $DIR/octavia/state
base_cert_dir = $DIR/octavia/certs/amp
[health_manager]
heartbeat_key = kaas-os-$ID
EOF
    authtoken keystone_authtoken octavia
    authtoken service_auth octavia
  } >"$ETC/octavia.conf"
  printf '%s\n' 'from nova.api.openstack.compute.wsgi import init_application' 'application = init_application()' >"$ETC/nova-api-wsgi.py"
  printf '%s\n' 'from placement.wsgi import init_application' 'application = init_application()' >"$ETC/placement-wsgi.py"
}

# init_databases creates DIR's databases, schemas and Keystone's admin (once per DIR).
init_databases() {
  local d ids=() id
  log "creating databases ${DB}_* and their schemas (2-4 min)"
  for d in keystone nova_api nova nova_cell0 placement neutron octavia glance; do
    "${MYSQL[@]}" -e "DROP DATABASE IF EXISTS ${DB}_$d; CREATE DATABASE ${DB}_$d CHARACTER SET utf8mb4;"
  done
  rm -rf "$DIR"/keystone/*-keys/* "$DIR"/glance/images/*
  local owner=(--keystone-user "$(id -un)" --keystone-group "$(id -gn)")
  (
    km() { "${clean_env[@]}" "$KEYSTONE_MANAGE" --config-file "$ETC/keystone.conf" "$@"; }
    km db_sync && km fernet_setup "${owner[@]}" && km credential_setup "${owner[@]}"
  ) >"$LOGS/init-keystone.log" 2>&1 &
  ids+=($!)
  pyrun placement-manage placement.cmd.manage --config-file "$ETC/placement.conf" db sync >"$LOGS/init-placement.log" 2>&1 &
  ids+=($!)
  pyrun glance-manage glance.cmd.manage --config-file "$ETC/glance-api.conf" db_sync >"$LOGS/init-glance.log" 2>&1 &
  ids+=($!)
  pyrun octavia-db-manage octavia.db.migration.cli --config-file "$ETC/octavia.conf" upgrade head >"$LOGS/init-octavia.log" 2>&1 &
  ids+=($!)
  (
    pyrun neutron-db-manage neutron.db.migration.cli --config-file "$ETC/neutron.conf" upgrade heads &&
      fake_ovs_agent
  ) >"$LOGS/init-neutron.log" 2>&1 &
  ids+=($!)
  (
    nm() { pyrun nova-manage nova.cmd.manage --config-file "$ETC/nova.conf" "$@"; }
    nm api_db sync && nm cell_v2 map_cell0 --database_connection "mysql+pymysql://root:@127.0.0.1:3306/${DB}_nova_cell0" &&
      nm cell_v2 create_cell --name=cell1 && nm db sync
  ) >"$LOGS/init-nova.log" 2>&1 &
  ids+=($!)
  for id in "${ids[@]}"; do
    wait "$id" || die "a database migration failed: see $LOGS/init-*.log"
  done
  rm -f "$DIR/keystone-bootstrapped"
  touch "$DIR/initialized"
}

# fake_ovs_agent inserts the one Open vSwitch agent ML2 needs to bind the ports of the
# compute host; its heartbeat is far in the future, so it never goes down.
fake_ovs_agent() {
  "${MYSQL[@]}" "${DB}_neutron" <<EOF
INSERT INTO agents (id, agent_type, \`binary\`, topic, host, admin_state_up, created_at, started_at,
  heartbeat_timestamp, configurations, \`load\`, resources_synced)
VALUES (UUID(), 'Open vSwitch agent', 'neutron-openvswitch-agent', 'N/A', '$HOST', 1, NOW(), NOW(),
  '2099-01-01 00:00:00', '{"bridge_mappings": {"public": "br-ex"}, "tunnel_types": ["vxlan"], "datapath_type": "system", "ovs_hybrid_plug": false, "integration_bridge": "br-int", "tunneling_ip": "127.0.0.1", "l2_population": false, "enable_distributed_routing": false, "devices": 0, "extensions": [], "ovs_capabilities": {"datapath_types": ["system"], "iface_types": []}}', 0, 1);
EOF
}

# bootstrap_keystone makes (or moves to a new port) Keystone's admin and its own endpoint.
bootstrap_keystone() {
  [[ -s $DIR/keystone-bootstrapped && $(<"$DIR/keystone-bootstrapped") == "$PORT_keystone" ]] && return 0
  local url="http://127.0.0.1:$PORT_keystone/v3/"
  OS_BOOTSTRAP_PASSWORD=$(<"$DIR/admin-password") "${clean_env[@]}" "$KEYSTONE_MANAGE" --config-file "$ETC/keystone.conf" \
    bootstrap --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-admin-url "$url" --bootstrap-internal-url "$url" --bootstrap-public-url "$url" \
    --bootstrap-region-id RegionOne >>"$LOGS/init-keystone.log" 2>&1 || die "keystone-manage bootstrap failed: see $LOGS/init-keystone.log"
  echo "$PORT_keystone" >"$DIR/keystone-bootstrapped"
}

# launch NAME CMD... starts a service in its own session (so stop can end its workers
# with it) and records its pid.
launch() {
  local name=$1
  shift
  setsid "$@" </dev/null >>"$LOGS/$name.out" 2>&1 9>&- &
  echo $! >"$RUN/$name.pid"
}

uwsgi_app() {
  local name=$1 port=$2 file=$3 threads=$4
  shift 4
  launch "$name" env "$@" "${clean_env[@]}" "$UWSGI" --plugins python3 --http11-socket "127.0.0.1:$port" \
    --wsgi-file "$file" --master --processes 1 --threads "$threads" --lazy-apps --need-app --die-on-term \
    --skip-atexit-teardown --logto "$LOGS/$name-uwsgi.log"
}

# start_services [NAME] starts NAME, or every service of DIR that is not running.
start_services() {
  local s
  for s in "${@:-${SERVICES[@]}}"; do
    pid_of "$s" >/dev/null && continue
    case $s in
    keystone) uwsgi_app keystone "$PORT_keystone" /usr/bin/keystone-wsgi-public 8 "OS_KEYSTONE_CONFIG_FILES=$ETC/keystone.conf" ;;
    placement) uwsgi_app placement "$PORT_placement" "$ETC/placement-wsgi.py" 4 "OS_PLACEMENT_CONFIG_DIR=$ETC" ;;
    nova-api) uwsgi_app nova-api "$PORT_nova" "$ETC/nova-api-wsgi.py" 1 "OS_NOVA_CONFIG_DIR=$ETC" "OS_NOVA_CONFIG_FILES=nova-api-paste.ini;nova.conf" ;;
    nova-conductor) pycmd nova-conductor nova.cmd.conductor && launch "$s" "${PYCMD[@]}" --config-file "$ETC/nova.conf" --log-file "$LOGS/$s.log" ;;
    nova-scheduler) pycmd nova-scheduler nova.cmd.scheduler && launch "$s" "${PYCMD[@]}" --config-file "$ETC/nova.conf" --log-file "$LOGS/$s.log" ;;
    nova-compute) pycmd nova-compute nova.cmd.compute && launch "$s" "${PYCMD[@]}" --config-file "$ETC/nova.conf" --log-file "$LOGS/$s.log" ;;
    neutron-server) pycmd neutron-server neutron.cmd.eventlet.server && launch "$s" "${PYCMD[@]}" --config-file "$ETC/neutron.conf" ;;
    glance-api) pycmd glance-api glance.cmd.api && launch "$s" "${PYCMD[@]}" --config-file "$ETC/glance-api.conf" ;;
    octavia-api) pycmd octavia-api octavia.cmd.api && launch "$s" "${PYCMD[@]}" --config-file "$ETC/octavia.conf" --log-file "$LOGS/$s.log" ;;
    octavia-worker) pycmd octavia-worker octavia.cmd.octavia_worker && launch "$s" "${PYCMD[@]}" --config-file "$ETC/octavia.conf" --log-file "$LOGS/$s.log" ;;
    esac
  done
}

# stop_services ends each service's whole session (its workers too), TERM first.
stop_services() {
  local s pid pids=() deadline=$((SECONDS + STOP_TIMEOUT))
  for s in "${SERVICES[@]}"; do
    if pid=$(pid_of "$s"); then
      pids+=("$pid")
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  rm -f "$RUN"/*.pid
}

print_env() {
  [[ -s $DIR/seed.env ]] || die "$DIR has no OpenStack: run $0 start $DIR"
  load_saved_ports
  printf 'export OS_AUTH_URL=%q\n' "http://127.0.0.1:$PORT_keystone/v3"
  printf 'export OS_USERNAME=admin\nexport OS_PROJECT_NAME=admin\nexport OS_DOMAIN_NAME=Default\n'
  printf 'export OS_USER_DOMAIN_NAME=Default\nexport OS_PROJECT_DOMAIN_NAME=Default\nexport OS_REGION_NAME=RegionOne\n'
  printf 'export OS_PASSWORD=%q\n' "$(<"$DIR/admin-password")"
  cat "$DIR/seed.env"
}

load_saved_ports() {
  local s p
  for s in keystone nova placement neutron glance octavia; do
    p=$(sed -n "s/^$s=//p" "$DIR/ports" 2>/dev/null || true)
    [[ -n $p ]] || die "$DIR/ports lacks $s: run $0 start $DIR"
    printf -v "PORT_$s" %s "$p"
  done
}

running() {
  local s
  for s in "${SERVICES[@]}"; do pid_of "$s" >/dev/null || return 1; done
  [[ -s $DIR/seed.env ]] || return 1
  load_saved_ports
  curl -fsS -o /dev/null --max-time 3 "http://127.0.0.1:$PORT_keystone/v3" 2>/dev/null
}

go_bin() {
  command -v go 2>/dev/null || { [[ -x /usr/local/go/bin/go ]] && echo /usr/local/go/bin/go; } ||
    die "go not found: needed to run cmd/openstack-seed"
}

# seed registers the services in Keystone's catalog, waits until every API answers and
# the compute host can take servers, and makes the flavors, image and external network
# the tests use (cmd/openstack-seed; its export lines go to DIR/seed.env) and the demo
# users (cmd/keystone-seed). With --identity-only, only the catalog and service users.
seed() {
  local go out phase=${1:-}
  go=$(go_bin)
  out=$(
    while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^OS_' || true)
    export OS_AUTH_URL="http://127.0.0.1:$PORT_keystone/v3" OS_USERNAME=admin OS_PROJECT_NAME=admin OS_DOMAIN_NAME=Default
    OS_PASSWORD=$(<"$DIR/admin-password")
    export OS_PASSWORD
    cd "$ROOT"
    "$go" run ./cmd/openstack-seed --service-password-file "$DIR/service-password" --timeout "${READY_TIMEOUT}s" $phase \
      --endpoint "compute=http://127.0.0.1:$PORT_nova/v2.1" --endpoint "placement=http://127.0.0.1:$PORT_placement" \
      --endpoint "network=http://127.0.0.1:$PORT_neutron" --endpoint "image=http://127.0.0.1:$PORT_glance" \
      --endpoint "load-balancer=http://127.0.0.1:$PORT_octavia"
    # The panel logs in to this Keystone as to the test Keystone: the same demo users.
    sum=$(cat cmd/keystone-seed/*.go | sha256sum | cut -d' ' -f1)
    if [[ -z $phase && ! (-s $DIR/keystone-seeded && $(<"$DIR/keystone-seeded") == "$sum") ]]; then
      "$go" run ./cmd/keystone-seed >&2 && echo "$sum" >"$DIR/keystone-seeded"
    fi
  ) || die "seeding failed: the services' logs are in $LOGS"
  [[ -z $phase ]] || return 0
  # The scheduler maps new compute hosts to the cell every 5 s; map it now instead.
  if [[ ! -e $DIR/host-mapped ]]; then
    pyrun nova-manage nova.cmd.manage --config-file "$ETC/nova.conf" cell_v2 discover_hosts >>"$LOGS/init-nova.log" 2>&1 ||
      die "nova-manage cell_v2 discover_hosts failed: see $LOGS/init-nova.log"
    touch "$DIR/host-mapped"
  fi
  printf '%s\n' "$out" >"$DIR/seed.env"
}

start() {
  local t0=$SECONDS
  if running; then
    log "reusing the OpenStack running in $DIR"
    print_env
    return 0
  fi
  ensure_packages
  mkdir -p "$ETC" "$RUN" "$LOGS" "$DIR"/keystone/{fernet-keys,receipt-keys,credential-keys} \
    "$DIR"/nova/{state,instances,locks} "$DIR"/neutron/{state,locks} "$DIR"/glance/{images,tasks,staging,locks} \
    "$DIR"/octavia/{certs/store,certs/amp,locks,state}
  ensure_backing
  (
    umask 077
    [[ -s $DIR/admin-password ]] || od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$DIR/admin-password"
    [[ -s $DIR/service-password ]] || od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$DIR/service-password"
  )
  PASSWORD=$(<"$DIR/service-password")
  stop_services # what is left of an earlier start (some crashed) starts again whole
  load_ports
  paste_files
  octavia_ca
  write_conf
  [[ -e $DIR/initialized ]] || init_databases
  bootstrap_keystone
  log "starting ${#SERVICES[@]} services (logs in $LOGS)"
  start_services keystone
  # The other services log in as their Keystone users as they start.
  seed --identity-only
  start_services
  seed
  log "ready in $((SECONDS - t0)) s: Keystone at http://127.0.0.1:$PORT_keystone/v3"
  print_env
}

status() {
  local s pid rss=0 n=0
  if ! running; then
    echo "openstack: not running in $DIR"
    return 3
  fi
  for s in "${SERVICES[@]}"; do
    pid=$(pid_of "$s")
    while read -r kb; do
      rss=$((rss + kb))
      n=$((n + 1))
    done < <(ps -o rss= -s "$pid")
  done
  echo "openstack: running in $DIR, Keystone at http://127.0.0.1:$PORT_keystone/v3, $n processes, $((rss / 1024)) MiB RSS"
}

lock() {
  # Parallel test runs share a DIR: one of them starts it, the others reuse it.
  exec 9>"$DIR/.lock"
  flock -w 600 9 || die "another openstack.sh holds $DIR/.lock"
}

case $cmd in
start)
  lock
  start
  ;;
stop)
  lock
  log "stopping the OpenStack in $DIR"
  stop_services
  ;;
status) status ;;
env) print_env ;;
*) usage ;;
esac
