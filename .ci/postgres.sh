# Starts a throwaway PostgreSQL cluster on a free loopback port (sourced by .ci/run and usable by hand:
#   source .ci/postgres.sh; pg_start; ...; pg_stop).
# initdb refuses to run as root, so the server runs as the `postgres` user when we are root.
pg_start() {
  PGDIR=$(mktemp -d /tmp/console-pg.XXXXXX)
  PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export PGDIR PGPORT
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PGDIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" initdb -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
  "${as[@]}" pg_ctl -D "$PGDIR/data" -l "$PGDIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c max_connections=200 -c fsync=off" start >/dev/null
  "${as[@]}" psql -h 127.0.0.1 -p "$PGPORT" -U postgres -q -c "CREATE DATABASE console" >/dev/null
  echo "PostgreSQL on 127.0.0.1:$PGPORT ($PGDIR)"
}

pg_stop() {
  [ -n "${PGDIR:-}" ] || return 0
  local as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  "${as[@]}" pg_ctl -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
