# A throwaway PostgreSQL cluster on a free loopback port, for CI and by hand:
#   source .ci/postgres.sh; pg_start; DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/console ...; pg_stop
# Trust authentication, listening on 127.0.0.1 only, data and socket in a temporary folder that
# pg_stop removes. initdb refuses to run as root, so as root the server runs as the `postgres`
# user (created by Debian's postgresql package).

_pg_bin() {
  if ! command -v initdb >/dev/null || ! command -v pg_ctl >/dev/null; then
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    [ -n "$bin" ] && PATH="$bin:$PATH"
  fi
  command -v initdb >/dev/null && command -v pg_ctl >/dev/null
}

_pg_as() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  _pg_bin || { echo "initdb/pg_ctl not found: apt-get install postgresql" >&2; return 1; }
  # As root the server runs as `postgres`; make that user if the binaries came without it.
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  PGDIR=$(mktemp -d /tmp/console-pg.XXXXXX)
  PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export PGDIR PGPORT
  [ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
  _pg_as initdb -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 >"$PGDIR/initdb.log" 2>&1 \
    || { cat "$PGDIR/initdb.log" >&2; return 1; }
  # fsync off: a test cluster that is thrown away need not survive a power cut.
  _pg_as pg_ctl -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$PGDIR/log" >&2; return 1; }
  _pg_as psql -h 127.0.0.1 -p "$PGPORT" -U postgres -q -c "CREATE DATABASE console" >/dev/null || return 1
  echo "PostgreSQL $(_pg_as pg_ctl --version | awk '{print $3}') on 127.0.0.1:$PGPORT ($PGDIR)"
}

pg_stop() {
  [ -n "${PGDIR:-}" ] && [ -d "$PGDIR" ] || return 0
  _pg_as pg_ctl -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
  unset PGDIR
}
