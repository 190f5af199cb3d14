#!/usr/bin/env bash
# keystone.sh runs a real Keystone (Debian's python3-keystone under uwsgi) on loopback, with
# every file it needs in one state directory, and seeds the demo users
# (cmd/keystone-seed).
#
#   scripts/keystone.sh start  DIR [PORT]  start, or reuse the one already running in DIR;
#                                          prints the export lines of `env` on stdout
#   scripts/keystone.sh stop   DIR
#   scripts/keystone.sh status DIR         exit 0 when running, 3 when not
#   scripts/keystone.sh env    DIR         export OS_* lines for the admin of that Keystone
#
#   eval "$(scripts/keystone.sh start .state/keystone)"
#
# Without PORT, start reuses the port saved in DIR/port or picks a free one. A fresh DIR
# takes about 10 s (each keystone-manage call spends ~3 s importing), a restart about 2 s.
# Progress goes to stderr; keystone-manage output to DIR/manage.log, the server's to
# DIR/keystone.log.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Explicit paths: the python3 on PATH may be another Python (pyenv) without keystone.
KEYSTONE_MANAGE=/usr/bin/keystone-manage
KEYSTONE_WSGI=/usr/bin/keystone-wsgi-public
UWSGI=/usr/bin/uwsgi-core
READY_TIMEOUT=60
STOP_TIMEOUT=15

log() { echo "keystone: $*" >&2; }
die() {
  log "$*"
  exit 1
}

usage() {
  echo "usage: $0 start|stop|status|env DIR [PORT]" >&2
  exit 2
}

(($# >= 2)) || usage
cmd=$1
if [[ $cmd == start ]]; then
  mkdir -p "$2"
elif [[ ! -d $2 ]]; then
  case $cmd in
  stop) exit 0 ;;
  status)
    echo "keystone: not running in $2"
    exit 3
    ;;
  *) die "$2 does not exist: run $0 start $2" ;;
  esac
fi
DIR=$(cd "$2" && pwd)
PORT_ARG=${3:-}
[[ -z $PORT_ARG || $PORT_ARG =~ ^[0-9]+$ ]] || usage
CONF=$DIR/keystone.conf
PIDFILE=$DIR/uwsgi.pid
LOGFILE=$DIR/keystone.log
MANAGE_LOG=$DIR/manage.log

# Python environments of the caller must not leak into the system Python of keystone.
clean_env=(env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV)

# answers reports whether a Keystone answers GET /v3 on the port.
answers() {
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/v3" 2>/dev/null
}

# port_in_use reports whether anything accepts connections on the loopback port.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
  "${clean_env[@]}" /usr/bin/python3 -c \
    'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# running_pid prints the pid of DIR's uwsgi master if it is alive. The name check keeps a
# stale pidfile from matching an unrelated process that got the same pid after a reboot.
running_pid() {
  local pid
  [[ -s $PIDFILE ]] || return 1
  pid=$(tr -dc 0-9 <"$PIDFILE")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ $(ps -o comm= -p "$pid" 2>/dev/null) == uwsgi* ]] || return 1
  echo "$pid"
}

saved_port() {
  [[ -s $DIR/port ]] && tr -dc 0-9 <"$DIR/port"
}

print_env() {
  local port password
  port=$(saved_port) || die "$DIR has no Keystone: run $0 start $DIR"
  [[ -s $DIR/admin-password ]] || die "$DIR/admin-password missing: run $0 start $DIR"
  password=$(<"$DIR/admin-password")
  printf 'export OS_AUTH_URL=%q\n' "http://127.0.0.1:$port/v3"
  printf 'export OS_USERNAME=admin\n'
  printf 'export OS_PASSWORD=%q\n' "$password"
  printf 'export OS_PROJECT_NAME=admin\n'
  printf 'export OS_DOMAIN_NAME=Default\n'
  printf 'export OS_USER_DOMAIN_NAME=Default\n'
  printf 'export OS_PROJECT_DOMAIN_NAME=Default\n'
  printf 'export KAAS_KEYSTONE_PIDFILE=%q\n' "$PIDFILE"
}

log_tail() {
  log "last lines of $LOGFILE:"
  tail -n 30 "$LOGFILE" >&2 2>/dev/null || true
}

# wait_ready polls GET /v3 until it answers, the server dies, or the deadline passes.
wait_ready() {
  local port=$1 deadline=$((SECONDS + READY_TIMEOUT))
  until answers "$port"; do
    if [[ -s $PIDFILE ]] && ! running_pid >/dev/null; then
      log_tail
      die "uwsgi exited before Keystone answered on port $port"
    fi
    if ((SECONDS >= deadline)); then
      log_tail
      die "Keystone did not answer on http://127.0.0.1:$port/v3 within ${READY_TIMEOUT}s"
    fi
    sleep 0.1
  done
}

write_conf() {
  cat >"$CONF" <<EOF
# Written by scripts/keystone.sh; rewritten on every start.
[database]
# Several tests write at once (users, roles, assignments): wait for a writer rather than
# fail with "database is locked" after SQLite's default 5 s.
connection = sqlite:///$DIR/keystone.db?timeout=60

[token]
provider = fernet

[fernet_tokens]
key_repository = $DIR/fernet-keys

[fernet_receipts]
key_repository = $DIR/fernet-receipts

[credential]
key_repository = $DIR/credential-keys

[identity]
# bcrypt's default cost 12 makes every password login take ~300 ms.
password_hash_rounds = 4

[cache]
# One uwsgi process, so an in-process cache is coherent.
enabled = true
backend = dogpile.cache.memory
EOF
}

manage() {
  "${clean_env[@]}" "$KEYSTONE_MANAGE" --config-file "$CONF" "$@" >>"$MANAGE_LOG" 2>&1
}

# bootstrap creates the database, the key repositories and the admin user, project, role
# and endpoints. With done=1 only the endpoints (and admin password) are brought up to
# date for a new port.
bootstrap() {
  local port=$1 done=$2 url="http://127.0.0.1:$1/v3/" ids=() id
  local owner=(--keystone-user "$(id -un)" --keystone-group "$(id -gn)")
  if ((done == 0)); then
    log "bootstrapping $DIR (db_sync, fernet_setup, credential_setup, bootstrap; ~10 s)"
    # The three are independent; in parallel they overlap their ~3 s of imports.
    manage db_sync &
    ids+=($!)
    manage fernet_setup "${owner[@]}" &
    ids+=($!)
    manage credential_setup "${owner[@]}" &
    ids+=($!)
    for id in "${ids[@]}"; do
      wait "$id" || die "keystone-manage setup failed: see $MANAGE_LOG"
    done
  else
    log "updating endpoints of $DIR to port $port"
  fi
  OS_BOOTSTRAP_PASSWORD=$(<"$DIR/admin-password") manage bootstrap \
    --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-admin-url "$url" --bootstrap-internal-url "$url" --bootstrap-public-url "$url" \
    --bootstrap-region-id RegionOne ||
    die "keystone-manage bootstrap failed: see $MANAGE_LOG"
  echo "$port" >"$DIR/bootstrapped"
}

serve() {
  local port=$1
  rm -f "$PIDFILE"
  # Write-ahead logging: readers (every token validation) never wait for a writer, and a
  # writer waits only for the one before it. It is kept in the database file.
  "${clean_env[@]}" python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' "$DIR/keystone.db" ||
    die "could not switch $DIR/keystone.db to write-ahead logging"
  log "starting uwsgi on 127.0.0.1:$port (log $LOGFILE)"
  # --http11-socket keeps connections alive; --http-socket closes them and Go clients
  # then see "connection reset by peer". --skip-atexit-teardown: without it the worker
  # segfaults in greenlet during Py_Finalize on every stop (harmless, but a backtrace in
  # the log). 9>&-: the daemon must not inherit the lock.
  # shellcheck disable=SC2094 # uwsgi itself appends to the log; stderr only until daemonized
  OS_KEYSTONE_CONFIG_FILES=$CONF "${clean_env[@]}" "$UWSGI" --plugins python3 \
    --http11-socket "127.0.0.1:$port" --wsgi-file "$KEYSTONE_WSGI" \
    --master --processes 1 --threads 8 --lazy-apps --need-app --die-on-term \
    --skip-atexit-teardown \
    --pidfile "$PIDFILE" --daemonize "$LOGFILE" </dev/null >/dev/null 2>>"$LOGFILE" 9>&- ||
    die "uwsgi failed to start: see $LOGFILE"
}

go_bin() {
  command -v go 2>/dev/null || { [[ -x /usr/local/go/bin/go ]] && echo /usr/local/go/bin/go; } ||
    die "go not found: needed to run cmd/keystone-seed"
}

# seed runs cmd/keystone-seed against this Keystone unless the same seed sources already
# ran against it (DIR/seeded holds their hash).
seed() {
  local sum go
  sum=$(cat "$ROOT"/cmd/keystone-seed/*.go | sha256sum | cut -d' ' -f1)
  if [[ -s $DIR/seeded && $(<"$DIR/seeded") == "$sum" ]]; then
    return 0
  fi
  go=$(go_bin)
  log "seeding demo users (go run ./cmd/keystone-seed)"
  (
    # Only this Keystone's admin: stray OS_* variables (OS_PROJECT_ID, OS_CLOUD, ...) of
    # the caller would change what AuthOptionsFromEnv builds.
    while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^OS_' || true)
    eval "$(print_env)"
    cd "$ROOT"
    "$go" run ./cmd/keystone-seed
  ) >&2 || die "seeding failed"
  echo "$sum" >"$DIR/seeded"
}

start() {
  local pid port saved done=0
  [[ -x $KEYSTONE_MANAGE && -x $UWSGI && -f /usr/lib/uwsgi/plugins/python3_plugin.so ]] ||
    "$ROOT/scripts/deps.sh" python3-keystone uwsgi-core uwsgi-plugin-python3 curl openssl
  saved=$(saved_port || true)

  if pid=$(running_pid); then
    if [[ -z $PORT_ARG || $PORT_ARG == "$saved" ]]; then
      wait_ready "$saved" # it may still be starting (a concurrent start)
      log "reusing Keystone pid $pid at http://127.0.0.1:$saved/v3"
      seed
      print_env
      return 0
    fi
    log "running on port $saved, wanted $PORT_ARG: restarting"
    stop
  fi

  port=${PORT_ARG:-$saved}
  if [[ -n $port ]] && port_in_use "$port"; then
    [[ -z $PORT_ARG ]] || die "port $port is taken by another process"
    log "saved port $port is taken by another process: picking a new one"
    port=
  fi
  [[ -n $port ]] || port=$(free_port)
  echo "$port" >"$DIR/port"

  if [[ ! -s $DIR/admin-password ]]; then
    (
      umask 077
      od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$DIR/admin-password"
    )
  fi
  write_conf
  if [[ -s $DIR/bootstrapped ]]; then
    done=1
  fi
  if ((done == 0)) || [[ $(<"$DIR/bootstrapped") != "$port" ]]; then
    bootstrap "$port" "$done"
  fi

  serve "$port"
  wait_ready "$port"
  log "Keystone pid $(running_pid) ready at http://127.0.0.1:$port/v3"
  seed
  print_env
}

stop() {
  local pid deadline=$((SECONDS + STOP_TIMEOUT))
  if ! pid=$(running_pid); then
    log "not running in $DIR"
    rm -f "$PIDFILE"
    return 0
  fi
  log "stopping pid $pid"
  # --die-on-term: TERM shuts down master and worker; the master takes ~2 s to bury it.
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "pid $pid still alive after ${STOP_TIMEOUT}s: killing it and its workers"
      pkill -KILL -P "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  rm -f "$PIDFILE"
}

status() {
  local pid port
  port=$(saved_port || true)
  if pid=$(running_pid) && [[ -n $port ]] && answers "$port"; then
    echo "keystone: running, pid $pid, http://127.0.0.1:$port/v3"
    return 0
  fi
  echo "keystone: not running in $DIR"
  return 3
}

lock() {
  # Parallel test runs share a DIR: one of them starts Keystone, the others reuse it.
  exec 9>"$DIR/.lock"
  flock -w 120 9 || die "another keystone.sh holds $DIR/.lock"
}

case $cmd in
start)
  lock
  start
  ;;
stop)
  lock
  stop
  ;;
status) status ;;
env) print_env ;;
*) usage ;;
esac
