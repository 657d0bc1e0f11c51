"""The AICC client (calls/aicc/) against calls/aicc/simulator/ over real HTTP on loopback."""

from __future__ import annotations

import socket
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # pytest's rootdir is not on sys.path without a conftest
    sys.path.insert(0, _ROOT)

import pytest  # noqa: E402
import requests  # noqa: E402

from calls.aicc.client import AiccClient  # noqa: E402
from calls.aicc.results import AiccConfig, CallState, CdrPage, PhonePage  # noqa: E402
from calls.aicc.simulator import Simulator  # noqa: E402
from tests.aicc.memory_tokens import MemoryTokenSource  # noqa: E402

APP_KEY = "demo-app-key"
APP_SECRET = "demo-app-secret"


@pytest.fixture(scope="module")
def aicc_sim():
    sim = Simulator(host="127.0.0.1", port=0, accounts=None, time_scale=0.01).start()
    yield sim
    sim.stop()


@pytest.fixture(autouse=True)
def _reset(aicc_sim):
    control(aicc_sim, "/__sim/reset")
    yield


def control(sim, path: str, body: dict | None = None) -> dict:
    r = requests.post(f"{sim.url}{path}", json=body or {}, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()


def scenario(sim, **body) -> None:
    control(sim, "/__sim/scenario", body)


def make_client(sim, tokens: MemoryTokenSource | None = None, **kw) -> AiccClient:
    cfg = {"app_key": APP_KEY, "app_secret": APP_SECRET, "read_timeout": 5.0}
    cfg.update(kw)
    config = AiccConfig(base_url=sim.url, token_url=sim.url, **cfg)
    return AiccClient(config, tokens=tokens or MemoryTokenSource())


def fetches(sim) -> int:
    return sim.state.token_fetches.get(APP_KEY, 0)


def wait_until_ended(client: AiccClient, serial: str, timeout: float = 5.0) -> list[CallState]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = client.query_call_state(serial)
        assert out.ok, out
        seen.append(out.result)
        if out.result.state == 3:
            return seen
        time.sleep(0.01)
    raise AssertionError(f"call {serial} did not end: {seen[-1]}")


# ------------------------------------------------------------------------------------------
# createCall
# ------------------------------------------------------------------------------------------


def test_create_call_success(aicc_sim):
    client = make_client(aicc_sim)
    out = client.create_call(soft_phone="10001", called="13800138000", call_data="order=1")
    assert out.ok, out
    assert (out.interface, out.kind, out.ret_code, out.http_status) == (
        "createCall",
        "ok",
        "0",
        200,
    )
    assert out.result.serial.isdigit() and len(out.result.serial) == 19
    assert out.elapsed_ms > 0
    assert fetches(aicc_sim) == 1


@pytest.mark.parametrize("code", ["1", "2", "3", "5", "6", "8", "16", "21", "90100100"])
def test_create_call_ret_codes(aicc_sim, code):
    scenario(aicc_sim, interface="createCall", called="13800138001", retCode=code, times=1)
    out = make_client(aicc_sim).create_call(soft_phone="10001", called="13800138001")
    assert (out.kind, out.ret_code, out.http_status) == ("business", code, 200)
    assert out.ret_msg
    assert not out.ok


def test_create_call_real_validation_codes(aicc_sim):
    client = make_client(aicc_sim)
    out = client.create_call(soft_phone="99999", called="13800138002")
    assert (out.kind, out.ret_code) == ("business", "8")
    out = client.create_call(soft_phone="10001", called="1380013800x")
    assert (out.kind, out.ret_code) == ("business", "5")
    first = client.create_call(soft_phone="10002", called="13800138003")
    again = client.create_call(soft_phone="10002", called="13800138003")
    assert first.ok and (again.kind, again.ret_code) == ("business", "1")


def test_ita_account_never_sends_call_data(aicc_sim):
    control(
        aicc_sim,
        "/__sim/accounts",
        {"app_key": "ita-key", "app_secret": "ita-secret", "call_type": "ITA"},
    )
    client = make_client(aicc_sim, app_key="ita-key", app_secret="ita-secret", call_type="ITA")
    out = client.create_call(
        soft_phone="10001",
        called="13800138004",
        call_data="order=1",
        caller_present="4001234567",
    )
    assert out.ok, out  # the simulator answers 90100100 if either field is sent
    calls = requests.get(f"{aicc_sim.url}/__sim/calls", timeout=5).json()
    assert calls[-1]["body"] == {"softPhone": "10001", "called": "13800138004"}


@pytest.mark.parametrize("status", [500, 404, 400])
def test_http_errors(aicc_sim, status):
    scenario(aicc_sim, interface="createCall", http_status=status, times=1)
    out = make_client(aicc_sim).create_call(soft_phone="10001", called="13800138005")
    assert (out.kind, out.http_status, out.ret_code) == ("http", status, "")
    assert out.detail and len(out.detail) <= 200


def test_timeout(aicc_sim):
    client = make_client(aicc_sim, read_timeout=0.3)
    assert client.fetch_token().ok  # token fetched before the fault is armed
    scenario(aicc_sim, interface="createCall", fault="timeout", latency_ms=1500, times=1)
    out = client.create_call(soft_phone="10001", called="13800138006")
    assert (out.kind, out.fault) == ("transport", "timeout")
    assert 250 <= out.elapsed_ms < 1400


@pytest.mark.parametrize("fault", ["drop", "reset"])
def test_drop_is_reset(aicc_sim, fault):
    scenario(aicc_sim, interface="createCall", fault=fault, times=1)
    out = make_client(aicc_sim).create_call(soft_phone="10001", called="13800138007")
    assert (out.kind, out.fault) == ("transport", "reset")


def test_bad_json(aicc_sim):
    scenario(aicc_sim, interface="createCall", fault="bad_json", times=1)
    out = make_client(aicc_sim).create_call(soft_phone="10001", called="13800138008")
    assert (out.kind, out.fault) == ("transport", "bad_json")
    assert "Bad Gateway" in out.detail


def test_no_retcode(aicc_sim):
    scenario(aicc_sim, interface="createCall", fault="no_retcode", times=1)
    out = make_client(aicc_sim).create_call(soft_phone="10001", called="13800138009")
    assert (out.kind, out.fault) == ("transport", "no_retcode")


def test_refused():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    url = f"http://127.0.0.1:{port}"
    config = AiccConfig(base_url=url, token_url=url, app_key=APP_KEY, app_secret=APP_SECRET)
    out = AiccClient(config, tokens=MemoryTokenSource()).create_call(
        soft_phone="10001", called="13800138010"
    )
    # The token fetch is the first request, so that is what fails.
    assert (out.interface, out.kind, out.fault) == ("tokenByAkSk", "transport", "refused")


def test_latency_is_measured(aicc_sim):
    client = make_client(aicc_sim)
    assert client.fetch_token().ok
    control(aicc_sim, "/__sim/latency", {"ms": 200})
    try:
        out = client.query_phones()
    finally:
        control(aicc_sim, "/__sim/latency", {"ms": 0})
    assert out.ok and out.elapsed_ms >= 190


# ------------------------------------------------------------------------------------------
# Tokens
# ------------------------------------------------------------------------------------------


def test_wrong_secret(aicc_sim):
    out = make_client(aicc_sim, app_secret="wrong-secret").create_call(
        soft_phone="10001", called="13800138011"
    )
    assert (out.interface, out.kind, out.http_status) == ("tokenByAkSk", "http", 403)
    assert "wrong-secret" not in repr(out)


def test_token_expiry_and_refresh(aicc_sim):
    client = make_client(aicc_sim, token_lifetime=1)
    tok = client.fetch_token()
    assert tok.ok and tok.result.lifetime == 1
    assert client.query_phones().ok
    assert fetches(aicc_sim) == 2  # the raw fetch above is not cached; the first call fetched
    assert client.query_phones().ok
    assert fetches(aicc_sim) == 2
    time.sleep(1.1)
    out = client.query_phones()
    assert out.ok, out
    assert fetches(aicc_sim) == 3  # renewed proactively, not after a 401


def test_401_retry_after_server_side_expiry(aicc_sim):
    client = make_client(aicc_sim)
    assert client.query_phones().ok
    assert fetches(aicc_sim) == 1
    control(aicc_sim, "/__sim/expire_tokens")
    out = client.create_call(soft_phone="10001", called="13800138012")
    assert out.ok, out
    assert fetches(aicc_sim) == 2
    calls = requests.get(f"{aicc_sim.url}/__sim/stats", timeout=5).json()
    assert calls["create_calls"] == 1  # the rejected attempt never reached createCall


def test_second_401_is_reported(aicc_sim):
    scenario(aicc_sim, interface="createCall", http_status=401, times=2)
    out = make_client(aicc_sim).create_call(soft_phone="10001", called="13800138013")
    assert (out.interface, out.kind, out.http_status) == ("createCall", "http", 401)
    assert fetches(aicc_sim) == 2


def test_one_token_fetch_under_concurrency(aicc_sim):
    tokens = MemoryTokenSource()
    client = make_client(aicc_sim, tokens=tokens)
    barrier = threading.Barrier(16)
    results = []

    def run():
        barrier.wait()
        results.append(client.query_phones())

    threads = [threading.Thread(target=run) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(results) == 16 and all(r.ok for r in results), results
    assert fetches(aicc_sim) == 1


# ------------------------------------------------------------------------------------------
# Queries
# ------------------------------------------------------------------------------------------


def test_query_call_state_progression(aicc_sim):
    client = make_client(aicc_sim)
    created = client.create_call(soft_phone="10001", called="13800138014", call_data="c=1")
    assert created.ok
    states = wait_until_ended(client, created.result.serial)
    codes = [s.state for s in states]
    assert codes == sorted(codes) and codes[-1] == 3
    final = states[-1]
    assert final.reason_code == 0  # default outcome: customer hung up
    assert final.called == "13800138014" and final.call_data == "c=1"
    assert final.start_time is not None and final.end_time >= final.start_time
    assert final.start_time.tzinfo is not None
    assert abs(final.start_time - datetime.now(UTC)) < timedelta(minutes=1)


def test_query_call_state_outcome_scenario(aicc_sim):
    scenario(aicc_sim, interface="createCall", called="13800138015", outcome="customer_no_answer")
    client = make_client(aicc_sim)
    created = client.create_call(soft_phone="10001", called="13800138015")
    states = wait_until_ended(client, created.result.serial)
    assert states[-1].reason_code == 5


def test_query_call_state_unknown_serial(aicc_sim):
    out = make_client(aicc_sim).query_call_state("1234567890123456789")
    assert (out.kind, out.ret_code) == ("business", "1")


def test_iter_cdr_across_windows_with_paging(aicc_sim):
    client = make_client(aicc_sim)
    serials = []
    for i in range(5):
        out = client.create_call(soft_phone="10001", called=f"1390013900{i}")
        assert out.ok, out
        serials.append(out.result.serial)
    for serial in serials:
        wait_until_ended(client, serial)
    now = datetime.now(UTC)
    pages = list(
        client.iter_cdr(start=now - timedelta(days=10), end=now + timedelta(minutes=1), limit=2)
    )
    assert all(p.ok for p in pages), pages
    assert all(isinstance(p.result, CdrPage) for p in pages)
    # window 1 (10..3 days ago) is empty (retCode "1"), window 2 has 5 rows in pages of 2
    assert [len(p.result.records) for p in pages] == [0, 2, 2, 1]
    assert pages[0].ret_code == "1"
    got = [r.serial for p in pages for r in p.result.records]
    assert sorted(got) == sorted(serials)
    rec = pages[1].result.records[0]
    assert rec.state == 3 and rec.talk_duration is not None
    assert rec.start_time is not None and rec.release_time is not None


def test_query_cdr_single_page_and_caller_filter(aicc_sim):
    client = make_client(aicc_sim)
    out = client.create_call(soft_phone="10003", called="13900139100")
    wait_until_ended(client, out.result.serial)
    now = datetime.now(UTC)
    page = client.query_cdr(start=now - timedelta(hours=1), end=now, caller="10003")
    assert page.ok and page.result.total == 1
    empty = client.query_cdr(start=now - timedelta(hours=1), end=now, caller="10004")
    assert empty.ok and empty.result == CdrPage(total=0, records=[])


def test_query_phones(aicc_sim):
    client = make_client(aicc_sim)
    out = client.query_phones()
    assert out.ok, out
    page = out.result
    assert isinstance(page, PhonePage)
    assert page.total == 10 and len(page.phones) == 10
    assert page.phones[0].number == "10001"
    assert page.reg_ip == "127.0.0.1" and page.reg_port == 5060
    assert {p.status for p in page.phones} == {0, 1}
    assert "Sim@" not in repr(out)  # SIP passwords are dropped
    tail = client.query_phones(offset=8, limit=5)
    assert [p.number for p in tail.result.phones] == ["10009", "10010"]
    assert tail.result.total == 10


def test_get_recording_url(aicc_sim):
    client = make_client(aicc_sim)
    created = client.create_call(soft_phone="10001", called="13800138016")
    wait_until_ended(client, created.result.serial)
    out = client.get_recording_url(created.result.serial)
    assert out.ok and out.ret_code == "0", out
    audio = requests.get(out.result.url, timeout=5)
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    missing = client.get_recording_url("1234567890123456789")
    assert (missing.kind, missing.ret_code) == ("business", "5")
