"""The wrap-up and the follow-ups together (issue 18): a follow-up scheduled from the wrap-up
form; the wrap-up of a call placed from a follow-up completes it, or moves it when a new time is
given; an automatic wrap-up (the customer did not answer) leaves it open; a follow-up the
services refuse keeps the whole wrap-up unsaved."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calls.models import FollowUp, WrapUp
from calls.services.followups import follow_up_placed, follow_up_schedule
from tests.calls.test_wrapup import disposition, end, placed

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def wrap_url(call):
    return f"/t/{call.tenant.code}/calls/{call.code}/wrap-up/"


def tomorrow_at(tenant, hour=10):
    tz = ZoneInfo(tenant.time_zone)
    day = (timezone.now().astimezone(tz) + timedelta(days=1)).date()
    return day, datetime(day.year, day.month, day.day, hour, 30, tzinfo=tz)


def from_follow_up(membership, tenant, manager):
    """An open follow-up, due now, and the call placed from it."""
    follow_up = follow_up_schedule(
        membership=membership,
        called="13800000000",
        due_at=timezone.now() + timedelta(minutes=1),
        note="Price list",
    )
    call = placed(tenant, manager)
    follow_up_placed(follow_up, call)
    return follow_up, call


def test_a_follow_up_is_scheduled_from_the_wrap_up(client, tenant, manager):
    call = end(placed(tenant, manager))
    client.force_login(manager)
    html = client.get(f"/t/{tenant.code}/calls/{call.code}/status/?view=card").content.decode()
    assert 'name="follow_up-due_date"' in html and "Schedule a follow-up (optional)" in html
    day, due = tomorrow_at(tenant)
    r = client.post(
        wrap_url(call),
        {
            "disposition": disposition(tenant, "call_back").pk,
            "note": "Wants the offer by mail",
            "follow_up-due_date": day.isoformat(),
            "follow_up-due_time": "10:30",
            "follow_up-note": "Ask about the offer",
            "back": "card",
        },
        headers=HX,
    )
    assert r.status_code == 200
    [follow_up] = FollowUp.objects.all()
    assert (follow_up.assignee, follow_up.source_call, follow_up.due_at) == (manager, call, due)
    assert (follow_up.called, follow_up.note, follow_up.status) == (
        "13800000000",
        "Ask about the offer",
        "open",
    )
    assert WrapUp.objects.get(call=call).note == "Wants the offer by mail"


def test_no_date_no_follow_up(client, tenant, manager):
    call = end(placed(tenant, manager))
    client.force_login(manager)
    r = client.post(
        wrap_url(call),
        {"disposition": disposition(tenant, "interested").pk, "follow_up-note": "", "back": "card"},
        headers=HX,
    )
    assert r.status_code == 200 and WrapUp.objects.filter(call=call).exists()
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"follow_up-due_date": "2020-01-01", "follow_up-due_time": "10:00"},
            "That time has passed",
        ),
        ({"follow_up-due_date": "TOMORROW"}, "Give both the date and the time"),
    ],
)
def test_a_refused_follow_up_keeps_the_whole_wrap_up_unsaved(
    client, tenant, manager, fields, message
):
    call = end(placed(tenant, manager))
    client.force_login(manager)
    day, _due = tomorrow_at(tenant)
    data = {k: (day.isoformat() if v == "TOMORROW" else v) for k, v in fields.items()}
    r = client.post(
        wrap_url(call),
        {"disposition": disposition(tenant, "interested").pk, "back": "detail", **data},
    )
    assert r.status_code == 422  # without JavaScript: the detail page with the errors
    assert message in r.content.decode()
    assert not WrapUp.objects.filter(call=call).exists()
    assert not FollowUp.objects.exists()
    call.refresh_from_db()
    assert call.wrapup_state == "pending"


def test_the_wrap_up_of_a_call_placed_from_a_follow_up_completes_it(
    client, tenant, manager, manager_membership
):
    follow_up, call = from_follow_up(manager_membership, tenant, manager)
    call = end(call)
    client.force_login(manager)
    html = client.get(f"/t/{tenant.code}/calls/{call.code}/status/?view=card").content.decode()
    assert f'id="from-follow-up-{call.code}"' in html  # says the follow-up will be done
    r = client.post(
        wrap_url(call),
        {"disposition": disposition(tenant, "interested").pk, "back": "card"},
        headers=HX,
    )
    assert r.status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.status == "done" and FollowUp.objects.count() == 1


def test_with_a_new_time_the_follow_up_is_moved_not_doubled(
    client, tenant, manager, manager_membership
):
    follow_up, call = from_follow_up(manager_membership, tenant, manager)
    call = end(call)
    client.force_login(manager)
    day, due = tomorrow_at(tenant, hour=9)
    r = client.post(
        wrap_url(call),
        {
            "disposition": disposition(tenant, "call_back").pk,
            "follow_up-due_date": day.isoformat(),
            "follow_up-due_time": "09:30",
            "follow_up-note": "Call again after the meeting",
            "back": "card",
        },
        headers=HX,
    )
    assert r.status_code == 200
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.due_at) == ("open", due)
    assert follow_up.note == "Call again after the meeting"
    assert FollowUp.objects.count() == 1


def test_an_automatic_wrap_up_leaves_the_follow_up_open(tenant, manager, manager_membership):
    follow_up, call = from_follow_up(manager_membership, tenant, manager)
    call = end(call, code="5", talk=0)  # the customer did not answer: "No answer" by itself
    assert call.wrapup_state == "auto"
    follow_up.refresh_from_db()
    assert follow_up.status == "open"


def test_the_timeline_and_the_card_tell_the_wrap_up_and_the_follow_ups(
    client, tenant, manager, manager_membership
):
    """One customer typed three ways: the timeline shows the call with its disposition and note
    and the follow-up scheduled from it; the card names the last disposition and the open
    follow-up."""
    call = placed(tenant, manager, called="13800001234")
    call.customer_number = "+8613800001234"  # as call_place sets it
    call.save(update_fields=["customer_number"])
    call = end(call)
    client.force_login(manager)
    card_html = client.get(f"/t/{tenant.code}/calls/{call.code}/status/?view=card").content
    # The wrap-up leads to the customer's timeline (where they are saved as a customer).
    assert f'/t/{tenant.code}/customers/+8613800001234/"'.encode() in card_html
    day, _due = tomorrow_at(tenant)
    client.post(
        wrap_url(call),
        {
            "disposition": disposition(tenant, "call_back").pk,
            "note": "Busy in a meeting",
            "follow_up-due_date": day.isoformat(),
            "follow_up-due_time": "10:30",
            "follow_up-note": "Ask about the offer",
            "back": "card",
        },
        headers=HX,
    )
    assert FollowUp.objects.get().customer_number == "+8613800001234"
    page = client.get(f"/t/{tenant.code}/customers/+8613800001234/").content.decode()
    assert "Call back later" in page and "Busy in a meeting" in page
    assert "Ask about the offer" in page and 'class="follow-up-entry"' in page
    # From the timeline too: "Schedule a follow-up" opens the form with the customer's number.
    link = f"/t/{tenant.code}/follow-ups/new/?called=%2B8613800001234"
    assert link in page
    assert 'value="+8613800001234"' in client.get(link).content.decode()
    # The follow-up, due tomorrow, comes before the call (newest first).
    assert page.index("Ask about the offer") < page.index("Busy in a meeting")
    for typed in ("+86 138-0000-1234", "8613800001234", "13800001234"):
        body = client.get(f"/t/{tenant.code}/call/customer/", {"called": typed}).content.decode()
        assert "Call back later" in body and 'id="card-follow-ups"' in body
        assert "Ask about the offer" in body
