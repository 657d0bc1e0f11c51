"""The API's calls and reasons: placing (idempotent, the web form's rules, decoded refusals and
failures), listing with the history's filters and keyset cursor, reading one call, the reason
catalogue in the caller's language and words; scoped as the pages are; errors as problem+json."""

import json
import uuid

import pytest

from calls.aicc.reasons import decode
from calls.models import Call
from console.models import SoftphoneMapping
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def api(client, bearer):
    class Api:
        def post_call(self, token, key=None, **body):
            headers = bearer(token)
            if key is not False:
                headers["Idempotency-Key"] = key or uuid.uuid4().hex
            return client.post(
                "/api/v1/calls", json.dumps(body), content_type="application/json", headers=headers
            )

        def get(self, token, path, **headers):
            return client.get(f"/api/v1{path}", headers={**bearer(token), **headers})

    return Api()


def test_post_places_a_call_once_per_key(api, tenant, manager, token_for, simctl):
    token = token_for(manager, tenant)
    r = api.post_call(token, key="crm-call-0001", called="+86 138 0000 0000", call_data="case 42")
    assert r.status_code == 201, r.content
    body = r.json()
    call = Call.objects.get()
    assert body["id"] == str(call.code) and body["status"] == "placed" == call.status
    assert body["called"] == "13800000000" and body["call_data"] == "case 42"
    assert body["serial"] == call.serial and body["manager"] == "bob"
    assert body["reason"] is None
    assert simctl.get("calls")[-1]["body"]["callData"] == "case 42"
    again = api.post_call(token, key="crm-call-0001", called="13800000000")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Call.objects.count() == 1 and len(simctl.get("calls")) == 1
    # Another key while that call is live: one live call per manager, a decoded 409.
    busy = api.post_call(token, called="13800000001")
    assert busy.status_code == 409 and busy["Content-Type"] == PROBLEM
    assert busy.json()["reason"]["code"] == "call_in_progress"
    assert busy.json()["call_id"] == body["id"] and len(simctl.get("calls")) == 1
    # Once it has ended, another key and the same number: a new call (the API does not ask
    # "called a moment ago").
    Call.objects.filter(pk=call.pk).update(state=3)
    assert api.post_call(token, called="13800000000").status_code == 201
    assert Call.objects.count() == 2


def test_post_refused_by_the_console_is_a_decoded_422(api, tenant, manager, token_for, simctl):
    token = token_for(manager, tenant)
    r = api.post_call(token, key="refused-0001", called="call me")
    assert r.status_code == 422 and r["Content-Type"] == PROBLEM
    p = r.json()
    assert p["reason"]["source"] == "console" and p["reason"]["code"] == "input"
    assert p["reason"]["fixer"] == "caller" and p["reason"]["retry"] is False
    assert p["title"] == p["reason"]["title"] and p["detail"]
    assert "called" in p["errors"]
    call = Call.objects.get()
    assert p["call_id"] == str(call.code) and call.status == "failed"
    assert simctl.get("calls") == []  # nothing sent
    again = api.post_call(token, key="refused-0001", called="call me")
    assert again.status_code == 422 and again.json()["call_id"] == p["call_id"]


def test_post_failed_at_aicc_comes_with_the_decoded_reason(api, tenant, manager, token_for, simctl):
    simctl.scenario(called="13800000008", retCode="8")
    r = api.post_call(token_for(manager, tenant), called="13800000008")
    assert r.status_code == 201
    reason = r.json()["reason"]
    expected = decode("createCall", "8")
    assert r.json()["status"] == "failed"
    assert (reason["source"], reason["code"]) == ("createCall", "8")
    assert reason["title"] == str(expected.title)
    assert reason["next_step"] == str(expected.next_step)
    assert set(reason) >= {"explanation", "fixer", "retry", "who"}


def test_post_needs_a_manager_with_a_softphone(api, tenant, manager, supervisor, admin, token_for):
    for user in (supervisor, admin):
        r = api.post_call(token_for(user, tenant), called="13800000000")
        assert r.status_code == 403 and r["Content-Type"] == PROBLEM
        assert r.json()["reason"]["code"] == "not_manager"
    SoftphoneMapping.objects.filter(user=manager).update(enabled=False)
    r = api.post_call(token_for(manager, tenant), called="13800000000")
    assert r.status_code == 409 and r.json()["reason"]["code"] == "no_softphone"
    assert "you" in r.json()["reason"]["title"].lower()  # the manager reads "you"
    assert not Call.objects.exists()


@pytest.mark.parametrize("key", [False, "short", "has space in it", "x" * 65])
def test_post_needs_a_valid_idempotency_key(api, tenant, manager, token_for, key):
    r = api.post_call(token_for(manager, tenant), key=key, called="13800000000")
    assert r.status_code == 422 and r["Content-Type"] == PROBLEM
    assert "Idempotency-Key" in r.json()["errors"]
    assert not Call.objects.exists()


def test_post_body_errors_are_problems(client, tenant, manager, token_for, bearer):
    headers = {**bearer(token_for(manager, tenant)), "Idempotency-Key": "k" * 20}
    for body in ("not json", "[]", json.dumps({"call_data": "x"}), json.dumps({"called": 5})):
        r = client.post("/api/v1/calls", body, content_type="application/json", headers=headers)
        assert r.status_code in (400, 422), body
        assert r["Content-Type"] == PROBLEM and r.json()["detail"]
    r = client.post(
        "/api/v1/calls",
        json.dumps({"called": "13800000000", "call_data": "a\x00b"}),
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 422 and not Call.objects.exists()


def _call(tenant, user, n, **extra):
    return Call.objects.create(
        tenant=tenant,
        user=user,
        softphone="10001",
        called=f"1380000{n:04d}",
        idempotency_key=f"seed-{tenant.pk}-{user.pk}-{n}",
        status=extra.pop("status", Call.Status.PLACED),
        **extra,
    )


def test_list_is_scoped_like_the_history(
    api, tenant, other_tenant, manager, supervisor, admin, token_for
):
    colleague = make_user("carol")
    tenant.memberships.create(user=colleague, role="manager")
    mine = [_call(tenant, manager, i) for i in range(3)]
    theirs = [_call(tenant, colleague, 10 + i) for i in range(2)]
    _call(other_tenant, make_user("olga"), 99)
    ids = lambda r: {c["id"] for c in r.json()["items"]}  # noqa: E731
    r = api.get(token_for(manager, tenant), "/calls")
    assert r.status_code == 200 and ids(r) == {str(c.code) for c in mine}
    for user in (supervisor, admin):
        r = api.get(token_for(user, tenant), "/calls")
        assert ids(r) == {str(c.code) for c in mine + theirs}
    r = api.get(token_for(supervisor, tenant), f"/calls?manager={colleague.pk}")
    assert ids(r) == {str(c.code) for c in theirs}


def test_list_filters_and_keyset_pages(api, tenant, manager, supervisor, token_for):
    for i in range(5):
        _call(tenant, manager, i)
    failed = _call(
        tenant, manager, 50, status="failed", reason_source="createCall", reason_code="8"
    )
    token = token_for(supervisor, tenant)
    r = api.get(token, "/calls?status=failed")
    assert [c["id"] for c in r.json()["items"]] == [str(failed.code)]
    assert r.json()["items"][0]["reason"]["code"] == "8"
    assert api.get(token, "/calls?reason=createCall:8").json()["items"][0]["id"] == str(failed.code)
    assert len(api.get(token, "/calls?number=13800000050").json()["items"]) == 1
    seen, after = [], None
    while True:
        page = api.get(token, "/calls?size=2" + (f"&after={after}" if after else "")).json()
        seen += [c["id"] for c in page["items"]]
        after = page["next_cursor"]
        if not after:
            break
    expected = Call.objects.order_by("-created_at", "-id").values_list("code", flat=True)
    assert seen == [str(c) for c in expected]


@pytest.mark.parametrize(
    "query",
    ["status=bogus", "date_from=1999-01-01", "date_from=2026-05-02&date_to=2026-05-01",
     "reason=nonsense:1", "after=%%%", "size=0", "size=500", "match=both"],
)  # fmt: skip
def test_list_refuses_bad_filters_with_a_problem(api, tenant, supervisor, token_for, query):
    r = api.get(token_for(supervisor, tenant), f"/calls?{query}")
    assert r.status_code == 422 and r["Content-Type"] == PROBLEM
    assert r.json()["errors"]


def test_one_call_with_decoded_outcome(api, tenant, manager, supervisor, token_for):
    call = _call(tenant, manager, 1, state=3, outcome_code="4", outcome_source="cdr")
    r = api.get(token_for(manager, tenant), f"/calls/{call.code}")
    assert r.status_code == 200
    assert r.json()["outcome"]["title"] == str(decode("outcome", "4").title)  # "you"
    r = api.get(token_for(supervisor, tenant), f"/calls/{call.code}")
    assert r.json()["outcome"]["title"] == str(decode("outcome", "4", "others").title)
    assert r.json()["state"] == 3 and r.json()["console_url"].endswith(f"/calls/{call.code}/")


def test_one_call_outside_the_persons_reach_is_404(api, tenant, other_tenant, manager, token_for):
    colleague = make_user("carol")
    tenant.memberships.create(user=colleague, role="manager")
    theirs = _call(tenant, colleague, 1)
    foreign = _call(other_tenant, make_user("olga"), 2)
    token = token_for(manager, tenant)
    for call in (theirs, foreign):
        r = api.get(token, f"/calls/{call.code}")
        assert r.status_code == 404 and r["Content-Type"] == PROBLEM
    assert api.get(token, f"/calls/{uuid.uuid4()}").status_code == 404
    assert api.get(token, "/calls/not-a-uuid").status_code in (404, 422)


def test_reasons_in_the_callers_language_and_words(api, tenant, manager, supervisor, token_for):
    mine = api.get(token_for(manager, tenant), "/reasons").json()
    by_key = {(r["source"], r["code"]): r for r in mine}
    assert by_key[("outcome", "4")]["title"] == str(decode("outcome", "4").title)
    others = {
        (r["source"], r["code"]): r
        for r in api.get(token_for(supervisor, tenant), "/reasons").json()
    }
    assert others[("outcome", "4")]["title"] != by_key[("outcome", "4")]["title"]
    zh = api.get(token_for(manager, tenant), "/reasons", **{"Accept-Language": "zh-hans"})
    assert zh["Content-Language"] == "zh-hans"
    zh_titles = {(r["source"], r["code"]): r["title"] for r in zh.json()}
    assert zh_titles[("createCall", "8")] != by_key[("createCall", "8")]["title"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh_titles[("createCall", "8")])


def test_schema_and_reference_page_are_served(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/calls", "/api/v1/calls/{call_id}", "/api/v1/reasons"} <= set(schema["paths"])
    problem = schema["paths"]["/api/v1/calls"]["post"]["responses"]["422"]["content"]
    assert list(problem) == [PROBLEM]
    page = client.get("/api/v1/docs").content.decode()
    assert "<script>" not in page and "/static/ninja/swagger-ui-bundle.js" in page
    assert "/static/console/api-docs.js" in page


def test_unknown_api_paths_are_problems(client):
    r = client.get("/api/v1/nothing/here")
    assert r.status_code == 404 and r["Content-Type"] == PROBLEM


def test_a_method_an_address_does_not_take_is_a_405_problem(client, tenant, manager, token_for):
    headers = {"Authorization": f"Bearer {token_for(manager, tenant)}"}
    r = client.delete("/api/v1/reasons", headers=headers)
    assert r.status_code == 405 and r["Content-Type"] == PROBLEM
    assert r["Allow"] == "GET" and "DELETE" in r.json()["detail"]


def test_a_webhook_carries_the_call_as_the_api_answers_it(
    api, tenant, manager, supervisor, token_for, simctl
):
    """The same representation (calls/representation.py): a receiver reads a call in a webhook
    as a supervisor's token reads it from the API (both in the words for others)."""
    from hooks.events import call_payload

    simctl.scenario(called="13800000008", retCode="8")
    placed = api.post_call(token_for(manager, tenant), called="13800000008")
    call = Call.objects.get(code=placed.json()["id"])
    read = api.get(token_for(supervisor, tenant), f"/calls/{call.code}").json()
    assert call_payload(call) == read
    assert read["reason"]["code"] == "8" and "you" not in read["reason"]["next_step"].lower()
