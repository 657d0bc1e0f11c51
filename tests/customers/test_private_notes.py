"""Private wrap-up notes (issue 18: a manager sees colleagues' calls to a customer "without the
notes marked private"): set on the wrap-up form and through the API, kept in the wrap-up's
changes, and hidden from colleagues wherever they see the call; its author, supervisors and
admins read it."""

import csv
import io
import json

import pytest

from calls.links import TenantLinks
from calls.models import Call, WrapUp
from calls.readers import reader_for
from calls.representation import call_dict
from calls.services.wrapup import wrapup_save
from console.models import Membership
from hooks.events import call_payload
from tests.api.conftest import bearer, token_for  # noqa: F401 - fixtures, shared
from tests.calls.test_wrapup import disposition, end, placed

pytestmark = pytest.mark.django_db
NUMBER = "+8613800001234"
SECRET = "Owes us money: ask about the invoice."
OPEN = "Wants the offer by mail."


def member(user, tenant):
    return Membership.objects.select_related("tenant", "user").get(user=user, tenant=tenant)


def wrapped(tenant, user, note, private, called="13800001234"):
    call = end(placed(tenant, user, called=called))
    Call.objects.filter(pk=call.pk).update(customer_number=NUMBER)
    call.customer_number = NUMBER
    wrapup_save(
        call=call,
        membership=member(user, tenant),
        disposition=disposition(tenant, "interested"),
        note=note,
        note_private=private,
    )
    return call


@pytest.fixture
def calls(tenant, manager, colleague):
    """The colleague's call with a private note, and one with a note for everyone."""
    return (
        wrapped(tenant, colleague, SECRET, True),
        wrapped(tenant, colleague, OPEN, False),
    )


def timeline(client, user, tenant):
    client.force_login(user)
    r = client.get(f"/t/{tenant.code}/customers/{NUMBER}/")
    assert r.status_code == 200
    return r.content.decode(), r.context["rows"]


def test_a_colleague_sees_the_call_and_its_disposition_without_the_private_note(
    client, tenant, manager, calls
):
    html, rows = timeline(client, manager, tenant)
    assert [r["call"].pk for r in rows] == [calls[1].pk, calls[0].pk]
    assert [r["disposition"] for r in rows] == ["Interested", "Interested"]
    assert SECRET not in html and rows[1]["note"] == ""
    assert OPEN in html  # a note nobody made private: read by colleagues as before


@pytest.mark.parametrize("who", ["colleague", "supervisor", "admin"])
def test_its_author_supervisors_and_admins_read_it_marked_private(
    client, tenant, calls, who, request
):
    html, rows = timeline(client, request.getfixturevalue(who), tenant)
    assert SECRET in html and rows[1]["note"] == SECRET and rows[1]["note_private"]
    assert not rows[0]["note_private"]
    assert 'class="badge">private</span>' in html


def test_the_form_sets_it_and_every_change_of_it_is_kept(client, tenant, manager):
    call = end(placed(tenant, manager))
    client.force_login(manager)
    url = f"/t/{tenant.code}/calls/{call.code}/wrap-up/"
    card = client.get(f"/t/{tenant.code}/calls/{call.code}/status/?view=card").content.decode()
    assert 'name="note_private"' in card
    assert "Only me and supervisors can read this note" in card
    d = disposition(tenant, "interested")
    r = client.post(url, {"disposition": d.pk, "note": SECRET, "note_private": "on"})
    assert r.status_code == 302
    wrap = WrapUp.objects.get(call=call)
    assert wrap.note_private and wrap.note == SECRET
    # Unticked: readable by colleagues again, a change of its own.
    client.post(url, {"disposition": d.pk, "note": SECRET})
    wrap.refresh_from_db()
    assert not wrap.note_private
    changes = list(wrap.changes.all())
    assert [c.after["note_private"] for c in changes] == [True, False]
    assert changes[1].before["note_private"] is True
    page = client.get(f"/t/{tenant.code}/calls/{call.code}/").content.decode()
    assert "made readable by colleagues" in page


def test_the_api_sets_it_keeps_it_when_left_out_and_hides_it_from_colleagues(
    client,
    tenant,
    manager,
    colleague,
    supervisor,
    token_for,  # noqa: F811
    bearer,  # noqa: F811
):
    call = end(placed(tenant, colleague))
    token = token_for(colleague, tenant)

    def post(**body):
        return client.post(
            f"/api/v1/calls/{call.code}/wrap-up",
            json.dumps(body),
            content_type="application/json",
            headers=bearer(token),
        )

    r = post(disposition="interested", note=SECRET, note_private=True)
    assert r.status_code == 201, r.content
    assert r.json()["wrap_up"]["note"] == SECRET and r.json()["wrap_up"]["note_private"]
    r = post(disposition="call_back", note=SECRET)  # left out: as it was
    assert r.json()["wrap_up"]["note_private"] is True
    got = client.get(f"/api/v1/calls/{call.code}", headers=bearer(token_for(supervisor, tenant)))
    assert got.json()["wrap_up"]["note"] == SECRET
    # The call as a colleague reads it (the API shows a manager only their own calls, so this
    # is the representation itself): the disposition, not the note.
    call.refresh_from_db()
    theirs = member(manager, tenant)
    seen = call_dict(
        call,
        reader=reader_for(theirs, call),
        manager="carol",
        links=TenantLinks(tenant.code),
        viewer=theirs,
    )
    assert seen["wrap_up"]["note"] == "" and seen["wrap_up"]["note_private"]
    assert seen["wrap_up"]["disposition"]["key"] == "call_back"
    # The webhook goes to the tenant's own systems: every note, marked.
    payload = call_payload(call)
    assert payload["wrap_up"]["note"] == SECRET and payload["wrap_up"]["note_private"]


def test_the_export_carries_it_marked_private(client, tenant, supervisor, calls):
    client.force_login(supervisor)
    r = client.get(f"/t/{tenant.code}/calls/export.csv")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = {row["note"]: row["note_private"] for row in csv.DictReader(io.StringIO(text))}
    assert rows == {SECRET: "yes", OPEN: ""}
