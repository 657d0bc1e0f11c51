"""calls/aicc/transport.py: the Session, and the client over real sockets on loopback
(refused, timeouts, resets, TLS, an environment proxy, redirects, cookies)."""

from __future__ import annotations

import http.client
import json
import re
import socket
import ssl
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # pytest's rootdir is not on sys.path without a conftest
    sys.path.insert(0, _ROOT)

import pytest  # noqa: E402
import requests  # noqa: E402
import urllib3  # noqa: E402

from calls.aicc import transport  # noqa: E402
from calls.aicc.client import AiccClient  # noqa: E402
from tests.aicc.fakes import SECRET, TOKEN_PATH, TOKEN_VALUE, make_config, run_threads, token_body  # noqa: E402
from tests.aicc.memory_tokens import MemoryTokenSource  # noqa: E402

_ENVIRONMENT = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
)


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch):
    """No proxy and no CA bundle from the machine running the tests; each test sets its own."""
    for name in _ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def shared(monkeypatch):
    """A new process Session for this test (the module's one is put back afterwards)."""
    monkeypatch.setattr(transport, "_session", None)
    monkeypatch.setattr(transport, "_session_pid", None)
    yield
    if transport._session is not None:
        transport._session.close()


# ------------------------------------------------------------------------------------------
# The Session
# ------------------------------------------------------------------------------------------


def test_session_never_retries_and_pools_50_connections_per_host():
    session = transport.new_session()
    for url in ("https://aicc.example.test", "http://aicc.example.test"):
        adapter = session.get_adapter(url)
        assert adapter.max_retries.total == 0 and adapter.max_retries.read is False
        assert adapter.poolmanager.connection_pool_kw["maxsize"] == 50
    assert session.trust_env is True


def test_shared_session_is_one_per_process(shared, monkeypatch):
    first = transport.shared_session()
    assert transport.shared_session() is first
    monkeypatch.setattr(transport, "_session_pid", -1)  # as seen from a forked child
    assert transport.shared_session() is not first


def test_shared_session_thread_safe_creation(shared, monkeypatch):
    created = []
    real_new = transport.new_session

    def counting():
        time.sleep(0.02)
        session = real_new()
        created.append(session)
        return session

    monkeypatch.setattr(transport, "new_session", counting)
    results = run_threads(transport.shared_session, n=8)
    assert len(created) == 1 and all(r is created[0] for r in results)


# ------------------------------------------------------------------------------------------
# Exception mapping
# ------------------------------------------------------------------------------------------


def _caused(exc: BaseException, cause: BaseException) -> BaseException:
    """exc as urllib3 raises it: `raise exc from cause`."""
    exc.__cause__ = cause
    return exc


def _max_retry(reason: Exception) -> urllib3.exceptions.MaxRetryError:
    return urllib3.exceptions.MaxRetryError(None, "/x", reason=reason)


def _new_connection_refused() -> Exception:
    return _caused(
        urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection"),
        ConnectionRefusedError(111, "Connection refused"),
    )


def _refused() -> Exception:
    return requests.exceptions.ConnectionError(_max_retry(_new_connection_refused()))


def _dns() -> Exception:
    gaierror = socket.gaierror(-2, "Name or service not known")
    inner = _caused(urllib3.exceptions.NameResolutionError("h.invalid", None, gaierror), gaierror)
    return requests.exceptions.ConnectionError(_max_retry(inner))


def _reset_chain() -> Exception:
    err = urllib3.exceptions.ProtocolError(
        "Connection aborted.", http.client.RemoteDisconnected("closed")
    )
    return requests.exceptions.ConnectionError(err)


def _read_timeout_in_body() -> Exception:
    # requests raises ConnectionError(ReadTimeoutError) when the body read times out
    inner = _caused(
        urllib3.exceptions.ReadTimeoutError(None, "/x", "Read timed out."),
        TimeoutError("timed out"),
    )
    return requests.exceptions.ConnectionError(inner)


def _proxy_refused() -> Exception:
    inner = urllib3.exceptions.ProxyError("Unable to connect to proxy", _new_connection_refused())
    return requests.exceptions.ProxyError(_max_retry(inner))


@pytest.mark.parametrize(
    "exc, fault",
    [
        (requests.exceptions.ReadTimeout("read"), "timeout"),
        (requests.exceptions.ConnectTimeout("connect"), "timeout"),
        (requests.exceptions.Timeout("t"), "timeout"),
        (_read_timeout_in_body(), "timeout"),
        (_refused(), "refused"),
        (_proxy_refused(), "refused"),
        (_dns(), "dns"),
        (requests.exceptions.SSLError("cert"), "tls"),
        (requests.exceptions.ConnectionError(ssl.SSLError(1, "bad")), "tls"),
        (_reset_chain(), "reset"),
        (requests.exceptions.ConnectionError(ConnectionResetError(104, "reset")), "reset"),
        (requests.exceptions.ChunkedEncodingError("chunk"), "reset"),
        (requests.exceptions.ConnectionError("other"), "reset"),
        (http.client.RemoteDisconnected("closed"), "reset"),
    ],
)
def test_exception_mapping_with_autospec(exc, fault):
    session = requests.Session()
    with mock.patch.object(session, "post", autospec=True, side_effect=exc) as post:
        client = AiccClient(make_config(), tokens=MemoryTokenSource(), session=session)
        out = client.fetch_token()
    assert post.call_count == 1
    assert (out.kind, out.fault, out.interface) == ("transport", fault, "tokenByAkSk")
    assert out.detail and len(out.detail) <= 200
    assert SECRET not in out.detail


def test_programming_errors_propagate():
    session = requests.Session()
    with mock.patch.object(session, "post", autospec=True, side_effect=TypeError("bug")):
        client = AiccClient(make_config(), tokens=MemoryTokenSource(), session=session)
        with pytest.raises(TypeError):
            client.fetch_token()


# ------------------------------------------------------------------------------------------
# Real sockets on loopback
# ------------------------------------------------------------------------------------------


class OneShotServer:
    """A loopback TCP server whose per-connection behaviour is a function."""

    def __init__(self, behaviour):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.behaviour = behaviour
        self.conns = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self.behaviour, args=(conn,), daemon=True).start()

    def close(self):
        self.sock.close()
        for conn in self.conns:
            try:
                conn.close()
            except OSError:
                pass


def _read_request(conn):
    conn.settimeout(5)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return data


def _read_whole_request(conn):
    """Headers and the Content-Length body: a server that closes with the body unread resets
    the connection, and the client may lose the answer."""
    data = _read_request(conn)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    while len(body) < length:
        chunk = conn.recv(4096)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@pytest.fixture
def real_session():
    session = transport.new_session()
    yield session
    session.close()


def _client_for(url, session, **kw):
    cfg = make_config(base_url=url, token_url=url, **kw)
    return AiccClient(cfg, tokens=MemoryTokenSource(), session=session)


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _answer(conn, body: bytes, extra: bytes = b"") -> None:
    """A 200 answer that closes the connection (the next request opens its own)."""
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
        b"Connection: close\r\n%s\r\n%s" % (len(body), extra, body)
    )


def test_real_refused(real_session):
    out = _client_for(f"http://127.0.0.1:{_closed_port()}", real_session).fetch_token()
    assert (out.kind, out.fault) == ("transport", "refused")


def _no_dns(*args, **kwargs):
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def test_real_dns_failure(real_session, monkeypatch):
    """A name that does not resolve (the resolver is replaced: no DNS server is asked)."""
    monkeypatch.setattr(socket, "getaddrinfo", _no_dns)
    out = _client_for("https://aicc.example.test", real_session).fetch_token()
    assert (out.kind, out.fault) == ("transport", "dns")


def test_real_request_through_an_environment_proxy(shared, monkeypatch):
    """HTTP_PROXY with credentials: the request goes to the proxy in absolute form with
    Proxy-Authorization; a host in NO_PROXY is reached directly; a proxy that refuses the
    connection is a refused connection. requests reads these on every request."""
    seen = []

    def proxy(conn):
        seen.append(_read_whole_request(conn))
        _answer(conn, json.dumps(token_body()).encode())

    server = OneShotServer(proxy)
    monkeypatch.setenv("HTTP_PROXY", f"http://user:p%40ss@127.0.0.1:{server.port}")
    try:
        cfg = make_config(base_url="http://aicc.example.test", token_url="http://aicc.example.test")
        out = AiccClient(cfg, tokens=MemoryTokenSource()).fetch_token()
        with monkeypatch.context() as m:
            m.setenv("NO_PROXY", "aicc.example.test")
            m.setattr(socket, "getaddrinfo", _no_dns)
            direct = AiccClient(cfg, tokens=MemoryTokenSource()).fetch_token()
    finally:
        server.close()
    assert out.ok, out
    assert len(seen) == 1
    head = seen[0].decode()
    assert head.startswith("POST http://aicc.example.test" + TOKEN_PATH + " HTTP/1.1")
    assert "proxy-authorization: basic dxnlcjpwqhnz" in head.lower()  # user:p@ss
    assert (direct.kind, direct.fault) == ("transport", "dns")  # went for the host itself

    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    refused = AiccClient(cfg, tokens=MemoryTokenSource()).fetch_token()
    assert (refused.kind, refused.fault) == ("transport", "refused")


def test_real_read_timeout(real_session):
    def hang(conn):
        _read_request(conn)
        time.sleep(2)

    server = OneShotServer(hang)
    try:
        client = _client_for(f"http://127.0.0.1:{server.port}", real_session, read_timeout=0.2)
        out = client.fetch_token()
    finally:
        server.close()
    assert (out.kind, out.fault) == ("transport", "timeout")
    assert 150 <= out.elapsed_ms < 1500


def test_real_remote_disconnect(real_session):
    def drop(conn):
        _read_request(conn)
        conn.close()

    server = OneShotServer(drop)
    try:
        out = _client_for(f"http://127.0.0.1:{server.port}", real_session).fetch_token()
    finally:
        server.close()
    assert (out.kind, out.fault) == ("transport", "reset")
    assert len(server.conns) == 1  # not retried


def test_real_tls_failure(real_session):
    def not_tls(conn):
        try:
            conn.recv(4096)  # the ClientHello

            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            time.sleep(0.5)
        except OSError:
            pass

    server = OneShotServer(not_tls)
    try:
        out = _client_for(f"https://127.0.0.1:{server.port}", real_session).fetch_token()
    finally:
        server.close()
    assert (out.kind, out.fault) == ("transport", "tls")


def _private_ca(tmp_path):
    """A CA and a certificate for 127.0.0.1 signed by it: (ca.pem, server.pem, server.key)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder(subject_name=name("Test CA"), issuer_name=name("Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder(subject_name=name("127.0.0.1"), issuer_name=ca.subject)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = tmp_path / "ca.pem", tmp_path / "server.pem", tmp_path / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_real_tls_trusts_the_environments_ca_bundle_only(tmp_path, shared, monkeypatch):
    """An AICC behind a private CA: refused ("tls") with certifi's bundle, the default;
    accepted with verify_tls=False, which does not loosen the default for the next request;
    trusted with REQUESTS_CA_BUNDLE naming that CA."""
    ca, cert, key = _private_ca(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def tls_token(conn):
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                _read_whole_request(tls)
                _answer(tls, json.dumps(token_body()).encode())
        except (OSError, ssl.SSLError):
            pass  # the client refused the certificate

    server = OneShotServer(tls_token)
    url = f"https://127.0.0.1:{server.port}"

    def fetch(**kw):
        cfg = make_config(base_url=url, token_url=url, **kw)
        return AiccClient(cfg, tokens=MemoryTokenSource()).fetch_token()

    try:
        refused = fetch()
        unchecked = fetch(verify_tls=False)
        refused_again = fetch()
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
        out = fetch()
    finally:
        server.close()
    assert (refused.kind, refused.fault) == ("transport", "tls")
    assert unchecked.ok, unchecked
    assert (refused_again.kind, refused_again.fault) == ("transport", "tls")
    assert out.ok, out
    assert out.result.access_token == TOKEN_VALUE


def test_real_http_error_and_redirect_not_followed(real_session):
    seen = []

    def redirect(conn):
        seen.append(_read_whole_request(conn))
        conn.sendall(
            b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\n"
            b"Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        conn.close()

    server = OneShotServer(redirect)
    try:
        out = _client_for(f"http://127.0.0.1:{server.port}", real_session).fetch_token()
    finally:
        server.close()
    assert (out.kind, out.http_status) == ("http", 302)
    assert len(seen) == 1


def test_real_requests_carry_the_console_headers_and_no_cookies(real_session):
    """A cookie AICC sets is not kept: the next request sends none."""
    seen = []

    def token_with_cookie(conn):
        seen.append(_read_whole_request(conn).decode().lower())
        _answer(conn, json.dumps(token_body()).encode(), b"Set-Cookie: sid=abc; Path=/\r\n")

    server = OneShotServer(token_with_cookie)
    try:
        client = _client_for(f"http://127.0.0.1:{server.port}", real_session)
        first, second = client.fetch_token(), client.fetch_token()
    finally:
        server.close()
    assert first.ok and second.ok
    assert len(seen) == 2
    for head in seen:
        assert "\r\nuser-agent: aicc-console\r\n" in head
        assert "\r\naccept: application/json\r\n" in head
        assert "\r\ncookie:" not in head
    assert len(real_session.cookies) == 0
