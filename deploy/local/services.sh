#!/usr/bin/env bash
# Throwaway local services for development and tests: PostgreSQL 15,
# PgBouncer (transaction pooling) in front of it, and Redis. No Docker.
#
# Usage:
#   deploy/local/services.sh start [DIR]   start everything (idempotent), print env
#   deploy/local/services.sh env   [DIR]   print env for services started in DIR
#   deploy/local/services.sh stop  [DIR]   stop everything and delete DIR
#
#   Helpers for failure tests (same DIR semantics, print nothing on stdout):
#   restart-redis | stop-redis | start-redis | stop-pgbouncer | start-pgbouncer
#
# Typical use:
#   eval "$(deploy/local/services.sh start)"
#   ... bun test ...
#   deploy/local/services.sh stop
#
# DIR defaults to $SERVICES_DIR if set (the variable this script exports),
# otherwise $PWD/.tmp/services. It holds all data, configs, logs and pidfiles.
#
# `start` and `env` write only `export NAME=value` lines to stdout; every
# progress message goes to stderr.
#
# Environment knobs:
#   PG_PORT (25432), PGBOUNCER_PORT (26432), REDIS_PORT (26379) — below Linux's ephemeral
#       range (32768+), so an outgoing connection can never hold them
#       Only read when DIR is first created; afterwards the ports recorded in
#       DIR/services.env are used.
#   PG_BIN (/usr/lib/postgresql/15/bin)   PostgreSQL server binaries
#   SERVICES_TIMEOUT (30)                 readiness timeout per service, seconds
#
# When run as root, missing packages are installed with apt-get, and
# PostgreSQL, PgBouncer and Redis run as the `postgres` system user
# (PostgreSQL refuses to run as root). The services started by the Debian
# packages themselves (a cluster on 5432, pgbouncer on 6432, redis on 6379)
# are never used: our instances have their own configs, ports and data.
set -euo pipefail

# stdout is reserved for the export lines (fd 3); everything else -> stderr.
exec 3>&1 1>&2

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd)
PGBOUNCER_TEMPLATE="$REPO_ROOT/deploy/pgbouncer/pgbouncer.ini"

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
WAIT_TIMEOUT=${SERVICES_TIMEOUT:-30}
SVC_USER=postgres
DB_NAME=pos
DB_USER=pos
DB_PASSWORD=pos
MARKER=.pos-local-services
STATE_FILE_NAME=services.env

DIR=
PGBOUNCER_BIN=
REDIS_SERVER_BIN=
REDIS_CLI_BIN=
APT_UPDATED=0

log() { printf '[services] %s\n' "$*" >&2; }
die() {
  printf '[services] error: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# ---------------------------------------------------------------------------
# DIR, ports, state
# ---------------------------------------------------------------------------

resolve_dir() {
  local d=${1:-${SERVICES_DIR:-$PWD/.tmp/services}}
  [[ -n $d ]] || die "empty DIR"
  [[ $d == /* ]] || d="$PWD/$d"
  d=$(realpath -m -- "$d")
  [[ $d == /* ]] || die "DIR must resolve to an absolute path (got '$d')"
  [[ $d != / ]] || die "refusing to use / as DIR"
  DIR=$d
}

check_port() {
  local name=$1 value=$2
  [[ $value =~ ^[0-9]+$ ]] && ((value > 0 && value < 65536)) ||
    die "$name must be a TCP port number (got '$value')"
}

# Ports: recorded in DIR/services.env at first start, so `env`, `stop` and the
# helpers agree with the running instances whatever the caller's environment.
load_ports() {
  local want_pg=${PG_PORT:-25432} want_pgb=${PGBOUNCER_PORT:-26432} want_redis=${REDIS_PORT:-26379}
  PG_PORT=$want_pg PGBOUNCER_PORT=$want_pgb REDIS_PORT=$want_redis
  local state="$DIR/$STATE_FILE_NAME" key value
  if [[ -f $state ]]; then
    while IFS='=' read -r key value; do
      [[ $value =~ ^[0-9]+$ ]] || continue
      case $key in
        PG_PORT) PG_PORT=$value ;;
        PGBOUNCER_PORT) PGBOUNCER_PORT=$value ;;
        REDIS_PORT) REDIS_PORT=$value ;;
      esac
    done <"$state"
    if [[ "$want_pg/$want_pgb/$want_redis" != "$PG_PORT/$PGBOUNCER_PORT/$REDIS_PORT" ]] &&
      [[ -n ${PG_PORT_SET:-}${PGBOUNCER_PORT_SET:-}${REDIS_PORT_SET:-} ]]; then
      log "note: $DIR was created with ports pg=$PG_PORT pgbouncer=$PGBOUNCER_PORT redis=$REDIS_PORT; ignoring the requested ports (stop first to change them)"
    fi
  fi
  check_port PG_PORT "$PG_PORT"
  check_port PGBOUNCER_PORT "$PGBOUNCER_PORT"
  check_port REDIS_PORT "$REDIS_PORT"
}

write_state() {
  local state="$DIR/$STATE_FILE_NAME"
  [[ -f $state ]] && return 0
  printf 'PG_PORT=%s\nPGBOUNCER_PORT=%s\nREDIS_PORT=%s\n' \
    "$PG_PORT" "$PGBOUNCER_PORT" "$REDIS_PORT" >"$state.tmp"
  mv -f "$state.tmp" "$state"
}

print_env() {
  local auth="$DB_USER:$DB_PASSWORD"
  {
    printf 'export %s=%q\n' DATABASE_URL "postgres://$auth@127.0.0.1:$PGBOUNCER_PORT/$DB_NAME"
    printf 'export %s=%q\n' DATABASE_DIRECT_URL "postgres://$auth@127.0.0.1:$PG_PORT/$DB_NAME"
    printf 'export %s=%q\n' REDIS_URL "redis://127.0.0.1:$REDIS_PORT"
    printf 'export %s=%q\n' PGBOUNCER_ADMIN_URL "postgres://$auth@127.0.0.1:$PGBOUNCER_PORT/pgbouncer"
    printf 'export %s=%q\n' SERVICES_DIR "$DIR"
  } >&3
}

# A directory we may use (and later rm -rf): missing, empty, or made by us.
prepare_dir() {
  if [[ -e $DIR && ! -d $DIR ]]; then
    die "$DIR exists and is not a directory"
  fi
  if [[ -d $DIR && ! -e $DIR/$MARKER && -n $(ls -A -- "$DIR") ]]; then
    die "$DIR is not empty and was not created by this script; refusing to use it"
  fi
  mkdir -p -- "$DIR"
  touch -- "$DIR/$MARKER"
  if is_root; then
    ensure_svc_user
    chown "$SVC_USER:" -- "$DIR"
    if ! run_as_svc_in / test -w "$DIR" -a -x "$DIR"; then
      die "user $SVC_USER cannot access $DIR (every parent directory must be searchable by it); pass a DIR such as /tmp/pos-services"
    fi
  fi
}

require_dir() {
  [[ -d $DIR && -e $DIR/$MARKER ]] ||
    die "no services directory at $DIR (run: $0 start $DIR)"
}

take_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>>"$DIR/.services.lock"
  flock -w 120 9 || die "timed out waiting for the lock on $DIR/.services.lock (another services.sh run?)"
}

# ---------------------------------------------------------------------------
# Users, binaries, packages
# ---------------------------------------------------------------------------

ensure_svc_user() {
  id -u "$SVC_USER" >/dev/null 2>&1 && return 0
  log "creating system user $SVC_USER"
  if command -v useradd >/dev/null 2>&1; then
    useradd -r -m -d /var/lib/postgresql -s /bin/sh -U "$SVC_USER" 2>/dev/null ||
      useradd -r -m -d /var/lib/postgresql -s /bin/sh "$SVC_USER"
  else
    adduser --system --group --home /var/lib/postgresql --shell /bin/sh "$SVC_USER"
  fi
}

# Run a command as the service user (as ourselves when not root), in DIR so
# that tools never trip over an unreadable working directory such as /root.
# fd 3 (our real stdout) and fd 9 (the lock) are closed: daemons inheriting
# them would hold the lock forever and make `eval "$(... start)"` hang.
run_as_svc_in() {
  local wd=$1
  shift
  if is_root; then
    if command -v runuser >/dev/null 2>&1; then
      (cd -- "$wd" && runuser -u "$SVC_USER" -- env HOME="$wd" "$@") 3>&- 9>&-
    else
      local cmd
      cmd=$(printf '%q ' "$@")
      (cd -- "$wd" && HOME="$wd" su "$SVC_USER" -s /bin/sh -c "$cmd") 3>&- 9>&-
    fi
  else
    (cd -- "$wd" && "$@") 3>&- 9>&-
  fi
}
as_svc() { run_as_svc_in "$DIR" "$@"; }

# Non-root users often lack /usr/sbin (pgbouncer lives there) in PATH.
find_bin() {
  local name=$1 d
  if command -v "$name" >/dev/null 2>&1; then
    command -v "$name"
    return 0
  fi
  for d in /usr/sbin /sbin /usr/bin /usr/local/bin /usr/local/sbin; do
    if [[ -x $d/$name ]]; then
      printf '%s\n' "$d/$name"
      return 0
    fi
  done
  return 1
}

pg_bins_present() {
  local b
  for b in initdb pg_ctl postgres pg_isready psql; do
    [[ -x $PG_BIN/$b ]] || return 1
  done
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install manually: $*"
  if ((APT_UPDATED == 0)); then
    log "apt-get update"
    apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  # Package scripts may try to start the distribution's own services (and
  # fail in containers without an init system). We never use those services,
  # so a failing install is only fatal if the binaries are still missing,
  # which the caller re-checks.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade "$@" ||
    log "warning: apt-get install $* reported an error; checking binaries anyway"
}

# ensure_binaries pg|pgbouncer|redis...
ensure_binaries() {
  local want=" $* " pkgs=() missing=()
  if [[ $want == *" pg "* || $want == *" pgbouncer "* ]] && ! pg_bins_present; then
    missing+=("PostgreSQL 15 in $PG_BIN")
    pkgs+=(postgresql-15)
  fi
  if [[ $want == *" pgbouncer "* ]] && ! find_bin pgbouncer >/dev/null; then
    missing+=(pgbouncer)
    pkgs+=(pgbouncer)
  fi
  if [[ $want == *" redis "* ]] && ! { find_bin redis-server >/dev/null && find_bin redis-cli >/dev/null; }; then
    missing+=(redis-server/redis-cli)
    pkgs+=(redis-server)
  fi

  if ((${#pkgs[@]})); then
    if ! is_root; then
      die "missing: ${missing[*]}. Install them (as root: apt-get install ${pkgs[*]}) or run this script as root."
    fi
    local i
    for i in "${!pkgs[@]}"; do
      if [[ ${pkgs[$i]} == postgresql-15 ]]; then
        # need the package lists before asking for a candidate
        if ((APT_UPDATED == 0)) && command -v apt-get >/dev/null 2>&1; then
          log "apt-get update"
          apt-get update -qq || die "apt-get update failed"
          APT_UPDATED=1
        fi
        # (no `| grep -q` here: with pipefail, grep's early exit SIGPIPEs apt-cache)
        local policy
        policy=$(apt-cache policy postgresql-15 2>/dev/null || true)
        if [[ $policy != *"Candidate: "[0-9]* ]]; then
          pkgs[i]=postgresql
        fi
      fi
    done
    apt_install "${pkgs[@]}"
  fi

  if [[ $want == *" pg "* || $want == *" pgbouncer "* ]]; then
    pg_bins_present || die "PostgreSQL 15 binaries not found in $PG_BIN (installed: $(ls /usr/lib/postgresql 2>/dev/null | tr '\n' ' ')); set PG_BIN"
  fi
  if [[ $want == *" pgbouncer "* ]]; then
    PGBOUNCER_BIN=$(find_bin pgbouncer) || die "pgbouncer binary not found"
  fi
  if [[ $want == *" redis "* ]]; then
    REDIS_SERVER_BIN=$(find_bin redis-server) || die "redis-server binary not found"
    REDIS_CLI_BIN=$(find_bin redis-cli) || die "redis-cli binary not found"
  fi
}

# ---------------------------------------------------------------------------
# Generic helpers
# ---------------------------------------------------------------------------

port_open() { (exec 5<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_port_free() {
  local name=$1 port=$2 var=$3
  if port_open "$port"; then
    die "port $port (for $name) is already in use by another process; stop it, or choose another port with $var=... (and a fresh DIR)"
  fi
}

# wait_for NAME LOGFILE CMD...: poll CMD until success or timeout.
wait_for() {
  local name=$1 logfile=$2
  shift 2
  local deadline=$((SECONDS + WAIT_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      fail_with_log "$name did not become ready within ${WAIT_TIMEOUT}s" "$logfile"
    fi
    sleep 0.2
  done
}

fail_with_log() {
  local msg=$1 logfile=$2
  log "$msg"
  if [[ -f $logfile ]]; then
    log "last lines of $logfile:"
    tail -n 40 -- "$logfile" >&2 || true
  else
    log "(no log file at $logfile)"
  fi
  die "$msg"
}

# pid from a pidfile if it names a live process whose command is $2.
live_pid() {
  local pidfile=$1 comm=$2 pid
  [[ -f $pidfile ]] || return 1
  pid=$(head -n 1 -- "$pidfile" 2>/dev/null | tr -dc '0-9')
  [[ -n $pid ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r /proc/$pid/comm ]]; then
    [[ $(cat "/proc/$pid/comm") == "$comm"* ]] || return 1
  fi
  printf '%s\n' "$pid"
}

# wait_gone PID SECONDS: 0 when the process has exited.
wait_gone() {
  local pid=$1 limit=$2 deadline
  deadline=$((SECONDS + limit))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }
sql_quote() { printf '%s' "${1//\'/\'\'}"; }

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------

pg_running() {
  [[ -f $DIR/pg/postmaster.pid ]] || return 1
  as_svc "$PG_BIN/pg_ctl" -D "$DIR/pg" status >/dev/null 2>&1
}

pg_ready() {
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -t 2
}

psql_admin() {
  PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_init() {
  [[ -f $DIR/pg/PG_VERSION ]] && return 0
  rm -rf -- "$DIR/pg" # leftovers of an interrupted initdb
  log "initdb $DIR/pg"
  local initlog="$DIR/initdb.log"
  : >"$initlog"
  if ! as_svc "$PG_BIN/initdb" -D "$DIR/pg" -A trust -U postgres -E UTF8 \
    --locale=C.UTF-8 >>"$initlog" 2>&1; then
    log "initdb with locale C.UTF-8 failed; retrying with locale C"
    rm -rf -- "$DIR/pg"
    as_svc "$PG_BIN/initdb" -D "$DIR/pg" -A trust -U postgres -E UTF8 \
      --locale=C >>"$initlog" 2>&1 || fail_with_log "initdb failed" "$initlog"
  fi

  # Unix sockets live in DIR; sun_path is limited to 107 bytes, so for a very
  # long DIR we serve TCP only (every client here uses 127.0.0.1 anyway).
  local sockdir=$DIR
  if ((${#DIR} + ${#PG_PORT} + 12 > 100)); then
    log "note: $DIR is too long for a unix socket path; PostgreSQL will listen on TCP only"
    sockdir=
  fi

  # Throwaway, but realistic: durability settings stay at their defaults (on).
  cat >>"$DIR/pg/postgresql.conf" <<EOF

# --- added by deploy/local/services.sh -------------------------------------
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$(sql_quote "$sockdir")'
max_connections = 200
shared_buffers = 256MB
fsync = on
synchronous_commit = on
full_page_writes = on
# Room for bulk loads (benchmark presets) without a checkpoint every few seconds.
max_wal_size = 8GB
checkpoint_timeout = 15min
# slow query log
log_min_duration_statement = 250
log_line_prefix = '%m [%p] %q%u@%d '
# logging_collector off: the server's stderr goes to DIR/pg.log (pg_ctl -l)
logging_collector = off
EOF
}

pg_setup_db() {
  # `pos` is a SUPERUSER: the app runs CREATE EXTENSION pg_trgm / btree_gin /
  # btree_gist in its migrations. (All are "trusted" extensions since PG 13, so a plain
  # database owner would do too, but a superuser keeps this throwaway DB
  # simple and mirrors what migrations may need later.)
  local pw
  pw=$(sql_quote "$DB_PASSWORD")
  psql_admin <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER;
  END IF;
END
\$\$;
ALTER ROLE $DB_USER WITH LOGIN SUPERUSER PASSWORD '$pw';
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER ENCODING ''UTF8'''
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')\gexec
GRANT ALL ON DATABASE $DB_NAME TO $DB_USER;
SQL
}

start_pg() {
  pg_init
  if pg_running; then
    log "postgres already running on 127.0.0.1:$PG_PORT"
  else
    ensure_port_free postgres "$PG_PORT" PG_PORT
    log "starting postgres on 127.0.0.1:$PG_PORT"
    if ! as_svc "$PG_BIN/pg_ctl" -D "$DIR/pg" -l "$DIR/pg.log" -w -t "$WAIT_TIMEOUT" start >/dev/null; then
      fail_with_log "postgres failed to start" "$DIR/pg.log"
    fi
  fi
  wait_for postgres "$DIR/pg.log" pg_ready
  pg_setup_db || fail_with_log "creating role/database $DB_NAME failed" "$DIR/pg.log"
}

stop_pg() {
  [[ -f $DIR/pg/PG_VERSION ]] || return 0
  pg_bins_present || {
    log "warning: $PG_BIN missing; cannot stop postgres cleanly"
    return 0
  }
  if pg_running; then
    log "stopping postgres"
    as_svc "$PG_BIN/pg_ctl" -D "$DIR/pg" -m fast -w -t 30 stop >/dev/null ||
      as_svc "$PG_BIN/pg_ctl" -D "$DIR/pg" -m immediate -w -t 30 stop >/dev/null ||
      log "warning: postgres did not stop"
  fi
}

# ---------------------------------------------------------------------------
# PgBouncer
# ---------------------------------------------------------------------------

pgbouncer_ready() {
  [[ $(PGPASSWORD=$DB_PASSWORD PGCONNECT_TIMEOUT=2 "$PG_BIN/psql" -X -tA \
    -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U "$DB_USER" -d "$DB_NAME" -c 'SELECT 1' 2>/dev/null) == 1 ]]
}

render_pgbouncer_conf() {
  [[ -f $PGBOUNCER_TEMPLATE ]] || die "PgBouncer template $PGBOUNCER_TEMPLATE not found"
  local out="$DIR/pgbouncer.ini"
  sed -e "s|@DIR@|$(sed_escape "$DIR")|g" \
    -e "s|@PG_PORT@|$PG_PORT|g" \
    -e "s|@PGBOUNCER_PORT@|$PGBOUNCER_PORT|g" \
    "$PGBOUNCER_TEMPLATE" >"$out.tmp"
  if grep -n '@[A-Z_]*@' "$out.tmp" >&2; then
    die "unsubstituted placeholder(s) in $PGBOUNCER_TEMPLATE (see above)"
  fi
  mv -f "$out.tmp" "$out"
  # auth file: plain-text password, so PgBouncer can both verify md5 from
  # clients and log in to the server as this user.
  (umask 077 && printf '"%s" "%s"\n' "$DB_USER" "$DB_PASSWORD" >"$DIR/userlist.txt")
  if is_root; then
    chown "$SVC_USER:" -- "$out" "$DIR/userlist.txt"
  fi
}

start_pgbouncer() {
  if live_pid "$DIR/pgbouncer.pid" pgbouncer >/dev/null; then
    log "pgbouncer already running on 127.0.0.1:$PGBOUNCER_PORT"
  else
    rm -f -- "$DIR/pgbouncer.pid"
    ensure_port_free pgbouncer "$PGBOUNCER_PORT" PGBOUNCER_PORT
    render_pgbouncer_conf
    log "starting pgbouncer on 127.0.0.1:$PGBOUNCER_PORT"
    if ! as_svc "$PGBOUNCER_BIN" -d "$DIR/pgbouncer.ini"; then
      fail_with_log "pgbouncer failed to start" "$DIR/pgbouncer.log"
    fi
  fi
  wait_for pgbouncer "$DIR/pgbouncer.log" pgbouncer_ready
}

stop_pgbouncer() {
  local pid
  if pid=$(live_pid "$DIR/pgbouncer.pid" pgbouncer); then
    log "stopping pgbouncer (pid $pid)"
    # SIGTERM: immediate shutdown (SIGINT would wait for clients to leave).
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 10; then
      log "pgbouncer did not exit; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || true
    fi
  fi
  rm -f -- "$DIR/pgbouncer.pid"
}

# ---------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------

redis_ready() {
  [[ $("$REDIS_CLI_BIN" -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

start_redis() {
  if live_pid "$DIR/redis.pid" redis-server >/dev/null; then
    log "redis already running on 127.0.0.1:$REDIS_PORT"
  else
    rm -f -- "$DIR/redis.pid"
    ensure_port_free redis "$REDIS_PORT" REDIS_PORT
    as_svc mkdir -p "$DIR/redis"
    log "starting redis on 127.0.0.1:$REDIS_PORT"
    if ! as_svc "$REDIS_SERVER_BIN" --port "$REDIS_PORT" --bind 127.0.0.1 \
      --daemonize yes --dir "$DIR/redis" --pidfile "$DIR/redis.pid" \
      --logfile "$DIR/redis.log" --save '' --appendonly no; then
      fail_with_log "redis failed to start" "$DIR/redis.log"
    fi
  fi
  wait_for redis "$DIR/redis.log" redis_ready
}

stop_redis() {
  local pid
  if pid=$(live_pid "$DIR/redis.pid" redis-server); then
    log "stopping redis (pid $pid)"
    if [[ -n $REDIS_CLI_BIN ]]; then
      "$REDIS_CLI_BIN" -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
    if ! wait_gone "$pid" 10; then
      kill -TERM "$pid" 2>/dev/null || true
      if ! wait_gone "$pid" 5; then
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 5 || true
      fi
    fi
  fi
  rm -f -- "$DIR/redis.pid"
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

cmd_start() {
  ensure_binaries pg pgbouncer redis
  prepare_dir
  take_lock
  load_ports
  write_state
  start_pg
  start_pgbouncer
  start_redis
  log "all services up in $DIR"
  print_env
}

cmd_env() {
  load_ports
  if [[ ! -f $DIR/$STATE_FILE_NAME ]]; then
    log "warning: no services started in $DIR; printing default settings"
  fi
  print_env
}

cmd_stop() {
  if [[ ! -e $DIR ]]; then
    log "nothing to stop: $DIR does not exist"
    return 0
  fi
  [[ -d $DIR && -e $DIR/$MARKER ]] ||
    die "$DIR was not created by this script; refusing to stop/delete it"
  take_lock
  load_ports
  REDIS_CLI_BIN=$(find_bin redis-cli || true)
  stop_redis
  stop_pgbouncer
  stop_pg
  log "removing $DIR"
  rm -rf -- "$DIR"
}

cmd_helper() {
  require_dir
  take_lock
  load_ports
  case $1 in
    stop-redis)
      REDIS_CLI_BIN=$(find_bin redis-cli || true)
      stop_redis
      ;;
    start-redis)
      ensure_binaries redis
      start_redis
      ;;
    restart-redis)
      ensure_binaries redis
      stop_redis
      start_redis
      ;;
    stop-pgbouncer) stop_pgbouncer ;;
    start-pgbouncer)
      ensure_binaries pgbouncer
      start_pgbouncer
      ;;
  esac
}

main() {
  (($# >= 1 && $# <= 2)) || usage
  local cmd=$1
  # remember which ports the caller set explicitly (for the mismatch note)
  PG_PORT_SET=${PG_PORT:+1} PGBOUNCER_PORT_SET=${PGBOUNCER_PORT:+1} REDIS_PORT_SET=${REDIS_PORT:+1}
  case $cmd in
    start | stop | env | restart-redis | stop-redis | start-redis | stop-pgbouncer | start-pgbouncer) ;;
    -h | --help | help) usage ;;
    *) usage ;;
  esac
  resolve_dir "${2:-}"
  case $cmd in
    start) cmd_start ;;
    env) cmd_env ;;
    stop) cmd_stop ;;
    *) cmd_helper "$cmd" ;;
  esac
}

main "$@"
