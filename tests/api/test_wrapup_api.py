"""POST /api/v1/calls/{id}/wrap-up (issue 18): the same service and rules as the call page's
wrap-up form, refusals as problem+json; the call's representation carries its wrap-up; placing
is refused (409, decoded) while wrap-ups are pending when the tenant says so; the webhook
call.wrapped_up carries the call as the API answers it."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Call, WrapUp
from hooks import delivery, services
from tests.calls.test_wrapup import end, placed

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def wrap(client, bearer):
    def post(token, call, **body):
        return client.post(
            f"/api/v1/calls/{call.code}/wrap-up",
            json.dumps(body),
            content_type="application/json",
            headers=bearer(token),
        )

    return post


def test_wrap_up_by_key_then_change_it_by_id(wrap, client, bearer, tenant, manager, token_for):
    token = token_for(manager, tenant)
    call = end(placed(tenant, manager))
    r = wrap(token, call, disposition="interested", note="Send the offer.")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["wrap_up_state"] == "done"
    assert body["wrap_up"]["disposition"]["key"] == "interested"
    assert body["wrap_up"]["disposition"]["label_zh"] == "有意向"
    assert body["wrap_up"]["note"] == "Send the offer."
    assert body["wrap_up"]["wrapped_up_by"] == "bob" and not body["wrap_up"]["automatic"]
    d = tenant.dispositions.get(key="call_back")
    r = wrap(token, call, disposition=d.pk, note="")
    assert r.status_code == 200 and r.json()["wrap_up"]["disposition"]["key"] == "call_back"
    assert WrapUp.objects.get().changes.count() == 2
    # The same representation from GET.
    got = client.get(f"/api/v1/calls/{call.code}", headers=bearer(token)).json()
    assert got["wrap_up"] == r.json()["wrap_up"]
    other = end(placed(tenant, manager, called="13800000013"), code="5", talk=0)
    listed = client.get("/api/v1/calls?disposition=call_back", headers=bearer(token)).json()
    assert [c["id"] for c in listed["items"]] == [str(call.code)]
    assert listed["items"][0]["wrap_up_state"] == "done"
    listed = client.get("/api/v1/calls?disposition=no_answer", headers=bearer(token)).json()
    assert [c["wrap_up_state"] for c in listed["items"]] == ["auto"]
    assert listed["items"][0]["id"] == str(other.code)
    listed = client.get("/api/v1/calls?has_note=no", headers=bearer(token)).json()
    assert len(listed["items"]) == 2
    r = client.get("/api/v1/calls?disposition=nonsense", headers=bearer(token))
    assert r.status_code == 422 and "disposition" in r.json()["errors"]


def test_refusals_are_problems(wrap, tenant, other_tenant, manager, supervisor, token_for):
    token = token_for(manager, tenant)
    call = end(placed(tenant, manager))
    r = wrap(token, call, disposition="no-such-thing")
    assert r.status_code == 422 and r["Content-Type"] == PROBLEM
    assert "disposition" in r.json()["errors"]
    theirs = other_tenant.dispositions.get(key="interested")
    assert wrap(token, call, disposition=theirs.pk).status_code == 422
    r = wrap(token, call, disposition="interested", note="x" * 2001)
    assert r.status_code == 422
    assert r.json()["detail"] == "The note is too long: write at most 2,000 characters."
    assert r.json()["errors"]["note"]
    # A supervisor does not wrap up: 403.
    r = wrap(token_for(supervisor, tenant), call, disposition="interested")
    assert r.status_code == 403 and r["Content-Type"] == PROBLEM
    # Not ended: 409.
    live = placed(tenant, manager, called="13800000099")
    assert wrap(token, live, disposition="interested").status_code == 409
    # Read-only once the edit window is over: 409.
    assert wrap(token, call, disposition="interested").status_code == 201
    WrapUp.objects.update(wrapped_at=timezone.now() - timedelta(days=1))
    r = wrap(token, call, disposition="busy")
    assert r.status_code == 409 and "its time to edit is over" in r.json()["detail"]
    assert not WrapUp.objects.filter(disposition__key="busy").exists()


def test_another_tenants_call_is_404(wrap, tenant, other_tenant, manager, outsider, token_for):
    call = end(placed(tenant, manager))
    r = wrap(token_for(outsider, other_tenant), call, disposition="interested")
    assert r.status_code == 404 and r["Content-Type"] == PROBLEM
    assert not WrapUp.objects.exists()


def test_placing_while_wrap_ups_are_pending_is_a_decoded_409(
    client, bearer, tenant, manager, token_for, simctl
):
    tenant.wrapup_call_while_pending = False
    tenant.save()
    call = end(placed(tenant, manager))
    r = client.post(
        "/api/v1/calls",
        json.dumps({"called": "13800000011"}),
        content_type="application/json",
        headers={**bearer(token_for(manager, tenant)), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert r.status_code == 409 and r["Content-Type"] == PROBLEM
    body = r.json()
    assert body["reason"]["code"] == "wrapup_pending" and body["call_id"] == str(call.code)
    assert "Wrap up that call" in body["reason"]["next_step"]
    assert not Call.objects.filter(called="13800000011").exists()


def test_the_webhook_carries_the_wrapped_up_call_as_the_api_answers_it(
    wrap, client, bearer, tenant, manager, supervisor, admin, token_for
):
    from tests.webhooks.conftest import Receiver

    receiver = Receiver()
    try:
        services.endpoint_create(
            tenant=tenant, actor=admin, url=receiver.url, events=["call.wrapped_up"]
        )
        tenant.refresh_from_db()
        auto = end(placed(tenant, manager, called="13800000012"), code="5", talk=0)
        call = end(placed(tenant, manager))
        assert wrap(token_for(manager, tenant), call, disposition="interested").status_code == 201
        assert delivery.deliver_due("w1") == 2
        bodies = [json.loads(b) for b in receiver.bodies()]
        assert {b["type"] for b in bodies} == {"call.wrapped_up"}
        by_id = {b["data"]["call"]["id"]: b["data"]["call"] for b in bodies}
        assert by_id[str(auto.code)]["wrap_up"]["automatic"]
        assert by_id[str(auto.code)]["wrap_up"]["disposition"]["key"] == "no_answer"
        got = client.get(
            f"/api/v1/calls/{call.code}", headers=bearer(token_for(supervisor, tenant))
        ).json()
        assert by_id[str(call.code)]["wrap_up"] == got["wrap_up"]
        assert by_id[str(call.code)]["wrap_up"]["wrapped_up_by"] == "bob"
    finally:
        receiver.down()


def test_a_body_that_is_not_json_or_misses_the_disposition(
    client, bearer, tenant, manager, token_for
):
    call = end(placed(tenant, manager))
    url = f"/api/v1/calls/{call.code}/wrap-up"
    headers = bearer(token_for(manager, tenant))
    r = client.post(url, "not json", content_type="application/json", headers=headers)
    assert r.status_code == 400 and r["Content-Type"] == PROBLEM
    r = client.post(url, "{}", content_type="application/json", headers=headers)
    assert r.status_code == 422 and "disposition" in r.json()["errors"]
    assert not WrapUp.objects.exists()


def test_the_wrap_up_schedules_a_follow_up(wrap, tenant, manager, token_for):
    """`follow_up` in the body: a new follow-up for the call's manager, in the wrap-up's
    transaction; a refused one (a time past) keeps the whole wrap-up unsaved, as a 422."""
    from datetime import timedelta

    from django.utils import timezone

    from calls.models import FollowUp, WrapUp

    token = token_for(manager, tenant)
    call = end(placed(tenant, manager))
    past = (timezone.now() - timedelta(days=1)).isoformat()
    r = wrap(token, call, disposition="call_back", follow_up={"due_at": past})
    assert r.status_code == 422, r.content
    assert "follow_up.due_at" in r.json()["errors"]
    assert not WrapUp.objects.filter(call=call).exists() and not FollowUp.objects.exists()
    r = wrap(token, call, disposition="call_back", follow_up={"due_at": "x\x00"})
    assert r.status_code == 422, r.content
    due = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    r = wrap(
        token,
        call,
        disposition="call_back",
        note="Busy",
        follow_up={"due_at": due.isoformat(), "note": "Send the quote"},
    )
    assert r.status_code == 201, r.content
    f = FollowUp.objects.get()
    assert (f.assignee, f.source_call, f.due_at, f.note) == (manager, call, due, "Send the quote")
