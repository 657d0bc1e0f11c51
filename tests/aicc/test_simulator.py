"""The AICC simulator, exercised over real HTTP on loopback. Needs no database and no Django."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from calls.aicc.simulator import Account, Simulator
from calls.aicc.simulator.server import is_loopback

TOKEN = "/apigovernance/api/oauth/tokenByAkSk"
CREATE = "/apiaccess/CC-Management/v3/mobileAgent/createCall"
STATE = "/apiaccess/CC-Management/v1/mobileAgent/queryCallState"
CDR = "/apiaccess/CC-Management/v1/mobileAgent/queryCallDetailRecord"
PHONE = "/apiaccess/CC-Management/v1/mobileAgent/queryPhone"
RECORDING = "/apiaccess/CC-Management/v1/mobileAgent/getRecordingAddress"
SHARED_KEY = "0123456789abcdef-shared"
SCALE = 0.02  # a whole default call lasts (0.5 + 2 + 3 + 8) * 0.02 = 0.27 s


# ------------------------------------------------------------------------------------------
# fixtures and helpers
# ------------------------------------------------------------------------------------------


class _Receiver:
    """A tiny HTTP server that records the callback POSTs it receives."""

    def __init__(self):
        self.events: list[dict] = []
        self.cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.cond:
                    receiver.events.append({"path": self.path, "body": json.loads(body)})
                    receiver.cond.notify_all()
                payload = b'{"retCode":"0","retMsg":"success"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait_for(self, path: str, serial: str, timeout: float = 5.0) -> dict:
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for ev in self.events:
                    if ev["path"] == path and ev["body"].get("callSerialNo") == serial:
                        return ev["body"]
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(f"no {path} callback for {serial}")
                self.cond.wait(left)


@pytest.fixture(scope="module")
def receiver():
    r = _Receiver()
    yield r
    r.httpd.shutdown()
    r.httpd.server_close()


@pytest.fixture(scope="module")
def sim(receiver):
    accounts = [
        Account(),
        Account(
            app_key="trial-key",
            app_secret="trial-secret",
            trial=True,
            trustlist=["10001", "13900000001"],
            daily_limit=3,
        ),  # fmt: skip
        Account(app_key="ita-key", app_secret="ita-secret", call_type="ITA"),
        Account(app_key="anon-key", app_secret="anon-secret", anonymization=True),
        Account(
            app_key="cb-key",
            app_secret="cb-secret",
            connect_callback_url=receiver.url + "/connect",
            release_callback_url=receiver.url + "/release",
            shared_key=SHARED_KEY,
        ),
    ]
    s = Simulator(host="127.0.0.1", port=0, accounts=accounts, time_scale=SCALE).start()
    yield s
    s.stop()


class Client:
    def __init__(self, sim: Simulator, app_key="demo-app-key", app_secret="demo-app-secret"):
        self.sim = sim
        self.app_key = app_key
        self.session = requests.Session()
        r = self.session.post(
            sim.url + TOKEN, json={"app_key": app_key, "app_secret": app_secret}, timeout=5
        )
        assert r.status_code == 200, r.text
        self.token = r.json()["AccessToken"]

    def post(self, path: str, body, **kw):
        headers = {"Authorization": f"Bearer {self.token}", "X-APP-Key": self.app_key}
        kw.setdefault("timeout", 5)
        return self.session.post(self.sim.url + path, json=body, headers=headers, **kw)

    def call(self, **body) -> dict:
        return self.post(CREATE, body).json()

    def wait_state(self, serial: str, state: int = 3, timeout: float = 5.0) -> dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            res = self.post(STATE, {"callSerialNo": serial}).json()["result"]
            if res["state"] >= state:
                return res
            time.sleep(0.02)
        raise AssertionError(f"call {serial} never reached state {state}")


@pytest.fixture
def demo(sim):
    return Client(sim)  # a fresh token per test: test_expire_tokens_endpoint expires them all


def scenario(sim, **body):
    r = requests.post(sim.url + "/__sim/scenario", json=body, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()


_counter = iter(range(10**6))


def fresh_called() -> str:
    """A unique customer number, so tests never collide on the duplicate-call rule."""
    return f"1380{os.getpid() % 1000:03d}{next(_counter):04d}"


def now_ms() -> int:
    return int(time.time() * 1000)


# ------------------------------------------------------------------------------------------
# token
# ------------------------------------------------------------------------------------------


def test_token_success_shape_and_counted(sim):
    before = sim.state.token_fetches.get("demo-app-key", 0)
    r = requests.post(
        sim.url + TOKEN,
        json={"app_key": "demo-app-key", "app_secret": "demo-app-secret"},
        headers={"X-Token-Expire": "600"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["ApplyType"] == "Bearer"
    assert body["Expires"] == "600"
    assert body["AppKey"] == "demo-app-key"
    assert body["UserID"] == "Anonymous"
    assert len(body["Scope"]) == 32 and int(body["Scope"], 16) >= 0
    assert abs(int(body["CreateTime"]) - time.time()) < 5
    assert body["AccessToken"]
    assert sim.state.token_fetches["demo-app-key"] == before + 1


@pytest.mark.parametrize(
    "creds",
    [
        {"app_key": "demo-app-key", "app_secret": "wrong"},
        {"app_key": "nobody", "app_secret": "demo-app-secret"},
        {"app_key": "demo-app-key"},
    ],
)
def test_token_wrong_credentials_403(sim, creds):
    r = requests.post(sim.url + TOKEN, json=creds)
    assert r.status_code == 403
    assert isinstance(r.json(), dict)


@pytest.mark.parametrize(
    ("header", "status", "expires"),
    [(None, 200, "600"), ("7200", 200, "3600"), ("3600", 200, "3600"), ("1", 200, "1"),
     ("abc", 400, None), ("0", 400, None), ("-5", 400, None), ("1.5", 400, None)],
)  # fmt: skip
def test_token_expire_header(sim, header, status, expires):
    headers = {} if header is None else {"X-Token-Expire": header}
    r = requests.post(
        sim.url + TOKEN,
        json={"app_key": "demo-app-key", "app_secret": "demo-app-secret"},
        headers=headers,
    )
    assert r.status_code == status
    if expires:
        assert r.json()["Expires"] == expires


def test_an_account_can_grant_a_shorter_token_than_asked(sim):
    sim.state.add_account(
        Account(app_key="short-key", app_secret="short-secret", max_token_lifetime=2)
    )
    r = requests.post(
        sim.url + TOKEN,
        json={"app_key": "short-key", "app_secret": "short-secret"},
        headers={"X-Token-Expire": "600"},
    )
    assert r.status_code == 200 and r.json()["Expires"] == "2"
    headers = {"Authorization": f"Bearer {r.json()['AccessToken']}"}
    assert requests.post(sim.url + PHONE, json={}, headers=headers).status_code == 200
    time.sleep(2.1)
    assert requests.post(sim.url + PHONE, json={}, headers=headers).status_code == 401
    with pytest.raises(ValueError):
        Account(app_key="k", max_token_lifetime=0)


def test_token_really_expires(sim):
    r = requests.post(
        sim.url + TOKEN,
        json={"app_key": "demo-app-key", "app_secret": "demo-app-secret"},
        headers={"X-Token-Expire": "1"},
    )
    token = r.json()["AccessToken"]
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.post(sim.url + PHONE, json={}, headers=headers).status_code == 200
    time.sleep(1.1)
    r = requests.post(sim.url + PHONE, json={}, headers=headers)
    assert r.status_code == 401
    assert isinstance(r.json(), dict)


# ------------------------------------------------------------------------------------------
# authentication and request shape on /apiaccess
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "auth",
    [None, "", "Bearer", "Bearer ", "bearer {t}", "Bearer  {t}", "Token {t}", "{t}",
     "Bearer {t} x", "Bearer not-a-token"],
)  # fmt: skip
def test_401_for_bad_authorization(sim, demo, auth):
    headers = {} if auth is None else {"Authorization": auth.format(t=demo.token)}
    r = requests.post(sim.url + CREATE, json={"softPhone": "10001", "called": "1"},
                      headers=headers)  # fmt: skip
    assert r.status_code == 401
    assert isinstance(r.json(), dict)


def test_401_when_app_key_header_differs(sim, demo):
    r = requests.post(
        sim.url + PHONE,
        json={},
        headers={"Authorization": f"Bearer {demo.token}", "X-APP-Key": "trial-key"},
    )
    assert r.status_code == 401
    # without the optional header the token alone is enough
    r = requests.post(sim.url + PHONE, json={}, headers={"Authorization": f"Bearer {demo.token}"})
    assert r.status_code == 200


def test_expire_tokens_endpoint(sim):
    client = Client(sim)
    assert client.post(PHONE, {}).status_code == 200
    assert requests.post(sim.url + "/__sim/expire_tokens").status_code == 200
    assert client.post(PHONE, {}).status_code == 401


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'"text"', b"", b"\xff\xfe"])
def test_400_for_non_json_or_non_object(sim, demo, raw):
    for path in (CREATE, STATE, PHONE):
        r = demo.session.post(
            sim.url + path,
            data=raw,
            headers={"Authorization": f"Bearer {demo.token}", "Content-Type": "application/json"},
        )
        assert r.status_code == 400, path


def test_unknown_path_404(sim, demo):
    assert demo.post("/apiaccess/CC-Management/v9/mobileAgent/createCall", {}).status_code == 404
    assert requests.post(sim.url + "/nothing", json={}).status_code == 404


def test_keep_alive_and_content_length(sim, demo):
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    headers = {"Authorization": f"Bearer {demo.token}", "Content-Type": "application/json"}
    for _ in range(3):
        conn.request("POST", PHONE, body=b'{"limit":"1"}', headers=headers)
        resp = conn.getresponse()
        assert resp.status == 200
        assert int(resp.getheader("Content-Length")) == len(resp.read())
        assert not resp.will_close
    conn.close()


# ------------------------------------------------------------------------------------------
# createCall
# ------------------------------------------------------------------------------------------


def test_create_call_success_unique_19_digit_serials(sim, demo):
    serials = set()
    for _ in range(20):
        body = demo.call(softPhone="10002", called=fresh_called(), callData="order=42")
        assert body["retCode"] == "0" and body["retMsg"] == "success"
        serial = body["result"]["callSerialNo"]
        assert isinstance(serial, str) and len(serial) == 19 and serial.isdigit()
        serials.add(serial)
    assert len(serials) == 20
    entry = sim.state.create_calls[-1]
    assert entry["retCode"] == "0" and entry["serial"] == serial
    assert entry["app_key"] == "demo-app-key"
    assert entry["body"]["callData"] == "order=42"


@pytest.mark.parametrize(
    "body",
    [{"softPhone": 10001, "called": "13800000000"}, {"softPhone": "10001", "called": 138},
     {"softPhone": "10001", "called": "138", "callData": None}],
)  # fmt: skip
def test_create_call_non_string_is_400(demo, body):
    r = demo.post(CREATE, body)
    assert r.status_code == 400
    assert isinstance(r.json(), dict)


@pytest.mark.parametrize(
    ("body", "message"),
    [({"called": "13800000000"}, "SoftPhone is not configured"),
     ({"softPhone": "10001"}, "Called is not configured"),
     ({"softPhone": "", "called": "13800000000"}, "SoftPhone is not configured"),
     ({"softPhone": "10001", "called": ""}, "Called is not configured")],
)  # fmt: skip
def test_create_call_missing_required_field_is_the_vendors_retcode_5(demo, body, message):
    # createCall-v3.txt, "Example": the vendor's own answer to a request without a usable
    # called number is HTTP 200 {"retMsg": "Called is not configured", "retCode": "5"}, not 400.
    r = demo.post(CREATE, body)
    assert r.status_code == 200
    assert r.json() == {"retCode": "5", "retMsg": message}


def test_create_call_missing_required_field_on_ita_is_90100100(sim):
    # createCall-v3.txt Table 4: 90100100 "a parameter is missing or not supported".
    ita = Client(sim, "ita-key", "ita-secret")
    assert ita.call(softPhone="10001") == {
        "retCode": "90100100",
        "retMsg": "Invalid Input Parameter",
    }
    assert ita.call(softPhone="10001", called=fresh_called(), agentWorkNo="1")["retCode"] == (
        "90100100"
    )


@pytest.mark.parametrize("key", ["agentWorkNo", "callBackUrl", "agentPresent", "SoftPhone", "x"])
def test_create_call_unknown_body_key_is_refused_and_nothing_placed(sim, demo, key):
    # V1-only fields (agentWorkNo, callBackUrl, agentPresent) are not part of V3 (Table 2).
    before = len(sim.state.calls)
    r = demo.post(CREATE, {"softPhone": "10001", "called": fresh_called(), key: "1"})
    assert r.status_code == 400 and key in r.json()["retMsg"]
    assert len(sim.state.calls) == before


@pytest.mark.parametrize(
    ("key", "code"), [("caller", "5"), ("callerPresent", "5"), ("callData", "2")]
)
def test_create_call_empty_optional_field_is_refused_not_read_as_omitted(demo, key, code):
    res = demo.call(softPhone="10002", called=fresh_called(), **{key: ""})
    assert res["retCode"] == code
    assert demo.call(softPhone="10002", called=fresh_called())["retCode"] == "0"


def test_create_call_data_length_code_2(demo):
    assert (
        demo.call(softPhone="10003", called=fresh_called(), callData="x" * 1024)["retCode"] == "0"
    )
    body = demo.call(softPhone="10003", called=fresh_called(), callData="x" * 1025)
    assert body == {"retCode": "2", "retMsg": body["retMsg"]} and body["retMsg"]


@pytest.mark.parametrize(
    "extra",
    [{"called": "+8613800000000"}, {"called": "1" * 33}, {"called": "138-0000"},
     {"called": "abc"}, {"caller": "1390000x"}, {"caller": "1" * 33},
     {"softPhone": "1000a"}, {"callerPresent": "4009999999"}, {"callerPresent": "13912345678"}],
)  # fmt: skip
def test_create_call_format_code_5(demo, extra):
    body = {"softPhone": "10004", "called": fresh_called(), **extra}
    res = demo.call(**body)
    assert res["retCode"] == "5"
    assert "format" in res["retMsg"]


def test_caller_present_access_code_and_anonymization(sim):
    demo = Client(sim)
    assert (
        demo.call(softPhone="10004", called=fresh_called(), callerPresent="4001234567")["retCode"]
        == "0"
    )
    anon = Client(sim, "anon-key", "anon-secret")
    for number, code in [("13912345678", "0"), ("86139123456789", "0"), ("1391234567", "5"),
                         ("861391234567890", "5"), ("4001234567", "0")]:  # fmt: skip
        assert (
            anon.call(softPhone="10001", called=fresh_called(), callerPresent=number)["retCode"]
            == code
        ), number


def test_softphone_not_allocated_code_8(demo):
    assert demo.call(softPhone="99999", called=fresh_called())["retCode"] == "8"


def test_trial_trustlist_code_16_and_daily_limit_code_21(sim):
    trial = Client(sim, "trial-key", "trial-secret")
    # agent-side number = caller when given, else the softphone
    assert trial.call(softPhone="10002", called=fresh_called())["retCode"] == "16"
    assert (
        trial.call(softPhone="10001", called=fresh_called(), caller="13700000000")["retCode"]
        == "16"
    )
    placed = 0
    for extra in ({}, {"caller": "13900000001"}, {}):
        assert trial.call(softPhone="10001", called=fresh_called(), **extra)["retCode"] == "0"
        placed += 1
    assert placed == 3  # daily_limit
    res = trial.call(softPhone="10001", called=fresh_called())
    assert res["retCode"] == "21"
    assert "3 per day" in res["retMsg"]


def test_duplicate_in_progress_code_1(demo):
    called = fresh_called()
    first = demo.call(softPhone="10005", called=called)
    assert first["retCode"] == "0"
    assert demo.call(softPhone="10005", called=called)["retCode"] == "1"
    assert demo.call(softPhone="10006", called=called)["retCode"] == "0"  # other softphone
    demo.wait_state(first["result"]["callSerialNo"])
    assert demo.call(softPhone="10005", called=called)["retCode"] == "0"  # earlier one ended


def test_ita_unsupported_fields_90100100(sim):
    ita = Client(sim, "ita-key", "ita-secret")
    for extra in ({"callData": "x"}, {"callerPresent": "4001234567"}):
        res = ita.call(softPhone="10001", called=fresh_called(), **extra)
        assert res == {"retCode": "90100100", "retMsg": "Invalid Input Parameter"}
    assert ita.call(softPhone="10001", called=fresh_called())["retCode"] == "0"


# ------------------------------------------------------------------------------------------
# call progression, queryCallState, CDR
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outcome, states",
    [
        ("agent_no_answer", [0, 3]),  # only the agent's phone rang: the customer was never called
        ("customer_no_answer", [0, 1, 3]),  # the agent answered, then the customer rang
    ],
)
def test_the_state_is_the_state_of_the_call_to_the_customer(demo, sim, outcome, states):
    """docs/contract-choices.md, "Which leg is ringing": 0 while AICC rings the agent, 1 once
    the agent has answered and the customer rings."""
    called = fresh_called()
    scenario(sim, called=called, outcome=outcome)
    serial = demo.call(softPhone="10007", called=called)["result"]["callSerialNo"]
    seen = []
    deadline = time.time() + 5
    while time.time() < deadline and (not seen or seen[-1] != 3):
        state = demo.post(STATE, {"callSerialNo": serial}).json()["result"]["state"]
        if not seen or seen[-1] != state:
            seen.append(state)
        time.sleep(0.003)
    assert seen == states


def test_state_progression(demo):
    called = fresh_called()
    serial = demo.call(softPhone="10007", called=called, callData="cd")["result"]["callSerialNo"]
    seen = []
    deadline = time.time() + 5
    while time.time() < deadline:
        res = demo.post(STATE, {"callSerialNo": serial}).json()
        assert res["retCode"] == "0"
        r = res["result"]
        if not seen or seen[-1] != r["state"]:
            seen.append(r["state"])
        if r["state"] == 3:
            break
        time.sleep(0.005)
    assert seen == sorted(seen) and seen[-1] == 3
    assert 2 in seen  # the conversation phase lasts 0.16 s: the poll sees it
    assert r["reasonCode"] == 0
    assert r["called"] == called and r["caller"] == "10007" and r["callData"] == "cd"
    assert r["callerPresent"] == "4001234567" and r["agentPresent"]
    assert r["endTime"] > r["startTime"]


def test_query_call_state_errors(sim, demo):
    assert demo.post(STATE, {"callSerialNo": "12ab"}).json()["retCode"] == "3"
    assert demo.post(STATE, {"callSerialNo": "1" * 51}).json()["retCode"] == "3"
    assert demo.post(STATE, {"callSerialNo": "1" * 19}).json()["retCode"] == "1"
    other = Client(sim, "anon-key", "anon-secret")
    serial = demo.call(softPhone="10001", called=fresh_called())["result"]["callSerialNo"]
    assert other.post(STATE, {"callSerialNo": serial}).json()["retCode"] == "1"


def _cdr(client, caller=None, **kw):
    body = {"startTime": str(now_ms() - 60_000), "endTime": str(now_ms() + 1000), **kw}
    if caller:
        body["caller"] = caller
    return client.post(CDR, body).json()


def test_cdr_paging_filter_and_fields(demo):
    caller = "13711112222"
    serials = []
    for _ in range(5):
        res = demo.call(softPhone="10008", called=fresh_called(), caller=caller)
        serials.append(res["result"]["callSerialNo"])
    for s in serials:
        demo.wait_state(s)
    pages = [_cdr(demo, caller, offset=str(o), limit="2") for o in (0, 2, 4)]
    assert all(p["retCode"] == "0" for p in pages)
    assert pages[0]["retMsg"] == "Query call detail record successfully"
    assert [p["result"]["total"] for p in pages] == [5, 5, 5]
    rows = [row for p in pages for row in p["result"]["callInfo"]]
    assert [len(p["result"]["callInfo"]) for p in pages] == [2, 2, 1]
    assert [r["callSerialNo"] for r in rows] == serials
    assert [r["startTime"] for r in rows] == sorted(r["startTime"] for r in rows)
    row = rows[0]
    for key in ("callSerialNo", "caller", "called", "startTime", "endTime", "state",
                "reasonCode", "callData", "callerPresent", "alertingTime", "talkingTime",
                "releaseTime", "talkDuration", "agentAlertingTime", "agentTalkingTime",
                "agentReleaseTime", "agentTalkDuration", "agentPresent"):  # fmt: skip
        assert key in row, key
    assert isinstance(row["callSerialNo"], str)
    for key in ("startTime", "endTime", "talkingTime", "talkDuration", "agentTalkDuration"):
        assert isinstance(row[key], int), key
    assert row["state"] == 3 and row["reasonCode"] == 0 and row["caller"] == caller
    assert (
        row["startTime"] <= row["agentAlertingTime"] <= row["agentTalkingTime"]
        <= row["alertingTime"] <= row["talkingTime"] <= row["releaseTime"] == row["endTime"]
    )  # fmt: skip
    # limit clamps: 0 -> 1, 500 -> 100
    assert len(_cdr(demo, caller, limit="0")["result"]["callInfo"]) == 1
    assert len(_cdr(demo, caller, limit="500")["result"]["callInfo"]) == 5
    # taskType 4 (ITA calls) finds none of these AICC calls
    assert _cdr(demo, caller, taskType="4")["retCode"] == "1"
    assert _cdr(demo, caller, taskType="1")["result"]["total"] == 5


def test_cdr_errors_and_no_data(demo):
    now = now_ms()
    week = 7 * 24 * 3600 * 1000
    cases = [
        ({"endTime": str(now)}, "2"),
        ({"startTime": "abc", "endTime": str(now)}, "2"),
        ({"startTime": str(now), "endTime": str(now - 1)}, "2"),
        ({"startTime": str(now - week - 1), "endTime": str(now)}, "2"),
        ({"startTime": str(now - 1000), "endTime": str(now), "offset": "x"}, "4"),
        ({"startTime": str(now - 1000), "endTime": str(now), "limit": ""}, "4"),
        ({"startTime": str(now - week), "endTime": str(now - week + 1000)}, "1"),
        ({"startTime": str(now - 60_000), "endTime": str(now), "caller": "19999999999"}, "1"),
    ]
    for body, code in cases:
        res = demo.post(CDR, body).json()
        assert res["retCode"] == code, body
    assert demo.post(CDR, {"startTime": now - 1000, "endTime": str(now)}).status_code == 400


def test_outcomes_and_ita_q850(sim, demo):
    called = fresh_called()
    scenario(sim, called=called, outcome="agent_no_answer", times=1)
    serial = demo.call(softPhone="10009", called=called)["result"]["callSerialNo"]
    assert demo.wait_state(serial)["reasonCode"] == 4
    row = _cdr(demo, "10009")["result"]["callInfo"][-1]
    assert row["callSerialNo"] == serial
    assert row["talkingTime"] is None and row["alertingTime"] is None
    assert row["talkDuration"] == 0

    ita = Client(sim, "ita-key", "ita-secret")
    called = fresh_called()
    scenario(sim, called=called, q850=17, times=1)
    serial = ita.call(softPhone="10002", called=called)["result"]["callSerialNo"]
    assert ita.wait_state(serial)["reasonCode"] == 17
    res = _cdr(ita, taskType="4")
    assert serial in [r["callSerialNo"] for r in res["result"]["callInfo"]]
    assert _cdr(ita, taskType="0")["retCode"] == "1"


# ------------------------------------------------------------------------------------------
# queryPhone, recordings
# ------------------------------------------------------------------------------------------


def test_query_phone(demo):
    res = demo.post(PHONE, {"limit": "3", "offset": "2"}).json()
    assert res["retCode"] == "0"
    result = res["result"]
    assert result["total"] == 10
    assert result["regIPAddress"] and isinstance(result["regPort"], int)
    assert [p["phoneNum"] for p in result["phone"]] == ["10003", "10004", "10005"]
    for key in ("phoneNum", "password", "id", "status", "remark", "tenantId", "partdbId"):
        assert key in result["phone"][0]
    assert {p["status"] for p in demo.post(PHONE, {}).json()["result"]["phone"]} == {0, 1}
    assert len(demo.post(PHONE, {"limit": "0"}).json()["result"]["phone"]) == 1
    assert len(demo.post(PHONE, {"limit": "1000"}).json()["result"]["phone"]) == 10
    assert demo.post(PHONE, {"limit": ""}).json()["retCode"] == "4"
    assert demo.post(PHONE, {"offset": ""}).json()["retCode"] == "4"


def test_recording_address_served_then_expires(sim, demo):
    answered = demo.call(softPhone="10010", called=fresh_called())["result"]["callSerialNo"]
    # not ended yet -> 5 (a JSON number)
    res = demo.post(RECORDING, {"callSerialNo": answered}).json()
    assert res["retCode"] == 5
    called = fresh_called()
    scenario(sim, called=called, outcome="customer_no_answer", times=1)
    unanswered = demo.call(softPhone="10010", called=called)["result"]["callSerialNo"]
    demo.wait_state(answered)
    demo.wait_state(unanswered)
    assert demo.post(RECORDING, {"callSerialNo": unanswered}).json()["retCode"] == 5
    assert demo.post(RECORDING, {"callSerialNo": "9" * 19}).json()["retCode"] == 5
    assert demo.post(RECORDING, {"callSerialNo": "1" * 51}).json()["retCode"] == 12

    sim.recording_ttl = 0.5
    try:
        res = demo.post(RECORDING, {"callSerialNo": answered}).json()
    finally:
        sim.recording_ttl = 300.0
    assert res["retCode"] == 0
    url = res["result"]["url"]
    assert url.startswith(sim.url + "/__sim/recordings/") and url.endswith(".wav")
    r = requests.get(url)
    assert r.status_code == 200
    assert r.content[:4] == b"RIFF" and r.content[8:12] == b"WAVE"
    time.sleep(0.6)
    assert requests.get(url).status_code == 404


# ------------------------------------------------------------------------------------------
# scenario injection, latency, stats
# ------------------------------------------------------------------------------------------


def test_scenario_retcode_times(sim, demo):
    called = fresh_called()
    scenario(sim, called=called, retCode="6", times=2)
    for _ in range(2):
        res = demo.call(softPhone="10001", called=called)
        assert res == {"retCode": "6", "retMsg": "The VDN is unavailable."}
    assert demo.call(softPhone="10001", called=called)["retCode"] == "0"
    # custom message, wildcard for another interface
    scenario(sim, called="*", interface="queryPhone", retCode="3", retMsg="no reg", times=1)
    assert demo.post(PHONE, {}).json() == {"retCode": "3", "retMsg": "no reg"}
    assert demo.post(PHONE, {}).json()["retCode"] == "0"


def test_scenario_http_status_bad_json_no_retcode(sim, demo):
    called = fresh_called()
    scenario(sim, called=called, http_status=500, times=1)
    scenario(sim, called=called, fault="bad_json", times=1)
    scenario(sim, called=called, fault="no_retcode", times=1)
    # the newest matching scenario wins, each used once
    r = demo.post(CREATE, {"softPhone": "10001", "called": called})
    assert r.status_code == 200 and r.json() == {"result": {}}
    r = demo.post(CREATE, {"softPhone": "10001", "called": called})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        r.json()
    r = demo.post(CREATE, {"softPhone": "10001", "called": called})
    assert r.status_code == 500
    assert demo.call(softPhone="10001", called=called)["retCode"] == "0"


def test_scenario_on_query_by_serial_and_token(sim, demo):
    called = fresh_called()
    serial = demo.call(softPhone="10002", called=called)["result"]["callSerialNo"]
    scenario(sim, called=called, interface="queryCallState", http_status=503, times=1)
    assert demo.post(STATE, {"callSerialNo": serial}).status_code == 503
    assert demo.post(STATE, {"callSerialNo": serial}).status_code == 200
    scenario(sim, interface="tokenByAkSk", http_status=500, times=1)
    creds = {"app_key": "demo-app-key", "app_secret": "demo-app-secret"}
    assert requests.post(sim.url + TOKEN, json=creds).status_code == 500
    assert requests.post(sim.url + TOKEN, json=creds).status_code == 200


@pytest.mark.parametrize("fault", ["drop", "reset"])
def test_scenario_drop_and_reset(sim, demo, fault):
    called = fresh_called()
    scenario(sim, called=called, fault=fault, times=1)
    with pytest.raises(requests.ConnectionError):
        requests.post(
            sim.url + CREATE,
            json={"softPhone": "10001", "called": called},
            headers={"Authorization": f"Bearer {demo.token}"},
            timeout=5,
        )
    assert demo.call(softPhone="10001", called=called)["retCode"] == "0"
    assert sim.state.create_calls[-2]["fault"] == fault


def test_scenario_timeout(sim, demo):
    called = fresh_called()
    scenario(sim, called=called, fault="timeout", latency_ms=300, times=2)
    headers = {"Authorization": f"Bearer {demo.token}"}
    url, body = sim.url + CREATE, {"softPhone": "10001", "called": called}
    started = time.monotonic()
    with pytest.raises(requests.ConnectionError):
        requests.post(url, json=body, headers=headers, timeout=5)  # closed without an answer
    assert time.monotonic() - started >= 0.29
    with pytest.raises(requests.ReadTimeout):
        requests.post(url, json=body, headers=headers, timeout=0.1)


def test_global_latency(sim, demo):
    assert requests.post(sim.url + "/__sim/latency", json={"ms": 200}).status_code == 200
    try:
        started = time.monotonic()
        assert demo.post(PHONE, {}).status_code == 200
        assert time.monotonic() - started >= 0.19
    finally:
        requests.post(sim.url + "/__sim/latency", json={"ms": 0})
    started = time.monotonic()
    demo.post(PHONE, {})
    assert time.monotonic() - started < 0.19


def test_create_call_log_has_the_simulators_own_time(sim, demo):
    """bench/call_overhead.py subtracts `served_ms`: the simulator's time for that createCall,
    injected latency included, and never more than the client waited."""
    assert requests.post(sim.url + "/__sim/latency", json={"ms": 50}).status_code == 200
    try:
        called = fresh_called()
        started = time.perf_counter()
        assert demo.call(softPhone="10003", called=called)["retCode"] == "0"
        waited_ms = (time.perf_counter() - started) * 1000
    finally:
        requests.post(sim.url + "/__sim/latency", json={"ms": 0})
    deadline = time.monotonic() + 5  # set just after the answer is written: may lag a moment
    while True:
        calls = requests.get(sim.url + "/__sim/calls").json()
        (entry,) = [
            c for c in calls if isinstance(c["body"], dict) and c["body"].get("called") == called
        ]
        if "served_ms" in entry or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert 50 <= entry["served_ms"] <= waited_ms


def test_bad_scenario_rejected(sim):
    for body in ({"interface": "nope"}, {"fault": "explode"}, {"outcome": "x"}, {"bogus": 1}):
        assert requests.post(sim.url + "/__sim/scenario", json=body).status_code == 400


def test_stats_exact_under_concurrency(sim, demo):
    before = requests.get(sim.url + "/__sim/stats").json()
    n = 60

    def one(_):
        return demo.call(softPhone="10003", called=fresh_called())["retCode"]

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(one, range(n)))
    assert codes == ["0"] * n
    after = requests.get(sim.url + "/__sim/stats").json()
    assert after["create_calls"] - before["create_calls"] == n
    assert after["calls_by_retcode"]["0"] - before["calls_by_retcode"].get("0", 0) == n
    calls = requests.get(sim.url + "/__sim/calls").json()
    assert len(calls) == after["create_calls"]
    assert after["token_fetches"]["demo-app-key"] >= 1


# ------------------------------------------------------------------------------------------
# callbacks
# ------------------------------------------------------------------------------------------


def _check_signature(body: dict) -> None:
    params = {k: v for k, v in body.items() if k not in ("timestamp", "nonce", "signature")}
    joined = ",".join(f"{k}={params[k]}" for k in sorted(params))
    text = f"{SHARED_KEY}_{body['timestamp']}_{body['nonce']}_{joined}"
    expected = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    assert body["signature"] == expected


def test_connect_and_release_callbacks(sim, receiver):
    cb = Client(sim, "cb-key", "cb-secret")
    called = fresh_called()
    serial = cb.call(softPhone="10004", called=called, callData="ticket-9")["result"][
        "callSerialNo"
    ]
    connect = receiver.wait_for("/connect", serial)
    assert connect["called"] == called and connect["callData"] == "ticket-9"
    assert connect["serviceNo"]
    _check_signature(connect)
    release = receiver.wait_for("/release", serial)
    for key in ("callSerialNo", "serviceNo", "called", "caller", "callerPresent", "callData",
                "createCallTime", "alertingTime", "talkingTime", "releaseTime", "talkDuration",
                "recordfile", "locationId", "releaseReason", "agentAlertingTime",
                "agentTalkingTime", "agentReleaseTime", "agentTalkDuration"):  # fmt: skip
        assert isinstance(release[key], str), key
    assert release["releaseReason"] == "0"
    assert abs(int(release["releaseTime"]) - now_ms()) < 5000
    _check_signature(release)

    # an unanswered call: a release event only
    called = fresh_called()
    scenario(sim, called=called, outcome="customer_no_answer", times=1)
    serial = cb.call(softPhone="10004", called=called)["result"]["callSerialNo"]
    release = receiver.wait_for("/release", serial)
    assert release["releaseReason"] == "5" and release["talkingTime"] == ""
    assert not [e for e in receiver.events
                if e["path"] == "/connect" and e["body"]["callSerialNo"] == serial]  # fmt: skip


# ------------------------------------------------------------------------------------------
# control plane
# ------------------------------------------------------------------------------------------


def test_is_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("127.1.2.3") and is_loopback("::1")
    assert is_loopback("::ffff:127.0.0.1")
    assert not is_loopback("10.0.0.5") and not is_loopback("192.168.1.1")


def _non_loopback_ip() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") or ip == "0.0.0.0" else ip


def test_control_refused_from_non_loopback():
    ip = _non_loopback_ip()
    if ip is None:
        pytest.skip("no non-loopback address on this host")
    with Simulator(host="0.0.0.0", port=0) as s:
        remote = f"http://{ip}:{s.port}"
        assert requests.get(remote + "/__sim/stats", timeout=5).status_code == 403
        assert requests.post(remote + "/__sim/reset", timeout=5).status_code == 403
        # the API itself is served to anyone
        creds = {"app_key": "demo-app-key", "app_secret": "demo-app-secret"}
        assert requests.post(remote + TOKEN, json=creds, timeout=5).status_code == 200
        assert requests.get(s.url + "/__sim/stats", timeout=5).status_code == 200


def test_accounts_endpoint_and_reset():
    with Simulator(time_scale=SCALE) as s:
        acct = {"app_key": "new-key", "app_secret": "new-secret", "call_type": "ITA",
                "softphones": [{"phoneNum": "20001", "status": 0, "remark": "x"}]}  # fmt: skip
        assert requests.post(s.url + "/__sim/accounts", json=acct).status_code == 200
        assert requests.post(s.url + "/__sim/accounts", json={"nope": 1}).status_code == 400
        client = Client(s, "new-key", "new-secret")
        assert client.call(softPhone="20001", called="13800000001")["retCode"] == "0"
        assert client.call(softPhone="10001", called="13800000001")["retCode"] == "8"
        scenario(s, called="*", retCode="5")
        stats = requests.get(s.url + "/__sim/stats").json()
        assert stats["create_calls"] == 2 and stats["token_fetches"] == {"new-key": 1}
        assert requests.post(s.url + "/__sim/reset").status_code == 200
        stats = requests.get(s.url + "/__sim/stats").json()
        assert stats["create_calls"] == 0 and stats["token_fetches"] == {}
        assert requests.get(s.url + "/__sim/scenarios").json() == []
        # accounts and tokens survive a reset
        assert client.call(softPhone="20001", called="13800000001")["retCode"] == "0"


def test_from_config_file(tmp_path):
    cfg = {
        "accounts": [{"app_key": "cfg-key", "app_secret": "cfg-secret", "trial": True,
                      "trustlist": ["10001"]}],
        "scenarios": [{"called": "13800000009", "retCode": "6"}],
    }  # fmt: skip
    path = tmp_path / "sim.json"
    path.write_text(json.dumps(cfg))
    with Simulator.from_config_file(str(path), host="127.0.0.1", port=0, time_scale=0.1) as s:
        assert s.time_scale == 0.1
        client = Client(s, "cfg-key", "cfg-secret")
        assert client.call(softPhone="10001", called="13800000009")["retCode"] == "6"
        assert client.call(softPhone="10002", called="13800000001")["retCode"] == "16"


def test_management_command_starts_and_stops_on_sigterm():
    root = Path(__file__).resolve().parents[2]
    script = (
        "import django; from django.conf import settings; settings.configure(); django.setup();"
        "from django.core.management import call_command;"
        "from calls.management.commands.aicc_simulator import Command;"
        "call_command(Command(), '--port', '0', '--time-scale', '0.5')"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("AICC simulator listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1]
        assert not url.endswith(":0")
        assert requests.get(url + "/__sim/stats", timeout=5).status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
