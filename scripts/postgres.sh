#!/usr/bin/env bash
# postgres.sh makes sure a PostgreSQL server with trust auth answers on loopback, creates
# DB_NAME in it if missing and prints a DSN for it on stdout (nothing else goes there).
#
#   dsn=$(scripts/postgres.sh kaas_test)
#   scripts/postgres.sh --stop        stop the private server, if this script started one
#
# In order of preference: a server already answering on 127.0.0.1:5432 with trust auth;
# the machine's Debian cluster on 5432, started if it is down; otherwise a private server
# (initdb, trust auth, free port) in ${KAAS_STATE_DIR:-<repo>/.state}/postgres.
# KAAS_POSTGRES=private skips the first two. PostgreSQL is installed (scripts/deps.sh)
# when its binaries are missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${KAAS_STATE_DIR:-$ROOT/.state}
PGROOT=$STATE/postgres
READY_TIMEOUT=60
export PGCONNECT_TIMEOUT=3

log() { echo "postgres: $*" >&2; }
die() {
  log "$*"
  exit 1
}

(($# == 1)) || {
  echo "usage: $0 DB_NAME | --stop" >&2
  exit 2
}
DB=$1

# as_owner runs a command as the postgres user when we are root (initdb and postgres
# refuse to run as root), else as ourselves.
as_owner() {
  if ((EUID == 0)); then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_bin() {
  local dir
  dir=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir && -x $dir/initdb ]] || return 1
  echo "$dir"
}

# trusts reports whether user postgres gets in without a password on the port.
trusts() {
  psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -w -XAtq -c 'select 1' >/dev/null 2>&1
}

wait_ready() {
  local port=$1 deadline=$((SECONDS + READY_TIMEOUT))
  until pg_isready -h 127.0.0.1 -p "$port" -t 1 >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "PostgreSQL on port $port not ready within ${READY_TIMEOUT}s"
    sleep 0.2
  done
}

free_port() {
  local port
  for port in $(shuf -i 20000-60999 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

# debian_cluster starts the Debian cluster that owns port 5432 if it is down and prints
# 5432 when it then answers with trust auth.
debian_cluster() {
  local ver name port status
  command -v pg_lsclusters >/dev/null 2>&1 || return 1
  read -r ver name port status _ < <(pg_lsclusters -h 2>/dev/null | awk '$3 == 5432') || return 1
  if [[ $status != online* ]]; then
    ((EUID == 0)) || command -v sudo >/dev/null 2>&1 || return 1
    log "starting Debian cluster $ver/$name"
    if ((EUID == 0)); then
      pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >&2 || return 1
    else
      sudo pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >&2 || return 1
    fi
    wait_ready 5432
  fi
  if ! trusts 5432; then
    log "cluster $ver/$name on 5432 wants a password: using a private server instead"
    return 1
  fi
  echo 5432
}

# private_server starts (initializing once) the server in $PGROOT and prints its port.
private_server() {
  local bin port data=$PGROOT/data
  bin=$(pg_bin) || die "PostgreSQL binaries not found under /usr/lib/postgresql"
  mkdir -p "$PGROOT"
  if ((EUID == 0)); then
    chown postgres:postgres "$PGROOT"
    as_owner test -w "$PGROOT" ||
      die "user postgres cannot write $PGROOT (a parent is not traversable): set KAAS_STATE_DIR"
  fi
  if [[ ! -s $data/PG_VERSION ]]; then
    log "initdb $data (trust auth)"
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$PGROOT/initdb.log" 2>&1 || die "initdb failed: see $PGROOT/initdb.log"
  fi
  port=
  [[ ! -s $PGROOT/port ]] || port=$(tr -dc 0-9 <"$PGROOT/port")
  if [[ -n $port ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    wait_ready "$port"
    echo "$port"
    return 0
  fi
  if [[ -z $port ]] || (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    port=$(free_port) # first start, or the saved port went to someone else
  fi
  echo "$port" >"$PGROOT/port"
  log "starting private server on 127.0.0.1:$port (log $PGROOT/postgres.log)"
  # The socket lives in PGROOT: /var/run/postgresql belongs to the Debian cluster.
  as_owner "$bin/pg_ctl" -D "$data" -l "$PGROOT/postgres.log" -w -t "$READY_TIMEOUT" \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $PGROOT" start >&2 ||
    die "private server failed to start: see $PGROOT/postgres.log"
  wait_ready "$port"
  echo "$port"
}

stop_private() {
  local bin
  bin=$(pg_bin) || return 0
  [[ -s $PGROOT/data/PG_VERSION ]] || return 0
  if as_owner "$bin/pg_ctl" -D "$PGROOT/data" status >/dev/null 2>&1; then
    log "stopping private server"
    as_owner "$bin/pg_ctl" -D "$PGROOT/data" -m fast -w stop >&2
  fi
}

create_db() {
  local port=$1
  if [[ $(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -w -XAtq \
    -c "select 1 from pg_database where datname = '$DB'") != 1 ]]; then
    log "creating database $DB"
    # A parallel run may create it first; only a missing database afterwards is an error.
    psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -w -XAtq \
      -c "create database \"$DB\"" >/dev/null 2>&1 ||
      psql -h 127.0.0.1 -p "$port" -U postgres -d "$DB" -w -XAtq -c 'select 1' >/dev/null ||
      die "create database $DB failed"
  fi
}

if [[ $DB == --stop ]]; then
  stop_private
  exit 0
fi
[[ $DB =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "database name must be an SQL identifier: $DB"

if ! command -v psql >/dev/null 2>&1 || ! pg_bin >/dev/null; then
  "$ROOT/scripts/deps.sh" postgresql
  hash -r
fi

port=
if [[ ${KAAS_POSTGRES:-} != private ]]; then
  if trusts 5432; then
    port=5432
  else
    port=$(debian_cluster) || port=
  fi
fi
[[ -n $port ]] || port=$(private_server)
create_db "$port"
echo "host=127.0.0.1 port=$port user=postgres dbname=$DB sslmode=disable"
