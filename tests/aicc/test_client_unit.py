"""Unit tests of calls/aicc/client.py: no network beyond loopback sockets, no Django."""

from __future__ import annotations

import json
import logging
import re
import socket
import ssl
import sys
import threading
import time
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # pytest's rootdir is not on sys.path without a conftest
    sys.path.insert(0, _ROOT)

import http.client  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402
import urllib3  # noqa: E402

from calls.aicc import client as c  # noqa: E402
from calls.aicc.client import (  # noqa: E402
    AiccClient,
    AiccConfig,
    CallRecord,
    CdrPage,
    CreateCallResult,
    MemoryTokenSource,
    Outcome,
    Token,
    mask_number,
)

SECRET = "s3cr3t-app-secret-value"
TOKEN_VALUE = "tok-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
TOKEN_PATH = "/apigovernance/api/oauth/tokenByAkSk"


def make_config(**kw) -> AiccConfig:
    base = {
        "base_url": "https://api.example.test/",
        "token_url": "https://api.example.test:28070",
        "app_key": "app-key-1234",
        "app_secret": SECRET,
    }
    base.update(kw)
    return AiccConfig(**base)


def response(status: int = 200, body: object = None, raw: bytes | None = None):
    if raw is None:
        raw = json.dumps(body).encode()
    return urllib3.HTTPResponse(
        body=raw, status=status, headers={"Content-Type": "application/json"}, preload_content=True
    )


def token_body(token: str = TOKEN_VALUE, expires: object = "600") -> dict:
    return {"AccessToken": token, "ApplyType": "Bearer", "Expires": expires, "UserID": "Anonymous"}


class FakeHttp:
    """Stands in for urllib3's PoolManager: routes token requests to token replies, API
    requests to a queue; records everything."""

    def __init__(self, api_replies=(), token_replies=None):
        self.api_replies = list(api_replies)
        self.token_replies = list(token_replies or [])
        self.requests: list[dict] = []
        self.token_count = 0

    def urlopen(self, method, url, *, body, **kw):
        assert isinstance(body, bytes)
        self.requests.append({"method": method, "url": url, "body": json.loads(body), **kw})
        if url.endswith(TOKEN_PATH):
            self.token_count += 1
            if self.token_replies:
                reply = self.token_replies.pop(0)
            else:
                reply = response(200, token_body(f"{TOKEN_VALUE}-{self.token_count}"))
        else:
            reply = self.api_replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply

    @property
    def api_requests(self):
        return [r for r in self.requests if not r["url"].endswith(TOKEN_PATH)]


def make_client(api_replies=(), token_replies=None, **cfg):
    http = FakeHttp(api_replies, token_replies)
    return AiccClient(make_config(**cfg), tokens=MemoryTokenSource(), http=http), http


def ok(result=None, code: object = "0"):
    body = {"retCode": code, "retMsg": "success"}
    if result is not None:
        body["result"] = result
    return response(200, body)


# ------------------------------------------------------------------------------------------
# Parsing
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1621577022000", datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)),
        (1621577022000, datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)),
        (" 1621577022000 ", datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)),
        ("1621577022123", datetime(2021, 5, 21, 6, 3, 42, 123000, tzinfo=UTC)),
        (1621577022000.0, datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)),
        ("1621577022", datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)),  # 10 digits: seconds
        (1621577022, datetime(2021, 5, 21, 6, 3, 42, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("   ", None),
        ("0", None),
        (0, None),
        (-5, None),
        ("null", None),
        ("abc", None),
        (True, None),
        ([], None),
        ("9" * 40, None),  # overflow
    ],
)
def test_time_parsing(value, expected):
    got = c._time(value)
    assert got == expected
    if got is not None:
        assert got.tzinfo is not None and got.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value, expected",
    [(26, 26), ("26", 26), (" 27 ", 27), ("26.0", 26), (26.0, 26), ("", None), (None, None)]
    + [("x", None), (True, None), (float("nan"), None), ({}, None)],
)
def test_int_parsing(value, expected):
    assert c._int(value) == expected


def test_serial_parsing():
    big = 1037058396471308289  # > 2**53: a float would corrupt it
    assert c._serial(big) == "1037058396471308289"
    assert c._serial("1037058396471308289") == "1037058396471308289"
    assert c._serial(" 42 ") == "42"
    assert c._serial("AB-12") == "AB-12"  # non-digit strings are kept as sent
    assert c._serial(12.0) == "12"
    assert c._serial(1.037058396471308289e18) is None  # inexact float rejected
    assert c._serial("") is None
    assert c._serial(None) is None
    assert c._serial(True) is None
    assert c._serial("1" * 51) is None


def test_ret_code_normalisation():
    assert c._ret_code(0) == "0"
    assert c._ret_code("0") == "0"
    assert c._ret_code(5.0) == "5"
    assert c._ret_code(" 21 ") == "21"
    assert c._ret_code(90100100) == "90100100"


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
    assert api_req["method"] == "POST"
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
        assert (req["timeout"].connect_timeout, req["timeout"].read_timeout) == (1.5, 7)
        assert req["retries"] is False and req["redirect"] is False


def test_environment_read_once_per_origin(monkeypatch):
    """Proxies and the CA bundle come from the environment, as requests would take them, but are
    read once per AICC origin (the shared session does not look at the environment)."""
    monkeypatch.setattr(c, "_environment_cache", {})
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    monkeypatch.setenv("NO_PROXY", "direct.example.test")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/private-ca.pem")
    proxy, verify = c._environment("https://api.example.test/apiaccess/x", True)
    assert proxy == "http://proxy.example.test:3128"
    assert verify == "/etc/private-ca.pem"
    assert c._environment("https://direct.example.test/x", True)[0] is None
    assert c._environment("http://api.example.test/x", True)[0] is None  # no HTTP_PROXY
    assert c._environment("https://api.example.test/x", False)[1] is False
    monkeypatch.setenv("HTTPS_PROXY", "http://other.example.test:3128")
    assert c._environment("https://api.example.test/y", True)[0] == proxy  # read once


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


def test_requests_go_through_the_pool_for_the_tls_setting_and_proxy(monkeypatch):
    """Without an `http` of its own the client sends through the process's pooled connections
    for its origin's proxy and TLS setting (verify_tls=False: certificates are not checked)."""
    monkeypatch.setattr(c, "_environment_cache", {})
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    monkeypatch.setenv("NO_PROXY", "direct.example.test")
    asked = []
    fake = FakeHttp([ok({"callSerialNo": "1"})] * 2)

    def pool_manager(proxy=None, verify=True):
        asked.append((proxy, verify))
        return fake

    monkeypatch.setattr(c, "pool_manager", pool_manager)
    AiccClient(make_config(verify_tls=False), tokens=MemoryTokenSource()).create_call(
        soft_phone="10001", called="13800138000"
    )
    direct = "https://direct.example.test"
    AiccClient(
        make_config(base_url=direct, token_url=direct), tokens=MemoryTokenSource()
    ).create_call(soft_phone="10001", called="13800138000")
    assert asked == [("http://proxy.example.test:3128", False)] * 2 + [(None, True)] * 2
    assert len(fake.api_requests) == 2


def test_pool_managers_check_certificates_unless_told_not_to(tmp_path):
    strict = c._new_manager(None, True).connection_pool_kw
    assert strict["cert_reqs"] == "CERT_REQUIRED" and strict["ca_certs"] == c.certifi.where()
    assert c._new_manager(None, False).connection_pool_kw["cert_reqs"] == "CERT_NONE"
    bundle = tmp_path / "ca.pem"
    assert c._new_manager(None, str(bundle)).connection_pool_kw["ca_certs"] == str(bundle)
    assert c._new_manager(None, str(tmp_path)).connection_pool_kw["ca_cert_dir"] == str(tmp_path)
    for verify in (True, False):
        kw = c._new_manager(None, verify).connection_pool_kw
        assert kw["maxsize"] == 50 and kw["retries"].total is False


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
    assert c.cdr_windows(start, start) == []
    assert c.cdr_windows(start, start + timedelta(days=7)) == [(start, start + timedelta(days=7))]
    wins = c.cdr_windows(start, start + timedelta(days=20, hours=3))
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
    assert c.renew_margin(600) == 60
    assert c.renew_margin(3600) == 60
    assert c.renew_margin(100) == 10
    assert c.renew_margin(1) == pytest.approx(0.1)


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
    client, session = make_client([urllib3.exceptions.ProtocolError("boom")])
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


def _run_threads(fn, n=16):
    barrier = threading.Barrier(n)
    results = []

    def run():
        barrier.wait()
        results.append(fn())

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


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
    results = _run_threads(lambda: source.get(fake))
    assert fake.calls == 1
    assert len(results) == 16 and all(r.ok and r.result.access_token == "t" for r in results)


def test_memory_token_source_coalesces_failures():
    source = MemoryTokenSource()
    fake = SlowFetchClient(lambda: Outcome("tokenByAkSk", "transport", fault="timeout"))
    results = _run_threads(lambda: source.get(fake))
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
# Exception mapping
# ------------------------------------------------------------------------------------------


def _max_retry(reason: Exception) -> urllib3.exceptions.MaxRetryError:
    return urllib3.exceptions.MaxRetryError(None, "/x", reason=reason)


def _refused() -> Exception:
    inner = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection")
    inner.__cause__ = ConnectionRefusedError(111, "Connection refused")
    return requests.exceptions.ConnectionError(_max_retry(inner))


def _dns() -> Exception:
    inner = urllib3.exceptions.NameResolutionError("host.invalid", None, socket.gaierror(-2, "x"))
    return requests.exceptions.ConnectionError(_max_retry(inner))


def _reset_chain() -> Exception:
    err = urllib3.exceptions.ProtocolError(
        "Connection aborted.", http.client.RemoteDisconnected("closed")
    )
    return requests.exceptions.ConnectionError(err)


def _u3_refused() -> Exception:
    inner = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection")
    inner.__cause__ = ConnectionRefusedError(111, "Connection refused")
    return inner


def _read_timeout_in_body() -> Exception:
    # requests raises ConnectionError(ReadTimeoutError) when the body read times out
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.ReadTimeoutError(None, "/x", "Read timed out.")
    )


@pytest.mark.parametrize(
    "exc, fault",
    [
        (requests.exceptions.ReadTimeout("read"), "timeout"),
        (requests.exceptions.ConnectTimeout("connect"), "timeout"),
        (requests.exceptions.Timeout("t"), "timeout"),
        (_read_timeout_in_body(), "timeout"),
        (_refused(), "refused"),
        (_dns(), "dns"),
        (requests.exceptions.SSLError("cert"), "tls"),
        (requests.exceptions.ConnectionError(ssl.SSLError(1, "bad")), "tls"),
        (_reset_chain(), "reset"),
        (requests.exceptions.ConnectionError(ConnectionResetError(104, "reset")), "reset"),
        (requests.exceptions.ChunkedEncodingError("chunk"), "reset"),
        (requests.exceptions.ConnectionError("other"), "reset"),
        (http.client.RemoteDisconnected("closed"), "reset"),
        # As urllib3 raises them to the AICC client (no retries: the error itself).
        (_u3_refused(), "refused"),
        (urllib3.exceptions.ConnectTimeoutError(None, "timed out"), "timeout"),
        (urllib3.exceptions.ReadTimeoutError(None, "/x", "Read timed out."), "timeout"),
        (
            urllib3.exceptions.NameResolutionError("h.invalid", None, socket.gaierror(-2, "x")),
            "dns",
        ),
        (urllib3.exceptions.SSLError(ssl.SSLError(1, "bad")), "tls"),
        (urllib3.exceptions.ProtocolError("aborted", http.client.RemoteDisconnected("x")), "reset"),
        (urllib3.exceptions.ProxyError("Unable to connect to proxy", _u3_refused()), "refused"),
    ],
)
def test_exception_mapping_with_autospec(exc, fault):
    http = urllib3.PoolManager()
    with mock.patch.object(http, "urlopen", autospec=True, side_effect=exc) as req:
        client = AiccClient(make_config(), tokens=MemoryTokenSource(), http=http)
        out = client.fetch_token()
    assert req.call_count == 1
    assert (out.kind, out.fault, out.interface) == ("transport", fault, "tokenByAkSk")
    assert out.detail and len(out.detail) <= 200
    assert SECRET not in out.detail


def test_programming_errors_propagate():
    http = urllib3.PoolManager()
    with mock.patch.object(http, "urlopen", autospec=True, side_effect=TypeError("bug")):
        client = AiccClient(make_config(), tokens=MemoryTokenSource(), http=http)
        with pytest.raises(TypeError):
            client.fetch_token()


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
    http = c._new_manager(None, True)
    yield http
    http.clear()


def _client_for(url, http, **kw):
    cfg = make_config(base_url=url, token_url=url, **kw)
    return AiccClient(cfg, tokens=MemoryTokenSource(), http=http)


def test_real_refused(real_session):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    out = _client_for(f"http://127.0.0.1:{port}", real_session).fetch_token()
    assert (out.kind, out.fault) == ("transport", "refused")


def test_real_request_through_an_environment_proxy(monkeypatch):
    """HTTP_PROXY with credentials: the request goes to the proxy in absolute form with
    Proxy-Authorization, as requests sent it."""
    seen = []

    def proxy(conn):
        seen.append(_read_whole_request(conn))
        body = json.dumps(token_body()).encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    server = OneShotServer(proxy)
    monkeypatch.setattr(c, "_environment_cache", {})
    monkeypatch.setattr(c, "_managers", {})
    monkeypatch.setenv("HTTP_PROXY", f"http://user:p%40ss@127.0.0.1:{server.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        cfg = make_config(base_url="http://aicc.example.test", token_url="http://aicc.example.test")
        out = AiccClient(cfg, tokens=MemoryTokenSource()).fetch_token()
    finally:
        server.close()
    assert out.ok, out
    head = seen[0].decode()
    assert head.startswith("POST http://aicc.example.test" + TOKEN_PATH + " HTTP/1.1")
    assert "proxy-authorization: basic dxnlcjpwqhnz" in head.lower()  # user:p@ss


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


def test_real_tls_trusts_the_environments_ca_bundle_only(tmp_path, monkeypatch):
    """An AICC behind a private CA: trusted with REQUESTS_CA_BUNDLE naming that CA, refused
    ("tls") with certifi's bundle, the default."""
    ca, cert, key = _private_ca(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def tls_token(conn):
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                _read_whole_request(tls)
                body = json.dumps(token_body()).encode()
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        except (OSError, ssl.SSLError):
            pass  # the client refused the certificate

    server = OneShotServer(tls_token)
    url = f"https://127.0.0.1:{server.port}"
    monkeypatch.setattr(c, "_managers", {})
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    try:
        monkeypatch.setattr(c, "_environment_cache", {})
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        default = AiccClient(make_config(base_url=url, token_url=url), tokens=MemoryTokenSource())
        refused = default.fetch_token()
        assert (refused.kind, refused.fault) == ("transport", "tls")

        monkeypatch.setattr(c, "_environment_cache", {})
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
        trusting = AiccClient(make_config(base_url=url, token_url=url), tokens=MemoryTokenSource())
        out = trusting.fetch_token()
    finally:
        server.close()
    assert out.ok, out
    assert out.result.access_token == TOKEN_VALUE


def test_real_http_error_and_redirect_not_followed(real_session):
    def redirect(conn):
        _read_whole_request(conn)
        conn.sendall(
            b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/x\r\n"
            b"Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        conn.close()

    server = OneShotServer(redirect)
    try:
        out = _client_for(f"http://127.0.0.1:{server.port}", real_session).fetch_token()
    finally:
        server.close()
    assert (out.kind, out.http_status) == ("http", 302)


def test_pool_manager_is_one_per_setting_and_process(monkeypatch):
    m1 = c.pool_manager(None, True)
    assert c.pool_manager(None, True) is m1
    assert c.pool_manager(None, False) is not m1
    monkeypatch.setattr(c, "_managers_pid", -1)  # as seen from a forked child
    assert c.pool_manager(None, True) is not m1


def test_pool_manager_thread_safe_creation(monkeypatch):
    monkeypatch.setattr(c, "_managers", {})
    monkeypatch.setattr(c, "_managers_pid", None)
    created = []
    real_new = c._new_manager

    def counting(proxy, verify):
        time.sleep(0.02)
        m = real_new(proxy, verify)
        created.append(m)
        return m

    monkeypatch.setattr(c, "_new_manager", counting)
    results = _run_threads(lambda: c.pool_manager(None, True), n=8)
    assert len(created) == 1 and all(r is created[0] for r in results)


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
