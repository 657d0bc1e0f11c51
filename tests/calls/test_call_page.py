"""The customer manager's call page, against the simulator over real HTTP."""

import re
import time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.html import escape

from calls.models import Call
from console.models import SoftphoneMapping

pytestmark = pytest.mark.django_db


def url(tenant):
    return f"/t/{tenant.code}/call/"


def post(client, tenant, htmx=True, **data):
    data.setdefault("idempotency_key", f"k{len(data)}x{id(data)}")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url(tenant), data, headers=headers)


def test_it_shows_the_form_with_the_softphone(client, manager, tenant):
    client.force_login(manager)
    r = client.get(url(tenant))
    assert r.status_code == 200
    body = r.content.decode()
    assert "10001" in body and "13900000001" in body
    assert 'name="called"' in body and 'name="idempotency_key"' in body


def test_it_places_a_call_and_shows_the_serial(client, manager, tenant, simctl):
    client.force_login(manager)
    r = post(client, tenant, called="138 0000-0000")
    assert r.status_code == 200
    call = Call.objects.get()
    assert call.status == "placed" and len(call.serial) >= 10
    assert (
        call.called == "13800000000" and call.softphone == "10001" and call.caller == "13900000001"
    )
    assert call.elapsed_ms is not None and call.user == manager
    body = r.content.decode()
    assert call.serial in body and "<html" not in body  # the fragment only
    sent = simctl.get("calls")[-1]
    assert sent["body"]["softPhone"] == "10001" and sent["body"]["called"] == "13800000000"


def test_plain_post_redirects_to_the_result(client, manager, tenant, simctl):
    client.force_login(manager)
    r = post(client, tenant, htmx=False, called="13800000000")
    call = Call.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/t/{tenant.code}/call/?last={call.code}"
    page = client.get(r["Location"])
    assert call.serial in page.content.decode()


def end(call, **fields):
    """Mark a call ended in the console's record, as a pushed release event would."""
    fields = {"state": 3, "outcome_code": "0", "outcome_source": "push", **fields}
    Call.objects.filter(pk=call.pk).update(**fields)
    call.refresh_from_db()
    return call


def test_the_result_panel_speaks_each_users_language(client, manager, tenant, simctl):
    # Its fixed words are translated once per language (calls/result_panel.py, calls/call_status
    # .py): a Chinese page must not leave English words cached for the next English one, or the
    # reverse.
    client.force_login(manager)
    words = {
        "zh-Hans": ("正在呼叫您的电话", "已接听，通话 3:12", "再次呼叫"),
        "en": ("Ringing your phone", "Answered, talked for 3:12", "Call again"),
    }
    for n, language in enumerate(["zh-Hans", "en"] * 2):
        ringing, answered, again = words[language]
        headers = {"HX-Request": "true", "Accept-Language": language}
        r = client.post(
            url(tenant),
            {"called": f"138 0000 000{n}", "call_data": "a b&c", "idempotency_key": f"{n:032x}"},
            headers=headers,
        )
        body = r.content.decode()
        assert ringing in body and again not in body  # live: no "Call again" yet
        call = end(Call.objects.latest("created_at"), talking_at=timezone.now(), talk_seconds=192)
        body = client.get(f"/t/{tenant.code}/calls/{call.code}/status/", headers=headers)
        body = body.content.decode()
        assert answered in body and again in body and ringing not in body
    assert f'href="/t/{tenant.code}/calls/{call.code}/"' in body  # Details
    again_url = f"/t/{tenant.code}/call/?called=13800000003&amp;data=a+b%26c&amp;again=1"
    assert f'href="{again_url}"' in body  # Call again


@pytest.mark.parametrize(
    "ret_code, words",
    [("6", "VDN"), ("8", "range"), ("16", "trustlist"), ("21", "10"), ("90106012", "customer")],
)
def test_vendor_failures_are_decoded_on_the_page(client, manager, tenant, simctl, ret_code, words):
    from calls.aicc.reasons import decode

    simctl.scenario(called="13800000001", retCode=ret_code)
    client.force_login(manager)
    r = post(client, tenant, called="13800000001")
    call = Call.objects.get()
    assert (
        call.status == "failed"
        and call.reason_source == "createCall"
        and call.reason_code == ret_code
    )
    reason = decode("createCall", ret_code)
    body = r.content.decode()
    assert escape(str(reason.title)) in body and escape(str(reason.next_step)) in body
    assert (
        words.lower()
        in (str(reason.title) + str(reason.explanation) + str(reason.next_step)).lower()
    )


@pytest.mark.parametrize(
    "scenario, status, source, code",
    [
        ({"http_status": 500}, "failed", "http", "500"),
        ({"fault": "bad_json"}, "unknown", "transport", "bad_json"),
        ({"fault": "drop"}, "unknown", "transport", "reset"),
        ({"fault": "timeout", "latency_ms": 1500}, "unknown", "transport", "timeout"),
    ],
)
def test_faults_leave_a_complete_record(
    client, manager, tenant, simctl, settings, scenario, status, source, code
):
    settings.AICC_READ_TIMEOUT = 0.5
    simctl.scenario(called="13800000002", **scenario)
    client.force_login(manager)
    r = post(client, tenant, called="13800000002")
    assert r.status_code == 200
    call = Call.objects.get()
    assert (call.status, call.reason_source, call.reason_code) == (status, source, code)
    assert call.answered_at is not None and call.elapsed_ms is not None
    assert escape(str(call.reason().title)) in r.content.decode()


def test_bad_input_gets_a_message_on_the_field(client, manager, tenant, simctl):
    client.force_login(manager)
    r = post(client, tenant, called="call me maybe")
    assert r.status_code == 200
    body = r.content.decode()
    assert "digits only" in body and 'aria-invalid="true"' in body
    assert r["HX-Retarget"] == "#call-form" and r["HX-Reswap"] == "outerHTML"
    assert Call.objects.count() == 0 and simctl.get("stats")["create_calls"] == 0


def test_too_long_call_data_is_refused(client, manager, tenant):
    client.force_login(manager)
    r = post(client, tenant, called="13800000000", call_data="x" * 1025)
    assert "1024" in r.content.decode() and Call.objects.count() == 0


def test_caller_present_must_be_an_access_code(client, manager, tenant):
    client.force_login(manager)
    r = post(client, tenant, called="13800000000", caller_present="13812345678")
    assert Call.objects.count() == 0
    assert "access code" in r.content.decode()


def test_anonymization_allows_11_to_14_digits(client, manager, tenant, simctl):
    tenant.anonymization_enabled = True
    tenant.save()
    simctl.post(
        "accounts", app_key="acme-key", app_secret="acme-secret-value-1", anonymization=True
    )
    client.force_login(manager)
    post(client, tenant, called="13800000000", caller_present="13812345678")
    call = Call.objects.get()
    assert call.caller_present == "13812345678" and call.status == "placed"
    r = post(client, tenant, called="13800000003", caller_present="123")
    assert "11 to 14" in r.content.decode() and Call.objects.count() == 1
    simctl.post("accounts", app_key="acme-key", app_secret="acme-secret-value-1")


def test_each_placed_call_hands_the_form_a_new_key(client, manager, tenant, simctl):
    client.force_login(manager)
    r = post(client, tenant, called="13800000000", idempotency_key="first-key-1")
    body = r.content.decode()
    assert 'hx-swap-oob="true"' in body and 'value="first-key-1"' not in body


def test_double_submit_places_one_call(client, manager, tenant, simctl):
    client.force_login(manager)
    post(client, tenant, called="13800000000", idempotency_key="same-key-123")
    r = post(
        client, tenant, called="13800000000", idempotency_key="same-key-123"
    )  # no confirm asked
    assert Call.objects.count() == 1 and simctl.get("stats")["create_calls"] == 1
    assert Call.objects.get().serial in r.content.decode()


def test_calling_the_same_number_again_asks_to_confirm(client, manager, tenant, simctl):
    client.force_login(manager)
    post(client, tenant, called="13800000000", idempotency_key="first-key-1")
    first = end(Call.objects.get())
    r = post(client, tenant, called="13800000000", idempotency_key="second-key-2")
    assert "a moment ago" in r.content.decode() and Call.objects.count() == 1
    # When, as a clock time in the tenant's zone (not "0 minutes ago" for a call seconds old).
    when = first.created_at.astimezone(ZoneInfo(tenant.time_zone)).strftime("%H:%M")
    assert f"You called 13800000000 at {when}. Call again?" in r.content.decode()
    post(client, tenant, called="13800000000", idempotency_key="second-key-2", confirm="on")
    assert Call.objects.count() == 2


def test_call_again_does_not_ask_a_moment_ago(client, manager, tenant, simctl):
    client.force_login(manager)
    post(client, tenant, called="13800000000", idempotency_key="first-key-1")
    first = end(Call.objects.get())
    card = client.get(f"/t/{tenant.code}/calls/{first.code}/status/").content.decode()
    again = re.search(r'id="again-[^"]+" href="([^"]+)"', card).group(1).replace("&amp;", "&")
    form = client.get(again).content.decode()  # the call page, prefilled
    assert 'value="13800000000"' in form
    confirm = re.search(r'<input type="hidden" name="confirm" value="([^"]*)"', form).group(1)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    r = post(client, tenant, called="13800000000", idempotency_key=key, confirm=confirm)
    assert "a moment ago" not in r.content.decode() and Call.objects.count() == 2
    # Without the link's word, the same form asks (the check the link skips is still there).
    end(Call.objects.latest("created_at"))
    r = post(client, tenant, called="13800000000", idempotency_key="third-key-3")
    assert "a moment ago" in r.content.decode() and Call.objects.count() == 2


def test_manager_without_mapping_sees_why(client, manager, tenant):
    SoftphoneMapping.objects.filter(user=manager).update(enabled=False)
    client.force_login(manager)
    r = client.get(url(tenant))
    body = r.content.decode()
    assert "no softphone" in body and 'name="called"' not in body
    r = post(client, tenant, called="13800000000")
    assert Call.objects.count() == 0
    assert r["HX-Refresh"] == "true"  # reload: the page explains why there is no form
    r = post(client, tenant, htmx=False, called="13800000000")
    assert "no softphone" in r.content.decode() and Call.objects.count() == 0


def test_deep_link_prefills_and_places_nothing(client, manager, tenant, simctl):
    client.force_login(manager)
    r = client.get("/call/?called=%2B86%20138-0000-0000&data=order%2042", follow=True)
    body = r.content.decode()
    assert r.status_code == 200 and "+86 138-0000-0000" in body and "order 42" in body
    assert Call.objects.count() == 0 and simctl.get("stats")["create_calls"] == 0


def test_ita_tenant_hides_and_never_sends_call_data(client, manager, tenant, simctl):
    tenant.call_type = "ITA"
    tenant.save()
    simctl.post("accounts", app_key="acme-key", app_secret="acme-secret-value-1", call_type="ITA")
    client.force_login(manager)
    assert 'name="call_data"' not in client.get(url(tenant)).content.decode()
    post(client, tenant, called="13800000000", call_data="ignored", caller_present="4001234567")
    call = Call.objects.get()
    assert call.status == "placed" and call.call_data == ""
    body = simctl.get("calls")[-1]["body"]
    assert "callData" not in body and "callerPresent" not in body
    simctl.post("accounts", app_key="acme-key", app_secret="acme-secret-value-1")


def test_the_result_panel_offers_call_again_only_to_customer_managers(
    client, manager, supervisor, tenant, simctl
):
    client.force_login(manager)
    post(client, tenant, called="13800000006")
    call = end(Call.objects.get())
    status_url = f"/t/{tenant.code}/calls/{call.code}/status/"
    mine = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "Call again" in mine and f"/t/{tenant.code}/call/?called=13800000006" in mine
    client.force_login(supervisor)  # may follow any call, but has no call page
    theirs = client.get(status_url, headers={"HX-Request": "true"})
    assert theirs.status_code == 200
    body = theirs.content.decode()
    assert "Call again" not in body and f"/t/{tenant.code}/calls/{call.code}/" in body


def test_live_status_follows_the_call_to_its_end(client, manager, tenant, simctl):
    simctl.scenario(called="13800000005", outcome="customer_no_answer")
    client.force_login(manager)
    body = post(client, tenant, called="13800000005").content.decode()
    call = Call.objects.get()
    # What the poller asks (every 750 ms): its URL, with the version the page shows.
    version, poll = re.search(
        r'name="v" value="([^"]+)"><span class="poll" hidden hx-get="([^"]+)" '
        r'hx-include="#[^"]+" hx-trigger="every 750ms"',
        body,
    ).groups()
    time.sleep(0.5)  # time_scale 0.01: the whole call takes well under half a second
    r = client.get(f"{poll}&v={version}", headers={"HX-Request": "true"})
    call.refresh_from_db()
    assert call.state == 3 and call.outcome_code == "5" and call.outcome_source == "poll"
    body = r.content.decode()
    assert escape(str(call.outcome().title)) in body and "hx-trigger" not in body  # stopped polling
    assert 'hx-swap-oob="true"' in body and f'id="result-{call.code}"' in body  # the whole card


def test_supervisor_cannot_use_the_call_page(client, supervisor, tenant):
    client.force_login(supervisor)
    assert client.get(url(tenant)).status_code == 403


def test_outsider_gets_404(client, outsider, tenant):
    client.force_login(outsider)
    assert client.get(url(tenant)).status_code == 404
    assert client.post(url(tenant), {"called": "1"}).status_code == 404


def test_call_page_query_count(client, manager, tenant, django_assert_num_queries):
    client.force_login(manager)
    client.get(url(tenant))  # the first visit also stores the current tenant in the session
    # session+user+membership+tenant (one query), softphone mapping, the manager's live call (the
    # in-call bar), the user's tenants (menu), the calls awaiting wrap-up, the manager's due
    # follow-ups (the navigation's count)
    with django_assert_num_queries(6):
        client.get(url(tenant))


def test_placing_a_call_query_count(client, manager, tenant, simctl, django_assert_num_queries):
    client.force_login(manager)
    post(client, tenant, called="13800000000")  # warm up: session, token memo
    end(Call.objects.get())
    # session+user+membership+tenant (one query), softphone mapping, "this form's call, a live
    # call, called a moment ago?" (one query), the record's insert (in a savepoint and its
    # release), the guardrails' pre-flight (do-not-call and attempts: one query), its update
    # with the answer.
    with django_assert_num_queries(8):
        r = post(client, tenant, called="13800000001", idempotency_key="second-call-key")
    assert r.status_code == 200
    assert Call.objects.get(idempotency_key="second-call-key").status == Call.Status.PLACED


def test_status_poll_query_count(client, manager, tenant, simctl, django_assert_num_queries):
    client.force_login(manager)
    post(client, tenant, called="13800000000")
    call = Call.objects.get()
    status_url = f"/t/{tenant.code}/calls/{call.code}/status/?view=card&v=live.None."
    client.get(status_url, headers={"HX-Request": "true"})  # warm up: session, token memo
    Call.objects.filter(pk=call.pk).update(
        state=None, outcome_code="", outcome_source="", next_check_at=None
    )
    time.sleep(0.5)  # time_scale 0.01: the simulated call has ended by now
    # session+user+membership+tenant (one query), the call, the look claimed (next_check_at),
    # state moved forward, outcome (once ended), re-read of the stored state, the call marked
    # awaiting wrap-up (once), the dispositions (the ended card's wrap-up form), the open
    # follow-up the call was placed from (the form's follow-up part)
    with django_assert_num_queries(9):
        client.get(status_url, headers={"HX-Request": "true"})
    # The next look, within the back-off: the console's own record only, AICC is not asked.
    Call.objects.filter(pk=call.pk).update(state=None, outcome_code="", outcome_source="")
    with django_assert_num_queries(2):
        r = client.get(status_url, headers={"HX-Request": "true"})
    assert r.status_code == 204  # nothing changed: nothing to swap


def test_a_deep_link_survives_logging_in(client, manager, tenant):
    from tests.conftest import PASSWORD

    r = client.get("/call/?called=13800000000&data=order%2042")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    r = client.post(r["Location"], {"username": "bob", "password": PASSWORD}, follow=True)
    body = r.content.decode()
    assert 'value="13800000000"' in body and "order 42" in body
