#!/bin/sh
# The last step of `make run`: the AICC simulator and the console side by side until Ctrl-C.
# Ctrl-C (SIGINT, to this shell or to the whole process group), SIGTERM or SIGHUP stops both;
# so does either one exiting on its own (a port already in use, say).
# Reads PYTHON (the venv's), HOST, PORT and SIM_PORT from the environment (the Makefile sets them).
set -u
sim='' web=''

stop() {
    kill $sim $web 2>/dev/null
    wait
}
trap 'stop; echo "Stopped the console and the AICC simulator."; exit 0' INT TERM HUP

"$PYTHON" manage.py aicc_simulator --host "$HOST" --port "$SIM_PORT" &
sim=$!
DJANGO_RUNSERVER_HIDE_WARNING=true "$PYTHON" manage.py runserver --noreload --skip-checks \
    "$HOST:$PORT" &
web=$!

# The summary once the console answers (up to 30 s).
"$PYTHON" - "$HOST" "$PORT" <<'EOF'
import signal, socket, sys, time

signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C while waiting: no traceback
for _ in range(300):
    try:
        socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
        break
    except OSError:
        time.sleep(0.1)
EOF
if kill -0 $sim 2>/dev/null && kill -0 $web 2>/dev/null; then
    cat <<EOF

  Console         http://$HOST:$PORT/   (logins above, password demo-pass-2026)
  AICC simulator  http://$HOST:$SIM_PORT/
  Ports           PORT=$PORT SIM_PORT=$SIM_PORT; to change them: make run PORT=8080 SIM_PORT=9099
  Stop            Ctrl-C stops both

EOF
fi

while kill -0 $sim 2>/dev/null && kill -0 $web 2>/dev/null; do
    sleep 1
done
stop
echo "The console or the AICC simulator has stopped (see above), so the other one was stopped too."
exit 1
