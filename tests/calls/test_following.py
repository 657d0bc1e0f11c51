"""After the click (issue 16): one live call per manager, following it from the console's own
record (AICC asked on a back-off), how a call reads from placing to its end, and the in-call bar."""

import time
from datetime import timedelta
from uuid import uuid4

import pytest
from django.utils import timezone
from django.utils.html import escape

from calls import call_status
from calls.models import Call, OutcomeSync
from calls.services import following, placing
from console.models import Membership

pytestmark = pytest.mark.django_db


def place(m, called="13800000000", key="key-00000001", **kw):
    return placing.call_place(
        membership=m, mapping=m.active_mapping, called=called, idempotency_key=key, **kw
    )


def status_url(call, **query):
    q = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/t/{call.tenant.code}/calls/{call.code}/status/" + (f"?{q}" if q else "")


# --- one live call ------------------------------------------------------------------------------


def test_a_second_call_while_one_is_live_places_nothing(manager_membership, simctl):
    first = place(manager_membership)
    assert first.created and first.call.status == "placed"
    second = place(manager_membership, called="13900000000", key="key-00000002")
    assert second.busy and not second.created and second.call.pk == first.call.pk
    assert Call.objects.count() == 1 and simctl.get("stats")["create_calls"] == 1
    # The first form sent again still gets its own call, not a refusal.
    again = place(manager_membership)
    assert not again.busy and again.call.pk == first.call.pk


def test_call_anyway_stops_following_the_live_call_without_ending_it(manager_membership, simctl):
    first = place(manager_membership).call
    second = place(manager_membership, called="13900000000", key="key-00000002", replace_live=True)
    assert second.created and second.call.status == "placed"
    first.refresh_from_db()
    assert first.unfollowed_at is not None and first.state is None and first.outcome_code == ""
    assert not first.is_live(timezone.now()) and second.call.is_live(timezone.now())
    # Its outcome still arrives, and then it reads as ended, not as "not followed".
    from calls.services.outcomes import OutcomeData, outcome_apply

    assert outcome_apply(
        tenant=first.tenant, serial=first.serial, source="push", data=OutcomeData(code="5")
    )
    first.refresh_from_db()
    assert call_status.status_of(first).kind == "not_answered"


@pytest.mark.parametrize(
    "change",
    [
        {"state": 3},  # ended
        {"status": Call.Status.FAILED},  # never placed
        {"status": Call.Status.UNKNOWN},  # not known to be placed
        {"unfollowed_at": timezone.now()},  # no longer followed
        {"created_at": timezone.now() - timedelta(minutes=61)},  # stale: CALL_LIVE_MINUTES
    ],
)
def test_what_is_not_a_live_call(manager_membership, simctl, change):
    first = place(manager_membership).call
    Call.objects.filter(pk=first.pk).update(**change)
    second = place(manager_membership, called="13900000000", key="key-00000002")
    assert second.created and not second.busy
    assert following.live_call_of(manager_membership).pk == second.call.pk


def test_a_call_still_being_placed_is_live(manager_membership, simctl):
    first = place(manager_membership).call
    Call.objects.filter(pk=first.pk).update(status=Call.Status.PLACING, serial="")
    assert place(manager_membership, called="13900000000", key="key-00000002").busy


def test_each_manager_has_their_own_live_call(manager_membership, tenant, simctl):
    from django.contrib.auth.models import User

    from console.models import SoftphoneMapping

    place(manager_membership)
    other = User.objects.create_user("olivia")
    Membership.objects.create(tenant=tenant, user=other, role=Membership.Role.MANAGER)
    SoftphoneMapping.objects.create(tenant=tenant, user=other, softphone="10002")
    theirs = Membership.objects.select_related("tenant").get(tenant=tenant, user=other)
    assert place(theirs, called="13900000000", key="key-00000002").created


def test_the_form_refuses_with_a_decoded_answer_and_offers_both_ways(
    client, manager, tenant, simctl
):
    client.force_login(manager)
    url = f"/t/{tenant.code}/call/"
    client.post(
        url, {"called": "13800000000", "idempotency_key": "k-0000001"}, HTTP_HX_REQUEST="true"
    )
    first = Call.objects.get()
    r = client.post(
        url, {"called": "13900000000", "idempotency_key": "k-0000002"}, HTTP_HX_REQUEST="true"
    )
    body = r.content.decode()
    assert "You are already on a call" in body and "13800000000" in body
    assert "What to do:" in body and "Who can fix it" in body  # decoded, like any refusal
    assert 'name="anyway" value="on"' in body and "Stop following it and call anyway" in body
    assert f'href="/t/{tenant.code}/call/?last={first.code}&amp;called=13900000000"' in body  # Wait
    assert Call.objects.count() == 1
    # Without JavaScript, the same answer on the page.
    page = client.post(url, {"called": "13900000000", "idempotency_key": "k-0000002"})
    assert "You are already on a call" in page.content.decode()
    # Call anyway.
    client.post(
        url,
        {"called": "13900000000", "idempotency_key": "k-0000002", "anyway": "on"},
        HTTP_HX_REQUEST="true",
    )
    first.refresh_from_db()
    assert Call.objects.count() == 2 and first.unfollowed_at is not None


# --- following from the console's own record ------------------------------------------------------


@pytest.fixture
def asked(monkeypatch):
    """The serials queryCallState was asked about."""
    from calls.aicc.client import AiccClient

    serials = []
    real = AiccClient.query_call_state

    def spy(self, serial):
        serials.append(serial)
        return real(self, serial)

    monkeypatch.setattr(AiccClient, "query_call_state", spy)
    return serials


def test_the_console_asks_aicc_only_when_the_back_off_says_so(manager_membership, simctl, asked):
    call = place(manager_membership).call
    following.call_follow(call)
    call.refresh_from_db()
    assert asked == [call.serial] and call.checks == 1 and call.next_check_at > timezone.now()
    following.call_follow(call)  # within the second: the record only
    assert asked == [call.serial]
    Call.objects.filter(pk=call.pk).update(next_check_at=timezone.now() - timedelta(seconds=1))
    call.refresh_from_db()
    following.call_follow(call)
    assert asked == [call.serial] * 2
    Call.objects.filter(pk=call.pk).update(state=3, next_check_at=None)
    call.refresh_from_db()
    following.call_follow(call)  # ended: never asked again
    assert len(asked) == 2


def test_two_lookers_at_the_same_moment_ask_aicc_once(manager_membership, simctl, asked):
    call = place(manager_membership).call
    stale_copy = Call.objects.get(pk=call.pk)  # read before the other looker claimed the look
    following.call_follow(call)
    following.call_follow(stale_copy)  # its next_check_at is old, but the claim fails
    assert Call.objects.get(pk=call.pk).checks == 1 and len(asked) == 1


def test_the_back_off_schedule(manager_membership, simctl):
    call = place(manager_membership).call
    now = timezone.now()
    assert following.next_look(call, now) == timedelta(seconds=1)  # its first 30 seconds
    call.created_at = now - timedelta(minutes=5)
    assert following.next_look(call, now) == timedelta(seconds=2)  # no pushed events
    OutcomeSync.objects.create(tenant=call.tenant, last_push_at=now - timedelta(minutes=10))
    call.checks = 30
    assert following.next_look(call, now) == timedelta(seconds=5)  # the push brings the end
    call.checks = 31
    assert following.next_look(call, now) == timedelta(seconds=10)
    call.checks = 300
    assert following.next_look(call, now) == timedelta(seconds=30)
    OutcomeSync.objects.filter(tenant=call.tenant).update(last_push_at=now - timedelta(hours=2))
    assert following.next_look(call, now) == timedelta(seconds=2)  # pushes stopped coming


def test_the_legs_and_the_end_as_aicc_reports_them(manager_membership, simctl):
    """The simulator's call at 1/100: its wait and the agent's ringing (state 0), the customer's
    ringing (1), the talk (2); the console notes when it saw the talk and when AICC ended it."""
    call = place(manager_membership).call
    seen = []
    deadline = time.time() + 3
    while time.time() < deadline and call.state != 3:
        placing.call_refresh_state(call)
        if call.state not in seen:
            seen.append(call.state)
        time.sleep(0.003)
    assert seen[0] in (None, 0) and seen[-1] == 3 and seen == sorted(seen, key=lambda s: s or 0)
    call.refresh_from_db()
    if 2 in seen:
        assert call.talking_at is not None and call.released_at >= call.talking_at
    assert call.outcome_code == "0" and call.outcome_source == "poll"
    shown = call_status.status_of(call)
    assert shown.kind == "answered" and shown.tone == "ok"


# --- the status endpoint: the local record, only what changed ---------------------------------------


def test_a_look_that_finds_nothing_new_changes_nothing(client, manager, manager_membership, simctl):
    call = place(manager_membership).call
    Call.objects.filter(pk=call.pk).update(next_check_at=timezone.now() + timedelta(minutes=1))
    client.force_login(manager)
    r = client.get(status_url(call, view="card", v="live.None."), HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r.content == b""


def test_a_change_while_live_swaps_only_the_words(client, manager, manager_membership, simctl):
    call = place(manager_membership).call
    Call.objects.filter(pk=call.pk).update(
        state=1, next_check_at=timezone.now() + timedelta(minutes=1)
    )
    client.force_login(manager)
    body = client.get(status_url(call, view="card", v="live.None."), HTTP_HX_REQUEST="true")
    body = body.content.decode()
    assert f'<span id="leg-{call.code}" hx-swap-oob="innerHTML">Ringing the customer</span>' in body
    assert f'id="help-{call.code}" hx-swap-oob="innerHTML"' in body
    assert f'id="v-card-{call.code}" name="v" value="live.1."' in body
    assert f'id="result-{call.code}"' not in body  # not the whole card
    bar = client.get(status_url(call, view="bar", v="live.None."), HTTP_HX_REQUEST="true")
    assert f'id="bar-leg-{call.code}" hx-swap-oob="innerHTML">Ringing the customer' in (
        bar.content.decode()
    )


def test_the_end_replaces_the_card_once(client, manager, manager_membership, simctl):
    call = place(manager_membership).call
    Call.objects.filter(pk=call.pk).update(
        state=3, outcome_code="2", outcome_source="push", next_check_at=timezone.now()
    )
    client.force_login(manager)
    body = client.get(status_url(call, view="card", v="live.1."), HTTP_HX_REQUEST="true")
    body = body.content.decode()
    assert (
        f'id="result-{call.code}" class="card result bad" data-kind="not_answered" hx-swap-oob="true"'
        in body
    )
    assert "Your phone could not be reached" in body and "What to do:" in body
    assert "hx-trigger" not in body and "Ringing" not in body and "Call placed" not in body
    bar = client.get(status_url(call, view="bar", v="live.1."), HTTP_HX_REQUEST="true")
    bar = bar.content.decode()
    assert '<div id="live-bar" hx-swap-oob="innerHTML">' in bar and "Details" in bar


# --- how a call reads ---------------------------------------------------------------------------


def test_durations_read_as_minutes_and_seconds():
    assert [call_status.mmss(s) for s in (0, 7, 59.6, 192, 3600, 3725)] == [
        "0:00",
        "0:07",
        "1:00",
        "3:12",
        "1:00:00",
        "1:02:05",
    ]


def mk(tenant, user, **fields):
    # (a key of at most 64 characters: PostgreSQL enforces the column's length)
    defaults = {"softphone": "10001", "called": "13800000000", "idempotency_key": uuid4().hex}
    defaults["status"] = Call.Status.PLACED
    return Call.objects.create(tenant=tenant, user=user, **{**defaults, **fields})


@pytest.mark.parametrize(
    "fields, kind, tone, short",
    [
        ({}, "live", "live", "In progress"),
        ({"status": "placing"}, "placing", "live", "Placing the call…"),
        (
            {"state": 3, "outcome_code": "0", "talk_seconds": 192},
            "answered",
            "ok",
            "Answered, 3:12",
        ),
        ({"state": 3, "outcome_code": "5"}, "not_answered", "warn", "The customer did not answer"),
        (
            {"state": 3, "outcome_code": "2"},
            "not_answered",
            "bad",
            "Your phone could not be reached",
        ),
        ({"state": 3}, "ended", "unknown", "Ended"),
        (
            {"status": "failed", "reason_source": "createCall", "reason_code": "5"},
            "failed",
            "bad",
            "Failed: Invalid phone number",
        ),
        (
            {"status": "unknown", "reason_source": "transport", "reason_code": "timeout"},
            "unknown",
            "unknown",
            "Outcome unknown",
        ),
        ({"unfollowed_at": timezone.now()}, "unfollowed", "unknown", "Not followed"),
    ],
)
def test_one_status_a_person_understands(tenant, manager, fields, kind, tone, short):
    shown = call_status.status_of(mk(tenant, manager, **fields))
    assert (shown.kind, shown.tone, shown.short) == (kind, tone, short)


def test_a_call_never_heard_of_again_reads_as_unknown(tenant, manager):
    call = mk(tenant, manager)
    Call.objects.filter(pk=call.pk).update(created_at=timezone.now() - timedelta(hours=2))
    call.refresh_from_db()
    shown = call_status.status_of(call)
    assert (shown.kind, shown.short) == ("lost", "Outcome unknown")


def test_a_talk_time_the_console_measured_says_about(tenant, manager):
    now = timezone.now()
    call = mk(
        tenant,
        manager,
        state=3,
        outcome_code="1",
        outcome_source="poll",
        talking_at=now - timedelta(seconds=75),
        released_at=now,
    )
    assert call_status.status_of(call).title == "Answered, talked for about 1:15"


# --- the in-call bar --------------------------------------------------------------------------------


def test_every_page_of_the_manager_shows_the_live_call(client, manager, manager_membership, simctl):
    call = place(manager_membership).call
    # Not asking AICC for a while: the simulated call (1/100 of its length) stays live here.
    Call.objects.filter(pk=call.pk).update(next_check_at=timezone.now() + timedelta(minutes=1))
    client.force_login(manager)
    t = manager_membership.tenant.code
    for path in (f"/t/{t}/calls/", f"/t/{t}/calls/{call.code}/", f"/t/{t}/call/"):
        body = client.get(path).content.decode()
        assert f'id="bar-call-{call.code}"' in body and "Call to 13800000000" in body, path
        assert f'href="/t/{t}/call/?last={call.code}"' in body  # without JavaScript: a link
    # The page showing the call's own card needs no bar for it.
    body = client.get(f"/t/{t}/call/?last={call.code}").content.decode()
    assert f'id="bar-call-{call.code}"' not in body and f'id="result-{call.code}"' in body
    # Stop following: the bar says so, and goes from the next page.
    r = client.post(f"/t/{t}/calls/{call.code}/unfollow/", {"view": "bar"}, HTTP_HX_REQUEST="true")
    assert "No longer followed" in r.content.decode()
    assert f'id="bar-call-{call.code}"' not in client.get(f"/t/{t}/calls/").content.decode()


def test_others_see_no_bar(client, supervisor, manager_membership, simctl):
    place(manager_membership)
    client.force_login(supervisor)
    body = client.get(f"/t/{manager_membership.tenant.code}/calls/").content.decode()
    assert 'id="live-bar"' not in body


def test_only_the_manager_stops_following_their_call(
    client, supervisor, admin, manager_membership, simctl
):
    call = place(manager_membership).call
    for user in (supervisor, admin):
        client.force_login(user)
        r = client.post(f"/t/{call.tenant.code}/calls/{call.code}/unfollow/")
        assert r.status_code == 403
    call.refresh_from_db()
    assert call.unfollowed_at is None


# --- without JavaScript ------------------------------------------------------------------------------


def test_the_result_page_reloads_itself_while_the_call_is_live(
    client, manager, manager_membership, simctl
):
    call = place(manager_membership).call
    Call.objects.filter(pk=call.pk).update(next_check_at=timezone.now() + timedelta(minutes=1))
    client.force_login(manager)
    page = f"/t/{call.tenant.code}/call/?last={call.code}"
    body = client.get(page).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in body
    Call.objects.filter(pk=call.pk).update(state=3, outcome_code="5", outcome_source="push")
    body = client.get(page).content.decode()
    assert 'http-equiv="refresh"' not in body
    assert escape("The customer did not answer") in body


def test_the_result_page_asks_aicc_when_it_is_time(client, manager, manager_membership, simctl):
    call = place(manager_membership).call
    time.sleep(0.3)  # time_scale 0.01: the simulated call has ended
    client.force_login(manager)
    body = client.get(f"/t/{call.tenant.code}/call/?last={call.code}").content.decode()
    call.refresh_from_db()
    assert call.state == 3 and call.checks == 1 and 'http-equiv="refresh"' not in body
