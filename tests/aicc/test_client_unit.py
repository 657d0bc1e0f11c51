"""Unit tests of calls/aicc/client.py with a fake session: requests built, answers read,
tokens, no Django."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # pytest's rootdir is not on sys.path without a conftest
    sys.path.insert(0, _ROOT)

import pytest  # noqa: E402
import requests  # noqa: E402

from calls.aicc import transport  # noqa: E402
from calls.aicc.client import AiccClient, cdr_windows, renew_margin  # noqa: E402
from calls.aicc.masking import mask_number  # noqa: E402
from calls.aicc.results import CallRecord, CdrPage, CreateCallResult, Outcome, Token  # noqa: E402
from tests.aicc.fakes import (  # noqa: E402
    SECRET,
    TOKEN_PATH,
    TOKEN_VALUE,
    FakeSession,
    make_client,
    make_config,
    ok,
    response,
    run_threads,
    token_body,
)
from tests.aicc.memory_tokens import MemoryTokenSource  # noqa: E402

# ------------------------------------------------------------------------------------------
# Answers
# ------------------------------------------------------------------------------------------


def test_create_call_serial_19_digits_stays_exact():
    raw = b'{"retCode":"0","retMsg":"success","result":{"callSerialNo":1037058396471308289}}'
    client, _ = make_client([response(200, raw=raw)])
    out = client.create_call(soft_phone="10001", called="13800138000")
    assert out.ok and out.kind == "ok" and out.ret_code == "0"
    assert out.result == CreateCallResult(serial="1037058396471308289")


def test_create_call_serial_as_string():
    client, _ = make_client([ok({"callSerialNo": "1037058396471308290"})])
    out = client.create_call(soft_phone="10001", called="13800138000")
    assert out.result.serial == "1037058396471308290"


def test_create_call_success_without_serial_is_bad_json():
    client, _ = make_client([ok({})])
    out = client.create_call(soft_phone="10001", called="13800138000")
    assert (out.kind, out.fault) == ("transport", "bad_json")
    assert "callSerialNo" in out.detail


def test_create_call_business_code_number():
    client, _ = make_client([response(200, {"retCode": 5, "retMsg": "Called is not configured"})])
    out = client.create_call(soft_phone="10001", called="13800138000")
    assert (out.kind, out.ret_code, out.ret_msg) == ("business", "5", "Called is not configured")
    assert out.http_status == 200 and not out.ok


def test_recording_ret_code_number():
    client, _ = make_client([ok({"url": "https://obs.example/x.wav?sig=1"}, code=0)])
    out = client.get_recording_url("1037058396471308289")
    assert out.ok and out.ret_code == "0"
    assert out.result.url == "https://obs.example/x.wav?sig=1"
    assert "sig=1" not in repr(out)  # the pre-signed URL stays out of reprs/logs
    client, _ = make_client([response(200, {"retCode": 5, "retMsg": "no record"})])
    out = client.get_recording_url("1")
    assert (out.kind, out.ret_code) == ("business", "5")


SAMPLE_RECORD = {
    "callSerialNo": 1037058396471308289,
    "caller": "10001",
    "called": 13800138000,
    "startTime": "1621576992000",
    "endTime": 1621577022000,
    "state": 3,
    "reasonCode": "1",
    "callData": "order=42",
    "callerPresent": "4001234567",
    "alertingTime": "1621576994000",
    "talkingTime": 1621576995000,
    "releaseTime": "",
    "talkDuration": "26",
    "agentAlertingTime": None,
    "agentTalkingTime": "1621576994000",
    "agentReleaseTime": 1621577022000,
    "agentTalkDuration": 27,
    "agentPresent": "4001234567",
}


def test_cdr_record_parsing():
    raw = json.dumps(
        {"retCode": "0", "retMsg": "ok", "result": {"total": "1", "callInfo": [SAMPLE_RECORD]}}
    ).encode()
    client, _ = make_client([response(200, raw=raw)])
    now = datetime.now(UTC)
    out = client.query_cdr(start=now - timedelta(days=1), end=now)
    assert out.ok
    page = out.result
    assert isinstance(page, CdrPage) and page.total == 1
    rec = page.records[0]
    assert isinstance(rec, CallRecord)
    assert rec.serial == "1037058396471308289"
    assert rec.called == "13800138000"
    assert rec.state == 3 and rec.reason_code == 1
    assert rec.start_time == datetime(2021, 5, 21, 6, 3, 12, tzinfo=UTC)
    assert rec.end_time == datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)
    assert rec.release_time is None and rec.agent_alerting_time is None
    assert rec.talking_time == datetime(2021, 5, 21, 6, 3, 15, tzinfo=UTC)
    assert rec.talk_duration == 26 and rec.agent_talk_duration == 27
    assert rec.call_data == "order=42" and "order=42" not in repr(rec)


def test_cdr_no_data_is_empty_ok_page():
    client, _ = make_client([response(200, {"retCode": "1", "retMsg": "no data"})])
    now = datetime.now(UTC)
    out = client.query_cdr(start=now - timedelta(days=1), end=now)
    assert out.ok and out.ret_code == "1"
    assert out.result == CdrPage(total=0, records=[])


def test_cdr_other_codes_are_business():
    client, _ = make_client([response(200, {"retCode": "2", "retMsg": "bad time"})])
    now = datetime.now(UTC)
    out = client.query_cdr(start=now - timedelta(days=1), end=now)
    assert (out.kind, out.ret_code) == ("business", "2")


def test_call_state_parsing():
    result = {"state": "2", "caller": "10001", "called": "13800138000", "startTime": 1621576992000}
    client, _ = make_client([ok(result)])
    out = client.query_call_state("1037058396471308289")
    assert out.ok
    st = out.result
    assert st.state == 2 and st.reason_code is None and st.end_time is None
    assert st.start_time == datetime(2021, 5, 21, 6, 3, 12, tzinfo=UTC)


def test_phone_page_never_keeps_password():
    result = {
        "total": 2,
        "regIPAddress": "10.0.0.1",
        "regPort": "5060",
        "phone": [
            {"phoneNum": "10001", "password": "SipPass#1", "id": 7, "status": "0", "remark": "a"},
            {"phoneNum": 10002, "password": "SipPass#2", "id": "8", "status": 1},
            "garbage",
        ],
    }
    client, _ = make_client([ok(result)])
    out = client.query_phones()
    assert out.ok
    page = out.result
    assert (page.total, page.reg_ip, page.reg_port) == (2, "10.0.0.1", 5060)
    assert [(p.number, p.status, p.id, p.remark) for p in page.phones] == [
        ("10001", 0, "7", "a"),
        ("10002", 1, "8", ""),
    ]
    assert "SipPass" not in repr(out)
    assert not hasattr(page.phones[0], "password")


def test_phone_password_scrubbed_from_bad_body_detail():
    body = {"result": {"phone": [{"phoneNum": "10001", "password": "SipPass#1"}]}}
    client, _ = make_client([response(200, body)])
    out = client.query_phones()
    assert (out.kind, out.fault) == ("transport", "no_retcode")
    assert "SipPass" not in out.detail and "password" in out.detail


@pytest.mark.parametrize(
    "raw", [b"<html>502 Bad Gateway</html>", b"", b"[1,2]", b'"x"', b"\xff\xfe\x00", b"{"]
)
def test_bad_json(raw):
    client, _ = make_client([response(200, raw=raw)])
    out = client.query_call_state("1")
    assert (out.kind, out.fault, out.interface) == ("transport", "bad_json", "queryCallState")
    assert len(out.detail) <= 200


def test_no_retcode():
    client, _ = make_client([response(200, {"result": {}})])
    out = client.query_call_state("1")
    assert (out.kind, out.fault) == ("transport", "no_retcode")


def test_http_error_excerpt_is_short_and_scrubbed():
    echoed = f"error: token {TOKEN_VALUE}-1 rejected " + "x" * 500
    client, _ = make_client([response(500, raw=echoed.encode())])
    out = client.query_call_state("1")
    assert (out.kind, out.http_status) == ("http", 500)
    assert len(out.detail) <= 200
    assert TOKEN_VALUE not in out.detail


# ------------------------------------------------------------------------------------------
# Request building
# ------------------------------------------------------------------------------------------


def test_create_call_body_and_headers():
    client, session = make_client([ok({"callSerialNo": "1"})], connect_timeout=1.5, read_timeout=7)
    client.create_call(
        soft_phone=" 10001 ",
        called="13800138000",
        caller="",
        call_data="订单=42",
        caller_present="4001234567",
    )
    token_req, api_req = session.requests
    assert token_req["url"] == "https://api.example.test:28070" + TOKEN_PATH
    assert token_req["body"] == {"app_key": "app-key-1234", "app_secret": SECRET}
    assert token_req["headers"]["X-Token-Expire"] == "600"
    assert token_req["headers"]["Content-Type"] == "application/json"
    assert api_req["url"] == (
        "https://api.example.test/apiaccess/CC-Management/v3/mobileAgent/createCall"
    )
    assert api_req["body"] == {
        "softPhone": "10001",
        "called": "13800138000",
        "callData": "订单=42",
        "callerPresent": "4001234567",
    }
    assert all(isinstance(v, str) for v in api_req["body"].values())
    assert "caller" not in api_req["body"]
    assert api_req["headers"] == {
        "User-Agent": "aicc-console",
        "Accept": "application/json",
        "Content-Type": "application/json",
        "X-APP-Key": "app-key-1234",
        "Authorization": f"Bearer {TOKEN_VALUE}-1",
    }
    for req in session.requests:
        assert req["timeout"] == (1.5, 7)  # (connect, read)
        assert req["allow_redirects"] is False and req["verify"] is True


def test_create_call_omits_empty_optionals():
    client, session = make_client([ok({"callSerialNo": "1"})])
    client.create_call(soft_phone="10001", called="13800138000")
    assert session.api_requests[0]["body"] == {"softPhone": "10001", "called": "13800138000"}


def test_create_call_ita_drops_call_data_and_caller_present():
    client, session = make_client([ok({"callSerialNo": "1"})], call_type="ita", verify_tls=False)
    client.create_call(
        soft_phone="10001",
        called="13800138000",
        caller="13900139000",
        call_data="x",
        caller_present="4001234567",
    )
    body = session.api_requests[0]["body"]
    assert body == {"softPhone": "10001", "called": "13800138000", "caller": "13900139000"}


def test_without_a_session_the_process_session_is_used(monkeypatch):
    """Without a session of its own the client sends through the process's shared Session,
    with the tenant's TLS setting on each request (verify_tls=False: certificates are not
    checked)."""
    shared = FakeSession([ok({"callSerialNo": "1"})])
    monkeypatch.setattr(transport, "shared_session", lambda: shared)
    client = AiccClient(make_config(verify_tls=False), tokens=MemoryTokenSource())
    assert client.create_call(soft_phone="10001", called="13800138000").ok
    assert [r["verify"] for r in shared.requests] == [False, False]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"soft_phone": "", "called": "1"},
        {"soft_phone": "1", "called": "  "},
        {"soft_phone": "1" * 33, "called": "1"},
        {"soft_phone": "1", "called": "1", "caller_present": "1" * 33},
        {"soft_phone": "1", "called": "1", "call_data": "x" * 1025},
    ],
)
def test_create_call_programming_errors(kwargs):
    client, session = make_client()
    with pytest.raises(ValueError):
        client.create_call(**kwargs)
    assert session.requests == []


def test_query_bodies_are_strings():
    now = datetime(2024, 1, 8, tzinfo=UTC)
    client, session = make_client([ok({"total": 0, "callInfo": []}), ok({"total": 0})])
    client.query_cdr(
        start=now - timedelta(days=7), end=now, offset=5, limit=10, caller="10001", task_type="4"
    )
    client.query_phones(offset=0, limit=100)
    cdr, phones = session.api_requests
    assert cdr["url"].endswith("/apiaccess/CC-Management/v1/mobileAgent/queryCallDetailRecord")
    assert cdr["body"] == {
        "startTime": str(int((now - timedelta(days=7)).timestamp() * 1000)),
        "endTime": str(int(now.timestamp() * 1000)),
        "offset": "5",
        "limit": "10",
        "caller": "10001",
        "taskType": "4",
    }
    assert phones["url"].endswith("/apiaccess/CC-Management/v1/mobileAgent/queryPhone")
    assert phones["body"] == {"offset": "0", "limit": "100"}


def test_query_cdr_omits_caller_and_task_type():
    now = datetime.now(UTC)
    client, session = make_client([ok({"total": 0})])
    client.query_cdr(start=now - timedelta(hours=1), end=now)
    assert set(session.api_requests[0]["body"]) == {"startTime", "endTime", "offset", "limit"}


def test_serial_bodies():
    client, session = make_client([ok({"state": 0}), ok({"url": "u"})])
    client.query_call_state("1037058396471308289")
    client.get_recording_url("1037058396471308289")
    a, b = session.api_requests
    assert a["url"].endswith("/v1/mobileAgent/queryCallState")
    assert b["url"].endswith("/v1/mobileAgent/getRecordingAddress")
    assert a["body"] == b["body"] == {"callSerialNo": "1037058396471308289"}
    with pytest.raises(ValueError):
        client.query_call_state("")


# ------------------------------------------------------------------------------------------
# Windows and paging
# ------------------------------------------------------------------------------------------


def test_cdr_windows():
    start = datetime(2024, 1, 1, tzinfo=UTC)
    assert cdr_windows(start, start) == []
    assert cdr_windows(start, start + timedelta(days=7)) == [(start, start + timedelta(days=7))]
    wins = cdr_windows(start, start + timedelta(days=20, hours=3))
    assert wins == [
        (start, start + timedelta(days=7)),
        (start + timedelta(days=7), start + timedelta(days=14)),
        (start + timedelta(days=14), start + timedelta(days=20, hours=3)),
    ]
    assert all(b - a <= timedelta(days=7) for a, b in wins)


def test_query_cdr_refuses_bad_windows():
    client, session = make_client()
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        client.query_cdr(start=start, end=start + timedelta(days=7, milliseconds=1))
    with pytest.raises(ValueError):
        client.query_cdr(start=start, end=start - timedelta(seconds=1))
    with pytest.raises(ValueError):
        client.query_cdr(start=datetime(2024, 1, 1), end=datetime(2024, 1, 2))  # naive
    with pytest.raises(ValueError):
        client.query_cdr(start=start, end=start, limit=101)
    with pytest.raises(ValueError):
        client.query_cdr(start=start, end=start, task_type="9")
    assert session.requests == []


def _record(serial: int) -> dict:
    return {**SAMPLE_RECORD, "callSerialNo": str(serial)}


def test_iter_cdr_windows_and_paging():
    start = datetime(2024, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=10)
    replies = [
        # window 1: 5 rows, limit 2 -> 3 pages
        ok({"total": 5, "callInfo": [_record(1), _record(2)]}),
        ok({"total": "5", "callInfo": [_record(3), _record(4)]}),
        ok({"total": 5, "callInfo": [_record(5)]}),
        # window 2: no data
        response(200, {"retCode": "1", "retMsg": "no data"}),
    ]
    client, session = make_client(replies)
    pages = list(client.iter_cdr(start=start, end=end, limit=2))
    assert [len(p.result.records) for p in pages] == [2, 2, 1, 0]
    serials = [r.serial for p in pages for r in p.result.records]
    assert serials == ["1", "2", "3", "4", "5"]
    bodies = [r["body"] for r in session.api_requests]
    assert [b["offset"] for b in bodies] == ["0", "2", "4", "0"]
    assert {b["taskType"] for b in bodies} == {"0"}
    w1_end = str(int((start + timedelta(days=7)).timestamp() * 1000))
    assert bodies[0]["endTime"] == w1_end and bodies[3]["startTime"] == w1_end
    assert bodies[3]["endTime"] == str(int(end.timestamp() * 1000))


def test_iter_cdr_failure_stops_window_only_and_task_types():
    start = datetime(2024, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=8)
    replies = [
        ok({"total": 3, "callInfo": [_record(1)]}),
        response(500, raw=b"oops"),  # window 1 ends here
        ok({"total": 1, "callInfo": [_record(2)]}),  # window 2, type 0
        ok({"total": 0, "callInfo": []}),  # window 1, type 4
        ok({"callInfo": [_record(3)]}),  # window 2, type 4: no total -> stops
    ]
    client, session = make_client(replies)
    pages = list(client.iter_cdr(start=start, end=end, task_types=("0", "4"), limit=1))
    assert [p.kind for p in pages] == ["ok", "http", "ok", "ok", "ok"]
    assert [r["body"]["taskType"] for r in session.api_requests] == ["0", "0", "0", "4", "4"]


# ------------------------------------------------------------------------------------------
# Masking and secrets
# ------------------------------------------------------------------------------------------


def test_mask_number():
    assert mask_number("13800138000") == "*******8000"
    assert mask_number("+8613800138000") == "+*********8000"
    assert mask_number("10001") == "*0001"
    assert mask_number("1234") == "****"
    assert mask_number("") == ""
    assert mask_number(None) == ""
    assert mask_number(13800138000) == "*******8000"


def test_secret_and_token_never_exposed(caplog):
    caplog.set_level(logging.DEBUG, logger="calls.aicc")
    cfg = make_config()
    assert SECRET not in repr(cfg) and SECRET not in str(cfg)
    client, session = make_client([ok({"callSerialNo": "99"})])
    assert SECRET not in repr(client)
    tok = client.fetch_token()
    assert tok.ok and isinstance(tok.result, Token)
    assert TOKEN_VALUE not in repr(tok) and SECRET not in repr(tok)
    out = client.create_call(soft_phone="10001", called="13800138000", call_data="secret-data")
    assert out.ok
    text = caplog.text
    for forbidden in (SECRET, TOKEN_VALUE, "secret-data", "13800138000"):
        assert forbidden not in text
    assert "*******8000" in text and "createCall" in text


def test_secret_echoed_by_server_is_scrubbed():
    body = f'{{"error":"bad credentials app_secret={SECRET}"}}'.encode()
    client, _ = make_client(token_replies=[response(400, raw=body)])
    out = client.fetch_token()
    assert (out.interface, out.kind, out.http_status) == ("tokenByAkSk", "http", 400)
    assert SECRET not in out.detail and SECRET not in repr(out)


# ------------------------------------------------------------------------------------------
# Tokens
# ------------------------------------------------------------------------------------------


def test_config_normalisation():
    cfg = make_config(token_lifetime=99999, call_type=" ita ")
    assert cfg.token_lifetime == 3600 and cfg.call_type == "ITA"
    assert cfg.base_url == "https://api.example.test"
    assert make_config(token_lifetime=0).token_lifetime == 1
    with pytest.raises(ValueError):
        make_config(call_type="SIP")
    with pytest.raises(ValueError):
        make_config(base_url="api.example.test")


def test_fetch_token_expiry():
    client, _ = make_client(token_replies=[response(200, token_body(expires="300"))])
    before = datetime.now(UTC)
    out = client.fetch_token()
    assert out.ok and out.interface == "tokenByAkSk"
    assert out.result.lifetime == 300
    assert (
        before + timedelta(seconds=299) <= out.result.expires_at <= before + timedelta(seconds=301)
    )
    # unparsable Expires: the requested lifetime is used
    client, _ = make_client(token_replies=[response(200, token_body(expires="soon"))])
    assert client.fetch_token().result.lifetime == 600


def test_fetch_token_without_access_token():
    client, _ = make_client(
        token_replies=[response(200, {"retCode": "403", "retMsg": "Forbidden"})]
    )
    out = client.fetch_token()
    assert (out.interface, out.kind, out.ret_code) == ("tokenByAkSk", "business", "403")
    client, _ = make_client(token_replies=[response(200, {"foo": 1})])
    out = client.fetch_token()
    assert (out.kind, out.fault) == ("transport", "no_retcode")


def test_token_failure_returned_with_token_interface():
    client, session = make_client(token_replies=[response(403, {"retCode": "403"})])
    out = client.create_call(soft_phone="10001", called="13800138000")
    assert (out.interface, out.kind, out.http_status) == ("tokenByAkSk", "http", 403)
    assert session.api_requests == []


def test_token_cached_and_renewed_inside_margin():
    client, session = make_client(
        [ok({"state": 0})] * 3,
        token_replies=[response(200, token_body("t1", "600")), response(200, token_body("t2"))],
    )
    client.query_call_state("1")
    client.query_call_state("1")
    assert session.token_count == 1
    # Pretend the token has only 30 s left (< 60 s margin): renewed.
    key = (client.config.token_url, client.config.app_key)
    cached = client.tokens._tokens[key]
    client.tokens._tokens[key] = Token("t1", datetime.now(UTC) + timedelta(seconds=30), 600)
    assert cached.access_token == "t1"
    client.query_call_state("1")
    assert session.token_count == 2
    assert session.api_requests[-1]["headers"]["Authorization"] == "Bearer t2"


def test_renew_margin():
    assert renew_margin(600) == timedelta(seconds=60)
    assert renew_margin(3600) == timedelta(seconds=60)
    assert renew_margin(100) == timedelta(seconds=10)
    assert renew_margin(1) == timedelta(seconds=0.1)


def test_401_retry_once_with_fresh_token():
    client, session = make_client([response(401, raw=b"expired"), ok({"callSerialNo": "5"})])
    out = client.create_call(soft_phone="10001", called="13800138000")
    assert out.ok and out.result.serial == "5"
    assert session.token_count == 2
    auths = [r["headers"]["Authorization"] for r in session.api_requests]
    assert auths == [f"Bearer {TOKEN_VALUE}-1", f"Bearer {TOKEN_VALUE}-2"]


def test_second_401_returned_as_is():
    client, session = make_client([response(401, raw=b"no"), response(403, raw=b"no")])
    out = client.query_phones()
    assert (out.kind, out.http_status, out.interface) == ("http", 403, "queryPhone")
    assert session.token_count == 2 and len(session.api_requests) == 2


def test_no_retry_on_other_statuses_or_faults():
    client, session = make_client([response(500, raw=b"x")])
    assert client.create_call(soft_phone="1", called="2").http_status == 500
    assert len(session.api_requests) == 1
    client, session = make_client([requests.exceptions.ConnectionError("boom")])
    assert client.create_call(soft_phone="1", called="2").fault == "reset"
    assert len(session.api_requests) == 1


def test_invalidate_only_drops_current_token():
    client, session = make_client()
    source = client.tokens
    first = source.get(client).result
    source.invalidate(client, "some-older-token")
    assert source.get(client).result is first
    source.invalidate(client, first.access_token)
    assert source.get(client).result is not first
    assert session.token_count == 2


class SlowFetchClient:
    """Minimal stand-in for AiccClient as seen by a TokenSource."""

    def __init__(self, outcome_factory, delay=0.05):
        self.config = make_config()
        self.calls = 0
        self._factory = outcome_factory
        self._delay = delay
        self._lock = threading.Lock()

    def fetch_token(self):
        with self._lock:
            self.calls += 1
        time.sleep(self._delay)
        return self._factory()


def test_memory_token_source_one_fetch_under_concurrency():
    source = MemoryTokenSource()
    fake = SlowFetchClient(
        lambda: Outcome(
            "tokenByAkSk",
            "ok",
            ret_code="0",
            result=Token("t", datetime.now(UTC) + timedelta(seconds=600), 600),
        )
    )
    results = run_threads(lambda: source.get(fake))
    assert fake.calls == 1
    assert len(results) == 16 and all(r.ok and r.result.access_token == "t" for r in results)


def test_memory_token_source_coalesces_failures():
    source = MemoryTokenSource()
    fake = SlowFetchClient(lambda: Outcome("tokenByAkSk", "transport", fault="timeout"))
    results = run_threads(lambda: source.get(fake))
    assert fake.calls == 1
    assert all(r.fault == "timeout" for r in results)
    # a later, separate request tries again
    assert source.get(fake).fault == "timeout" and fake.calls == 2


def test_memory_token_source_keys_by_token_url_and_app_key():
    source = MemoryTokenSource()
    a, sa = make_client()
    b, sb = make_client(app_key="other-key")
    source.get(a), source.get(a), source.get(b)
    assert (sa.token_count, sb.token_count) == (1, 1)


# ------------------------------------------------------------------------------------------
# Outcome.reason()
# ------------------------------------------------------------------------------------------


@pytest.fixture
def fake_reasons(monkeypatch):
    calls = []
    module = types.ModuleType("calls.aicc.reasons")

    def decode(source, code):
        calls.append((source, code))
        return ("reason", source, code)

    module.decode = decode
    monkeypatch.setitem(sys.modules, "calls.aicc.reasons", module)
    return calls


@pytest.mark.parametrize(
    "outcome, expected",
    [
        (Outcome("createCall", "ok", ret_code="0"), ("createCall", "0")),
        (Outcome("queryCallDetailRecord", "ok", ret_code="1"), ("queryCallDetailRecord", "0")),
        (Outcome("createCall", "business", ret_code="21"), ("createCall", "21")),
        (Outcome("tokenByAkSk", "business", ret_code="403"), ("token", "403")),
        (Outcome("tokenByAkSk", "ok"), ("token", "0")),
        (Outcome("createCall", "http", http_status=500), ("http", 500)),
        (Outcome("tokenByAkSk", "http", http_status=403), ("token", 403)),
        (Outcome("queryPhone", "transport", fault="timeout"), ("transport", "timeout")),
    ],
)
def test_reason_mapping(fake_reasons, outcome, expected):
    assert outcome.reason() == ("reason", *expected)
    assert fake_reasons == [expected]


def test_outcome_ok_property():
    assert Outcome("createCall", "ok").ok
    assert not Outcome("createCall", "business", ret_code="5").ok


def test_reason_with_real_catalogue():
    reasons = pytest.importorskip("calls.aicc.reasons")
    cases = [
        (Outcome("createCall", "ok", ret_code="0"), "createCall:0"),
        (Outcome("createCall", "business", ret_code="21"), "createCall:21"),
        (Outcome("tokenByAkSk", "http", http_status=403), "token:403"),
        (Outcome("queryPhone", "http", http_status=500), "http:500"),
        (Outcome("queryCallDetailRecord", "ok", ret_code="1"), "queryCallDetailRecord:0"),
        (Outcome("createCall", "transport", fault="no_retcode"), "transport:no_retcode"),
    ]
    for outcome, key in cases:
        reason = outcome.reason()
        assert isinstance(reason, reasons.Reason)
        assert (reason.key, reason.known) == (key, True)
