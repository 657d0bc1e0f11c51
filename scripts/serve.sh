#!/bin/sh
# The last step of `make run`: the AICC simulator, the console and its background worker side by
# side until Ctrl-C. Ctrl-C (SIGINT, to this shell or to the whole process group), SIGTERM or SIGHUP
# stops all three; so does any one of them exiting on its own (a port already in use, say).
# Reads PYTHON (the venv's), HOST, PORT, SIM_PORT and SIM_CONFIG (the simulator's configuration:
# the demo account's callback URLs; optional) from the environment (the Makefile sets them).
set -u
sim='' web='' worker=''

stop() {
    kill $sim $web $worker 2>/dev/null
    wait
}
trap 'stop; echo "Stopped the console, its worker and the AICC simulator."; exit 0' INT TERM HUP

if [ -n "${SIM_CONFIG:-}" ]; then
    "$PYTHON" manage.py aicc_simulator --host "$HOST" --port "$SIM_PORT" --config "$SIM_CONFIG" &
else
    "$PYTHON" manage.py aicc_simulator --host "$HOST" --port "$SIM_PORT" &
fi
sim=$!
DJANGO_RUNSERVER_HIDE_WARNING=true "$PYTHON" manage.py runserver --noreload --skip-checks \
    "$HOST:$PORT" &
web=$!
# Outcome sync and the sweep of stuck calls on schedule (docs/deploy.md, "The worker").
"$PYTHON" manage.py run_worker --skip-checks &
worker=$!

running() {
    kill -0 $sim 2>/dev/null && kill -0 $web 2>/dev/null && kill -0 $worker 2>/dev/null
}

# The summary once the console answers (up to 30 s).
"$PYTHON" - "$HOST" "$PORT" <<'PY'
import signal, socket, sys, time

signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C while waiting: no traceback
for _ in range(300):
    try:
        socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
        break
    except OSError:
        time.sleep(0.1)
PY
if running; then
    cat <<MSG

  Console         http://$HOST:$PORT/   (logins above, password demo-pass-2026)
  AICC simulator  http://$HOST:$SIM_PORT/   (pushes call events to the console)
  Worker          syncs call outcomes and sweeps stuck calls in the background
  Ports           PORT=$PORT SIM_PORT=$SIM_PORT; to change them: make run PORT=8080 SIM_PORT=9099
  Stop            Ctrl-C stops all three

MSG
fi

while running; do
    sleep 1
done
stop
echo "The console, its worker or the AICC simulator has stopped (see above), so the others were stopped too."
exit 1
