#!/usr/bin/env bash
# Interleaved A/B load benchmark (docs/performance.md): bench/load.py on two git revisions, run
# alternately (A, B, A, B, ...) against one throwaway PostgreSQL, then a table of calls/s and p99
# per run, the median per revision and the B/A ratio.
#
#   bench/ab.sh [--rounds N] [--duration SECONDS] [A [B]] [-- load.py arguments]
#
# A defaults to the merge-base of main and HEAD, B to HEAD (committed work only). Each revision
# is checked out into a throwaway worktree (git worktree add --detach, in a temporary folder) and
# run with this checkout's .venv/bin/python, PYTHONPATH set to the worktree, so the servers import
# the worktree's code (checked before the first run). Both revisions are driven by this
# checkout's bench/load.py, so only the console differs. Each run gets a fresh database.
#
# Examples:
#   bench/ab.sh                                   # merge-base of main vs HEAD, 3 rounds of 20 s
#   bench/ab.sh --rounds 5 HEAD~1 HEAD            # is the last commit faster or slower?
#   bench/ab.sh main h-tricks -- --clients 64 --rate 300
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

rounds=3
duration=""
revs=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n | --rounds) rounds=$2; shift 2 ;;
    -d | --duration) duration=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    -*) echo "unknown option $1 (load.py's options go after --)" >&2; exit 2 ;;
    *) revs+=("$1"); shift ;;
  esac
done
[ ${#revs[@]} -le 2 ] || { echo "at most two revisions (A and B)" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || { echo "$PY not found: run make install first" >&2; exit 1; }
cd "$ROOT"

commit() { git rev-parse --verify --quiet "$1^{commit}" || { echo "no such revision: $1" >&2; exit 2; }; }
A=$(commit "${revs[0]:-$(git merge-base main HEAD)}")
B=$(commit "${revs[1]:-HEAD}")

unset PYTHONDONTWRITEBYTECODE  # the compiled files are the check that a worktree's code ran
tmp=$(mktemp -d /tmp/console-ab.XXXXXX)
results=$(mktemp -d /tmp/console-ab-results.XXXXXX)
source .ci/postgres.sh

cleanup() {
  pg_stop
  for side in a b; do
    [ -d "$tmp/$side" ] && git worktree remove --force "$tmp/$side"
  done
  rm -rf "$tmp"
  git worktree prune
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One worktree per revision, with its translations compiled (.mo files are built, not committed)
# and this checkout's load generator.
checkout() {
  local side=$1 rev=$2 wt="$tmp/$1"
  git worktree add --quiet --detach "$wt" "$rev"
  for po in "$wt"/locale/*/LC_MESSAGES/django.po; do
    [ -e "$po" ] && msgfmt -o "${po%.po}.mo" "$po"
  done
  cp "$ROOT/bench/load.py" "$wt/bench/load.py"
  # The servers start as `python -m gunicorn` in the worktree with this PYTHONPATH: check that
  # such a process imports the worktree's packages, not this checkout's (the editable install).
  local found
  found=$(cd "$wt" && PYTHONPATH="$wt" "$PY" -c 'import calls, console; print(calls.__file__); print(console.__file__)')
  while read -r file; do
    case "$file" in
      "$wt"/*) ;;
      *) echo "revision $side imports $file, not its worktree's code" >&2; exit 1 ;;
    esac
  done <<<"$found"
  echo "$side = $(git log -1 --format='%h %s' "$rev")"
  echo "    code from $(dirname "$(dirname "$(head -n1 <<<"$found")")")"
}
checkout a "$A"
checkout b "$B"

pg_start

run() {
  local side=$1 n=$2 wt="$tmp/$1"
  _pg_as psql -h 127.0.0.1 -p "$PGPORT" -U postgres -q \
    -c "DROP DATABASE IF EXISTS console WITH (FORCE)" -c "CREATE DATABASE console" >/dev/null
  echo "run $n: ${side^^}" >&2
  (
    cd "$wt"
    PYTHONPATH="$wt" DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/console" \
      "$PY" bench/load.py --json ${duration:+--duration "$duration"} ${extra[@]+"${extra[@]}"}
  ) | tail -n1 >"$results/$(printf '%02d' "$n")-${side^^}.json"
  # Only the gunicorn servers import console.wsgi: its compiled file in the worktree shows that
  # they ran the worktree's code.
  compgen -G "$wt/console/__pycache__/wsgi.*.pyc" >/dev/null \
    || { echo "the servers of run $n did not import $wt/console/wsgi.py" >&2; exit 1; }
}

n=0
for _ in $(seq "$rounds"); do
  run a $((n += 1))
  run b $((n += 1))
done

AB_A=$(git log -1 --format=%h "$A") AB_B=$(git log -1 --format=%h "$B") "$PY" - "$results" <<'EOF'
import json
import os
import statistics
import sys
from pathlib import Path

runs = []
for path in sorted(Path(sys.argv[1]).glob("*.json")):
    number, side = path.stem.split("-")
    runs.append((int(number), side, json.loads(path.read_text())))
label = {"A": os.environ["AB_A"], "B": os.environ["AB_B"]}

print(f"\n{'run':>3}  {'rev':<11}{'calls/s':>9}{'p99 ms':>9}{'p50 ms':>9}{'lost':>6}  target")
for number, side, r in runs:
    target = "not met: " + "; ".join(r["target_missed"]) if r["target_missed"] else "met"
    print(
        f"{number:>3}  {side} {label[side]:<9}{r['calls_per_s']:>9}{r['p99_ms']:>9}"
        f"{r['p50_ms']:>9}{r['lost']:>6}  {target}"
    )

median = {}
for side in "AB":
    mine = [r for _, s, r in runs if s == side]
    median[side] = {k: statistics.median(r[k] for r in mine) for k in ("calls_per_s", "p99_ms")}
    print(
        f"median {side} {label[side]}: {median[side]['calls_per_s']:g} calls/s, "
        f"p99 {median[side]['p99_ms']:g} ms ({len(mine)} runs)"
    )
a, b = median["A"], median["B"]
print(
    f"B/A: calls/s {b['calls_per_s'] / a['calls_per_s']:.3f}, p99 {b['p99_ms'] / a['p99_ms']:.3f}"
)
print(f"(each run's full results: {sys.argv[1]})")
EOF
