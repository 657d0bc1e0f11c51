"""The API obeys the same guardrails (409 problem+json with the decoded reason, when calling
opens, who may call anyway) and keeps the do-not-call list (/api/v1/do-not-call)."""

import pytest

from calls.models import Call
from console.models import AuditEntry
from guardrails.models import DoNotCall

pytestmark = pytest.mark.django_db
NUMBER = "+8613800001234"


def place(client, headers, key, **body):
    return client.post(
        "/api/v1/calls",
        {"called": "13800001234", **body},
        content_type="application/json",
        headers={**headers, "Idempotency-Key": key},
    )


def test_a_do_not_call_number_is_a_409_problem_and_nothing_is_sent(
    client, tenant, manager, token_for, bearer, simctl
):
    DoNotCall.objects.create(tenant=tenant, number=NUMBER, reason="Complained")
    headers = bearer(token_for(manager, tenant))
    r = place(client, headers, "api-dnc-1")
    assert r.status_code == 409 and r["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["reason"]["code"] == "do_not_call" and body["reason"]["source"] == "console"
    assert body["type"] == "/api/v1/reasons#console:do_not_call"
    assert body["may_override"] is False and "Nobody in this tenant" in body["who_may_override"]
    call = Call.objects.get(code=body["call_id"])
    assert call.status == "failed" and simctl.get("stats")["create_calls"] == 0
    # The same reason, decoded, when the call is read back.
    got = client.get(f"/api/v1/calls/{call.code}", headers=headers).json()
    assert got["reason"]["code"] == "do_not_call" and got["override"] is None


def test_the_day_cap_says_when_calling_opens(client, tenant, manager, admin, token_for, bearer):
    for i in range(3):
        Call.objects.create(tenant=tenant, user=admin, softphone="10002", called="13800001234",
                            customer_number=NUMBER, idempotency_key=f"cap{i}", status="placed",
                            state=3)  # fmt: skip
    r = place(client, bearer(token_for(manager, tenant)), "api-cap-4")
    body = r.json()
    assert r.status_code == 409 and body["reason"]["code"] == "day_cap" and body["opens_at"]


def test_an_allowed_override_places_the_call_and_shows_it(
    client, tenant, manager, token_for, bearer, simctl
):
    tenant.override_roles = "manager"
    tenant.save()
    DoNotCall.objects.create(tenant=tenant, number=NUMBER)
    headers = bearer(token_for(manager, tenant))
    r = place(client, headers, "api-over-1", override_reason="short")
    assert r.status_code == 409 and r.json()["may_override"] is True
    r = place(client, headers, "api-over-2", override_reason="Customer wrote in to ask for a call")
    assert r.status_code == 201
    assert r.json()["override"] == {
        "rule": "do_not_call",
        "reason": "Customer wrote in to ask for a call",
    }
    assert AuditEntry.objects.filter(action="call.override").count() == 1


def test_the_do_not_call_list_through_the_api(
    client, tenant, supervisor, manager, token_for, bearer
):
    s = bearer(token_for(supervisor, tenant))
    m = bearer(token_for(manager, tenant))
    r = client.post("/api/v1/do-not-call", {"number": "138-0000-1234", "reason": "Asked",
                    "until": "2030-01-31"}, content_type="application/json", headers=s)  # fmt: skip
    assert r.status_code == 201 and r.json()["number"] == NUMBER and r.json()["active"]
    assert r.json()["until"] == "2030-01-31" and r.json()["added_by"] == "sam"
    r = client.post("/api/v1/do-not-call", {"number": "13800001234", "reason": "Again"},
                    content_type="application/json", headers=s)  # fmt: skip
    assert r.status_code == 200 and r.json()["until"] is None
    # a manager adds (as from a wrap-up), does not read or remove
    r = client.post("/api/v1/do-not-call", {"number": "13800005678"},
                    content_type="application/json", headers=m)  # fmt: skip
    assert r.status_code == 201
    assert client.get("/api/v1/do-not-call", headers=m).status_code == 403
    assert client.delete(f"/api/v1/do-not-call/{NUMBER}", headers=m).status_code == 403
    page = client.get("/api/v1/do-not-call", {"size": 1}, headers=s).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = client.get("/api/v1/do-not-call", {"after": page["next_cursor"]}, headers=s).json()
    assert {i["number"] for i in page["items"] + rest["items"]} == {NUMBER, "+8613800005678"}
    assert client.get("/api/v1/do-not-call/13800001234", headers=s).json()["reason"] == "Again"
    assert client.delete(f"/api/v1/do-not-call/{NUMBER}", headers=s).status_code == 204
    assert client.get(f"/api/v1/do-not-call/{NUMBER}", headers=s).status_code == 404
    r = client.post("/api/v1/do-not-call", {"number": "12"}, content_type="application/json",
                    headers=s)  # fmt: skip
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
