"""Webhook delivery: throughput of one worker, and no loss across a receiver outage.

1. Throughput: N events (default 2,000) are written to the outbox of one endpoint, then one
   worker's delivery loop (hooks.delivery.run_deliverer, WEBHOOK_CONCURRENCY requests in flight)
   sends them to a local receiver (its own process, answers 204 at once). Prints events/s from
   the first claim to the last delivery recorded.
2. Outage: the receiver is stopped, M events (default 500) are written, and the worker keeps
   trying through a 10-minute outage (the clock given to `deliver_due` moves on 5 s per round:
   the retries and their back-off are real, the waiting is not), then the receiver comes back
   and the clock runs on until nothing is pending. Prints the events the receiver got (distinct
   webhook-ids), the attempts, and the lost ones (must be 0).

    .venv/bin/python bench/webhooks.py [--events 2000] [--outage-events 500]
"""

import argparse
import json
import multiprocessing
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _setup import bootstrap


def serve(port_value, ready):
    seen, lock = set(), threading.Lock()
    total = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers["content-length"]))
            with lock:
                seen.add(self.headers["webhook-id"])
                total[0] += 1
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def do_GET(self):
            body = json.dumps({"unique": len(seen), "requests": total[0]}).encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port_value.value), Handler)
    server.daemon_threads = True
    port_value.value = server.server_address[1]
    ready.set()
    server.serve_forever()


class Receiver:
    def __init__(self):
        self.port = multiprocessing.Value("i", 0)
        self.proc = None

    def up(self):
        ready = multiprocessing.Event()
        self.proc = multiprocessing.Process(target=serve, args=(self.port, ready), daemon=True)
        self.proc.start()
        ready.wait(10)

    def down(self):
        self.proc.kill()
        self.proc.join()

    def counts(self):
        import requests

        return requests.get(f"http://127.0.0.1:{self.port.value}/", timeout=5).json()


def write_events(tenant, n):
    from django.db import transaction

    from hooks import events

    for i in range(n):
        with transaction.atomic():
            events.emit(tenant, "call.placed", lambda i=i: {"call": {"id": str(i)}})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--outage-events", type=int, default=500)
    args = ap.parse_args()
    _sim, tenant, _ = bootstrap(managers=1)
    from django.contrib.auth.models import User
    from django.utils import timezone

    from hooks import delivery, services
    from hooks.models import Delivery

    receiver = Receiver()
    receiver.up()
    url = f"http://127.0.0.1:{receiver.port.value}/hook"
    admin = User.objects.get(username="bench0")
    services.endpoint_create(tenant=tenant, actor=admin, url=url, events=["call.placed"])
    tenant.refresh_from_db()

    # 1. Throughput of one worker.
    write_events(tenant, args.events)
    stop = threading.Event()
    started = time.perf_counter()
    worker = threading.Thread(target=delivery.run_deliverer, args=(stop,))
    worker.start()
    while Delivery.objects.filter(status="pending").exists():
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    stop.set()
    worker.join()
    got = receiver.counts()
    print(
        f"throughput: {args.events} events in {elapsed:.2f} s = {args.events / elapsed:.0f} "
        f"events/s (receiver got {got['unique']} distinct, {got['requests']} requests)"
    )

    # 2. A 10-minute outage.
    before = receiver.counts()["unique"]
    receiver.down()
    write_events(tenant, args.outage_events)
    now = timezone.now()
    end_of_outage = now + timedelta(minutes=10)
    rounds = 0
    while now < end_of_outage:
        while delivery.deliver_due("bench", now=now):
            pass
        now += timedelta(seconds=5)
        rounds += 1
    receiver.up()  # the same port
    while Delivery.objects.filter(status="pending").exists():
        delivery.deliver_due("bench", now=now)
        now += timedelta(seconds=5)
    got = receiver.counts()["unique"]
    attempts = sum(
        Delivery.objects.filter(status="delivered")
        .order_by("-id")[: args.outage_events]
        .values_list("attempts", flat=True)
    )
    lost = args.outage_events - got
    print(
        f"outage: receiver down 10 min (clock), {args.outage_events} events written meanwhile, "
        f"{attempts} attempts; after it came back the receiver got {got} "
        f"(before: {before} in its previous life); lost: {lost}; given up: "
        f"{Delivery.objects.filter(status='failed').count()}"
    )
    receiver.down()


if __name__ == "__main__":
    main()
