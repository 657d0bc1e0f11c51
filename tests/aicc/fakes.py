"""Test doubles for the AICC client's tests: a configuration, canned answers and a
requests.Session stand-in that records what was sent."""

from __future__ import annotations

import json
import threading

import requests

from calls.aicc.client import AiccClient
from calls.aicc.results import AiccConfig
from tests.aicc.memory_tokens import MemoryTokenSource

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
    answer = requests.Response()
    answer.status_code = status
    answer.headers["Content-Type"] = "application/json"
    answer._content = raw
    return answer


def token_body(token: str = TOKEN_VALUE, expires: object = "600") -> dict:
    return {"AccessToken": token, "ApplyType": "Bearer", "Expires": expires, "UserID": "Anonymous"}


def ok(result=None, code: object = "0"):
    body = {"retCode": code, "retMsg": "success"}
    if result is not None:
        body["result"] = result
    return response(200, body)


class FakeSession:
    """Stands in for a requests.Session: routes token requests to token replies, API
    requests to a queue; records everything."""

    def __init__(self, api_replies=(), token_replies=None):
        self.api_replies = list(api_replies)
        self.token_replies = list(token_replies or [])
        self.requests: list[dict] = []
        self.token_count = 0

    def post(self, url, *, data, **kw):
        assert isinstance(data, bytes)
        self.requests.append({"url": url, "body": json.loads(data), **kw})
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
    session = FakeSession(api_replies, token_replies)
    return AiccClient(make_config(**cfg), tokens=MemoryTokenSource(), session=session), session


def run_threads(fn, n=16):
    """Run fn in n threads released together; their results."""
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
