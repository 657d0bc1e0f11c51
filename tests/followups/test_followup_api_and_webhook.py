"""The follow-ups API (scoped by role and tenant, problem+json errors, keyset pages) and the
`followup.due` webhook (written once per due time, also with two workers at once)."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from calls.models import FollowUp
from calls.services import followups as svc
from hooks import services as hook_services
from hooks.models import Delivery, Endpoint
from tests.followups.conftest import make_call, make_follow_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_manager(token_for, bearer, tenant, manager):
    return bearer(token_for(manager, tenant))


@pytest.fixture
def as_supervisor(token_for, bearer, tenant, supervisor):
    return bearer(token_for(supervisor, tenant))


def later(hours=3):
    return (timezone.now() + timedelta(hours=hours)).isoformat()


def test_a_manager_schedules_lists_and_closes_their_own(client, tenant, manager, as_manager):
    call = make_call(tenant, manager)
    r = client.post(
        "/api/v1/follow-ups",
        {"called": "138 0000 0001", "due_at": later(), "note": "quote", "source_call_id": str(call.code)},
        content_type="application/json", headers=as_manager,
    )  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["called"], body["assignee"], body["status"]) == ("13800000001", "bob", "open")
    assert body["source_call_id"] == str(call.code) and body["console_url"].endswith("/follow-ups/")
    listed = client.get("/api/v1/follow-ups?status=open", headers=as_manager).json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]
    url = f"/api/v1/follow-ups/{body['id']}"
    r = client.patch(
        url, {"status": "cancelled"}, content_type="application/json", headers=as_manager
    )
    assert r.status_code == 422 and "cancel_reason" in r.json()["errors"]
    assert r["Content-Type"] == "application/problem+json"
    r = client.patch(
        url, {"status": "cancelled", "cancel_reason": "no longer needed"},
        content_type="application/json", headers=as_manager,
    )  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = client.patch(url, {"status": "done"}, content_type="application/json", headers=as_manager)
    assert r.status_code == 409


def test_reschedule_and_note_by_patch(client, tenant, manager, as_manager):
    f = make_follow_up(tenant, manager)
    new = timezone.now().replace(microsecond=0) + timedelta(days=2)
    r = client.patch(
        f"/api/v1/follow-ups/{f.code}", {"due_at": new.isoformat(), "note": "after lunch"},
        content_type="application/json", headers=as_manager,
    )  # fmt: skip
    assert r.status_code == 200
    f.refresh_from_db()
    assert (f.due_at, f.note) == (new, "after lunch")
    r = client.patch(
        f"/api/v1/follow-ups/{f.code}", {"due_at": "2020-01-01T00:00:00Z"},
        content_type="application/json", headers=as_manager,
    )  # fmt: skip
    assert r.status_code == 422 and "due_at" in r.json()["errors"]


def test_roles_and_tenants_scope_the_api(
    client, tenant, other_tenant, manager, supervisor, outsider, as_manager, as_supervisor,
    token_for, bearer,
):  # fmt: skip
    from tests.followups.conftest import make_user

    colleague = make_user("mia")
    tenant.memberships.create(user=colleague, role="manager")
    theirs = make_follow_up(tenant, colleague, called="13822222222")
    mine = make_follow_up(tenant, manager, called="13811111111")
    elsewhere = make_follow_up(other_tenant, outsider, called="13833333333")
    listed = client.get("/api/v1/follow-ups", headers=as_manager).content.decode()
    assert "13811111111" in listed and "13822222222" not in listed and "13833333333" not in listed
    for f in (theirs, elsewhere):
        assert client.get(f"/api/v1/follow-ups/{f.code}", headers=as_manager).status_code == 404
        r = client.patch(
            f"/api/v1/follow-ups/{f.code}", {"status": "done"},
            content_type="application/json", headers=as_manager,
        )  # fmt: skip
        assert r.status_code == 404
    # A manager cannot give one to a colleague; a supervisor can, to a manager of the tenant only.
    body = {"called": "13800000001", "due_at": later(), "assignee": "mia"}
    r = client.post("/api/v1/follow-ups", body, content_type="application/json", headers=as_manager)
    assert r.status_code == 422 and "assignee" in r.json()["errors"]
    r = client.post(
        "/api/v1/follow-ups", body, content_type="application/json", headers=as_supervisor
    )
    assert r.status_code == 201 and r.json()["assignee"] == "mia"
    body["assignee"] = "charlie"  # the other tenant's admin
    r = client.post(
        "/api/v1/follow-ups", body, content_type="application/json", headers=as_supervisor
    )
    assert r.status_code == 422
    # Another tenant's call as the source: 404, as if it did not exist.
    body.update(assignee="mia", source_call_id=str(make_call(other_tenant, outsider).code))
    r = client.post(
        "/api/v1/follow-ups", body, content_type="application/json", headers=as_supervisor
    )
    assert r.status_code == 404
    listed = client.get("/api/v1/follow-ups?assignee=mia", headers=as_supervisor).json()
    assert {i["assignee"] for i in listed["items"]} == {"mia"}
    assert (
        "13833333333"
        not in client.get("/api/v1/follow-ups", headers=as_supervisor).content.decode()
    )
    assert mine.pk


def test_keyset_pages_and_filters(client, tenant, manager, as_manager):
    for i in range(5):
        make_follow_up(tenant, manager, due_in=timedelta(hours=i + 1), called=f"1380000000{i}")
    make_follow_up(tenant, manager, due_in=timedelta(hours=9), status="done")
    seen, cursor = [], None
    while True:
        q = "?status=open&size=2" + (f"&after={cursor}" if cursor else "")
        page = client.get(f"/api/v1/follow-ups{q}", headers=as_manager).json()
        seen += [i["called"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"1380000000{i}" for i in range(5)]
    before = (timezone.now() + timedelta(hours=2, minutes=30)).isoformat()
    r = client.get("/api/v1/follow-ups", {"due_before": before}, headers=as_manager).json()
    assert [i["called"] for i in r["items"]] == ["13800000000", "13800000001"]
    r = client.get("/api/v1/follow-ups?after=nonsense", headers=as_manager)
    assert r.status_code == 422


# --- the followup.due webhook ------------------------------------------------------------------


@pytest.fixture
def wants_due(tenant, admin):
    Endpoint.objects.create(
        tenant=tenant, url="https://hooks.example.com/x", events=["followup.due"], secret="whsec_x"
    )
    hook_services.refresh_tenant_events(tenant)


def test_a_due_follow_up_is_announced_once(tenant, manager, wants_due):
    source = make_call(tenant, manager)
    due = make_follow_up(
        tenant, manager, due_in=timedelta(minutes=-1), note="n", source_call=source
    )
    make_follow_up(tenant, manager, due_in=timedelta(hours=1))  # not yet
    make_follow_up(tenant, manager, due_in=timedelta(minutes=-5), status="done")  # closed
    assert svc.announce_due() == 1
    assert svc.announce_due() == 0
    d = Delivery.objects.get()
    body = json.loads(d.body)
    assert d.event_type == body["type"] == "followup.due"
    data = body["data"]["follow_up"]
    assert data["id"] == str(due.code) and data["called"] == "13800000000"
    assert data["assignee"] == "bob" and data["status"] == "open" and data["note"] == "n"
    assert data["source_call_id"] == str(source.code) and data["due_at"].endswith("Z")
    # Rescheduled: announced again when the new time comes.
    FollowUp.objects.filter(pk=due.pk).update(
        due_at=timezone.now() - timedelta(seconds=1), due_notified_at=None
    )
    assert svc.announce_due() == 1 and Delivery.objects.count() == 2


def test_without_a_subscriber_it_is_marked_and_nothing_written(tenant, manager):
    f = make_follow_up(tenant, manager, due_in=timedelta(minutes=-1))
    assert svc.announce_due() == 1
    f.refresh_from_db()
    assert f.due_notified_at is not None and not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_announce_each_follow_up_once(tenant, manager, wants_due):
    for i in range(20):
        make_follow_up(tenant, manager, due_in=timedelta(minutes=-1 - i))
    start = threading.Barrier(2)
    counts = []

    def worker():
        try:
            start.wait()
            counts.append(svc.announce_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(counts) == 20
    assert Delivery.objects.count() == 20
    assert Delivery.objects.values("event_id").distinct().count() == 20
