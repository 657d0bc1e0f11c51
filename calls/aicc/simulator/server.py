"""The HTTP side: the request handler, the threading server, and ``Simulator`` (start, stop)."""

from __future__ import annotations

import json
import logging
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from calls.aicc.simulator.callbacks import run_ticker
from calls.aicc.simulator.control import handle_control
from calls.aicc.simulator.interfaces import get_recording, handle_api, handle_token
from calls.aicc.simulator.replies import Reply, http_error
from calls.aicc.simulator.state import Account, SimState
from calls.aicc.simulator.vendor import API_PATHS, TOKEN_PATH

log = logging.getLogger("calls.aicc.simulator")


def is_loopback(addr: str) -> bool:
    if addr.startswith("::ffff:"):
        addr = addr[7:]
    return addr == "::1" or addr.startswith("127.")


class Simulator:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        accounts: list[Account] | None = None,
        time_scale: float = 1.0,
        recording_ttl: float = 300.0,
        latency_ms: int = 0,
        scenarios: list[dict] | None = None,
    ):
        if time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        self.time_scale = float(time_scale)
        self.recording_ttl = float(recording_ttl)
        self.state = SimState(list(accounts) if accounts else [Account()])
        self.state.latency_ms = int(latency_ms)
        for sc in scenarios or []:
            self.state.add_scenario(sc)
        self._httpd = _Server((host, port), _Handler)
        self._httpd.sim = self
        self.host = host
        self.port = self._httpd.server_address[1]
        wildcard = host in ("", "0.0.0.0", "::")  # noqa: S104 - only to print a usable URL
        url_host = ("127.0.0.1" if host != "::" else "::1") if wildcard else host
        if ":" in url_host:
            url_host = f"[{url_host}]"
        self.url = f"http://{url_host}:{self.port}"
        self._stop = threading.Event()
        self._serving = threading.Event()
        self._thread: threading.Thread | None = None
        self._ticker: threading.Thread | None = None

    @classmethod
    def from_config_file(
        cls, path: str, host: str = "127.0.0.1", port: int = 0, time_scale: float = 1.0
    ) -> Simulator:
        with open(path, encoding="utf-8") as fh:
            cfg = json.load(fh)
        if isinstance(cfg, list):
            cfg = {"accounts": cfg}
        if not isinstance(cfg, dict):
            raise ValueError("config must be a JSON object")
        accounts = [Account.from_dict(a) for a in cfg.get("accounts", [])]
        return cls(
            host=host,
            port=port,
            accounts=accounts or None,
            time_scale=float(cfg.get("time_scale", time_scale)),
            recording_ttl=float(cfg.get("recording_ttl", 300.0)),
            latency_ms=int(cfg.get("latency_ms", 0)),
            scenarios=cfg.get("scenarios", []),
        )

    def _start_ticker(self) -> None:
        if self._ticker is None:
            self._ticker = threading.Thread(
                target=run_ticker,
                args=(self.state, self._stop),
                name="aicc-sim-ticker",
                daemon=True,
            )
            self._ticker.start()

    def start(self) -> Simulator:
        """Serve from a daemon thread."""
        self._start_ticker()
        self._thread = threading.Thread(target=self.serve_forever, name="aicc-sim", daemon=True)
        self._thread.start()
        self._serving.wait(5)
        return self

    def serve_forever(self) -> None:
        """Serve from this thread until ``stop()`` is called from another one."""
        self._start_ticker()
        self._serving.set()
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._serving.clear()

    def stop(self) -> None:
        self._stop.set()
        if self._serving.is_set():
            self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    sim: Simulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AICCSimulator/1.0"
    sys_version = ""
    server: _Server
    # Headers and body go out as two writes; without TCP_NODELAY the second waits for the
    # client's delayed ACK (~40 ms on Linux) and every answer looks slow.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("aicc simulator: %s - %s", self.address_string(), format % args)

    def parse_request(self) -> bool:
        # The request line has arrived: from here on the time is the simulator's own.
        self._started = time.perf_counter()
        return super().parse_request()

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, method: str) -> None:
        try:
            raw = self._read_body()
        except (ValueError, OSError):
            self._send(http_error(400, "unreadable request body"))
            return
        path = urlsplit(self.path).path
        try:
            reply = self._route(method, path, raw)
        except Exception:
            log.exception("aicc simulator: internal error on %s", path)
            reply = http_error(500, "simulator internal error")
        self._send(reply)
        if reply.log_entry is not None:
            # From the request line read to the last byte of the answer written (headers
            # parsed, injected latency included): what bench/call_overhead.py subtracts.
            reply.log_entry["served_ms"] = (time.perf_counter() - self._started) * 1000

    def _route(self, method: str, path: str, raw: bytes) -> Reply:
        sim = self.server.sim
        if path.startswith("/__sim/recordings/") and method == "GET":
            return get_recording(sim.state, path)
        if path.startswith("/__sim/"):
            if not is_loopback(self.client_address[0]):
                return http_error(403, "the simulator control API is loopback-only")
            return handle_control(sim.state, method, path, raw)
        if method != "POST":
            return http_error(
                404 if path not in API_PATHS and path != TOKEN_PATH else 405,
                "only POST is supported",
            )
        if path == TOKEN_PATH:
            return handle_token(sim.state, self.headers, raw)
        return handle_api(sim, path, self.headers, raw)

    def _send(self, reply: Reply) -> None:
        if reply.fault is not None:
            self._fail(reply)
            return
        if reply.raw is not None:
            payload = reply.raw
        else:
            payload = json.dumps(reply.obj, ensure_ascii=False, default=str).encode("utf-8")
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.ctype)
            self.send_header("Content-Length", str(len(payload)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True

    def _fail(self, reply: Reply) -> None:
        """Close the connection without an answer: after a delay, with a FIN, or with a RST."""
        if reply.fault == "timeout":
            time.sleep(reply.delay)
        self.close_connection = True
        try:
            if reply.fault == "reset":
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
