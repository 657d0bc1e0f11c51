"""Token fetches for 1,000 calls placed from 4 processes sharing one database.

Each process runs bench/place_calls.py (the web flow's own service, calls.placing.call_place)
for 250 calls. The AICC simulator runs in its own process and counts every tokenByAkSk it
answers. Target: 1 fetch while the token is valid.

    .venv/bin/python bench/token_fetches.py [--processes 4] [--calls 1000]
"""

import argparse
import json
import os
import subprocess
import sys
import time

from _setup import ROOT, bootstrap


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--processes", type=int, default=4)
    ap.add_argument("--calls", type=int, default=1000)
    args = ap.parse_args()
    sim, tenant, (m,) = bootstrap(managers=1)
    softphone = tenant.softphones.get(user=m.user).softphone
    per = args.calls // args.processes
    env = {**os.environ, "DJANGO_ENV": "development"}
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "bench" / "place_calls.py"),
                "--tenant",
                tenant.slug,
                "--softphone",
                softphone,
                "--count",
                str(per),
                "--prefix",
                f"133{n}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(args.processes)
    ]
    placed = 0
    for p in procs:
        out, _ = p.communicate(timeout=600)
        placed += json.loads(out.strip().splitlines()[-1])["placed"]
    wall = time.perf_counter() - t0
    stats = sim.stats()
    print(
        f"{placed} of {per * args.processes} calls placed from {args.processes} processes in {wall:.1f} s"
    )
    print(f"simulator createCall requests: {stats['create_calls']}")
    print(
        f"token fetches counted by the simulator: {sum(stats['token_fetches'].values())}  (target: 1)"
    )
    sim.stop()


if __name__ == "__main__":
    main()
