"""A local receiver for webhook tests: records each request, answers as told, can go down."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hooks import services


class Receiver:
    def __init__(self):
        self.received = []  # (headers dict, body str)
        self.answer = 204
        self.port = 0
        self.server = None
        self.alive = True
        self.lock = threading.Lock()
        self.up()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def up(self):
        receiver = self
        self.alive = True

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                if not receiver.alive:  # a connection kept open across down(): drop it
                    self.close_connection = True
                    return
                body = self.rfile.read(int(self.headers["content-length"])).decode()
                with receiver.lock:
                    receiver.received.append(
                        ({k.lower(): v for k, v in self.headers.items()}, body)
                    )
                status = receiver.answer
                payload = b"x" * 100_000 if status == 200 else b""
                self.send_response(status)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self):
        self.alive = False
        self.server.shutdown()
        self.server.server_close()

    def bodies(self):
        return [body for _, body in self.received]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.down()


@pytest.fixture
def endpoint(tenant, admin, receiver):
    ep, secret = services.endpoint_create(
        tenant=tenant,
        actor=admin,
        url=receiver.url,
        events=["call.placed", "call.failed", "call.ended"],
    )
    ep.plain_secret = secret
    return ep
