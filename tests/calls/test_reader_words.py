"""Words for the reader on the pages (issue 16, section 4): the customer manager who placed a
call reads "you", a supervisor and an admin read "the customer manager", an admin is never told
to ask their console admin; an "outcome unknown" call's page never contradicts itself and offers
"Check whether it was placed"; the history's reason filter is grouped by meaning."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from calls.history_filter import reason_choices_cached
from calls.models import Call
from calls.selectors import FILTER_GROUPS
from console.models import Membership
from tests.calls.test_history import mk, serials_or_codes
from tests.calls.test_history import url as history_url
from tests.calls.test_resolve_unknown import place_with_lost_answer, unknown_call

pytestmark = pytest.mark.django_db


def detail_url(call, tail=""):
    return f"/t/{call.tenant.code}/calls/{call.code}/{tail}"


def page(client, user, path):
    client.force_login(user)
    r = client.get(path)
    assert r.status_code == 200
    return r.content.decode()


def second_person(text):
    """'you'/'your' in the page's visible words (the tenant switcher and navigation aside).
    "Your organisation" speaks to any member of the tenant, not to the customer manager."""
    main = text.split("<main", 1)[1]
    visible = re.sub(r"<[^>]+>", " ", main)
    visible = re.sub(r"\byour organisation", "", visible, flags=re.IGNORECASE)
    return re.findall(r"\b(?:you|your)\b[^.<]*", visible, re.IGNORECASE)


# --- one call, three readers ------------------------------------------------------------------


@pytest.fixture
def not_answered(tenant, manager):
    """The manager's call that ended because they did not pick up (AICC outcome 4)."""
    (call,) = mk(
        tenant, manager, status="placed", serial="777", state=3, outcome_code="4",
        outcome_source="cdr", agent_alerting_at=timezone.now(),
    )  # fmt: skip
    return call


def test_the_manager_reads_you_did_not_pick_up(client, manager, not_answered):
    body = page(client, manager, detail_url(not_answered))
    assert "You did not answer your phone" in body and "Your phone rang" in body
    assert "customer manager did not answer" not in body


def test_a_supervisor_and_an_admin_read_the_customer_manager_did_not_pick_up(
    client, supervisor, admin, not_answered
):
    for reader in (supervisor, admin):
        body = page(client, reader, detail_url(not_answered))
        assert "The customer manager did not answer their phone" in body
        assert "The customer manager's phone rang" in body
        assert "The customer manager can call again and answer their phone" in body
        assert second_person(body) == [], second_person(body)


def test_the_history_list_speaks_to_the_manager_and_of_them_to_others(
    client, manager, supervisor, tenant
):
    mk(tenant, manager, status="failed", reason_source="createCall", reason_code="8")
    mine = page(client, manager, history_url(tenant))
    theirs = page(client, supervisor, history_url(tenant))
    assert "Your phone number is not allowed" in mine
    assert escape("The customer manager's phone number is not allowed") in theirs
    assert "Your phone number is not allowed" not in theirs


def test_an_admin_is_never_told_to_ask_their_console_admin(client, admin, manager, tenant):
    (call,) = mk(tenant, manager, status="failed", reason_source="createCall", reason_code="8")
    body = page(client, admin, detail_url(call))
    assert "Check the softphone number assigned to the customer manager" in body
    assert "A console admin (you)" in body
    assert not re.search(r"(ask|tell) your console admin", body, re.IGNORECASE)
    supervisor_words = "A console admin should check the softphone number"
    assert supervisor_words not in body


def test_a_supervisor_reads_who_should_act(client, supervisor, manager, tenant):
    (call,) = mk(tenant, manager, status="failed", reason_source="createCall", reason_code="8")
    body = page(client, supervisor, detail_url(call))
    assert "A console admin should check the softphone number assigned to the customer" in body
    assert "<dd>A console admin</dd>" in body and second_person(body) == []


def test_the_settings_connection_test_speaks_to_the_admin(client, admin, tenant):
    tenant.app_key = ""
    tenant.save(update_fields=["app_key"])
    client.force_login(admin)
    body = client.post(
        f"/t/{tenant.code}/settings/test/", headers={"HX-Request": "true"}
    ).content.decode()
    # console/connection_words.py: the words of the settings on the page.
    assert "Fill them in (a saved secret is used when the secret field is left empty)" in body
    assert "console admin" not in body.replace("A console admin (you)", "")


def test_the_softphone_list_failure_speaks_to_the_admin_and_of_the_admin_to_a_supervisor(
    client, admin, supervisor, tenant
):
    tenant.app_key = ""
    tenant.save(update_fields=["app_key"])
    path = f"/t/{tenant.code}/softphones/allocated/"
    assert "Enter the AICC app key" in page(client, admin, path)
    assert "A console admin should enter the AICC app key" in page(client, supervisor, path)


# --- an "outcome unknown" call ------------------------------------------------------------------


def test_an_unknown_calls_page_never_says_it_was_not_placed(client, manager, manager_membership):
    call = unknown_call(manager_membership, "13800000061", "unk-61")
    body = page(client, manager, detail_url(call))
    assert "Not sure the call was placed" in body  # the result panel's words
    assert "may have been placed" in body
    assert "was not placed" not in body  # neither "The call was not placed" nor "... no outcome"
    # The retry advice: a read timeout after sending may have placed the call.
    assert "Perhaps, but first check whether the call was placed" in body
    assert "No, not as it is" not in body and "Yes, later" not in body
    # The result panel's action, here too.
    assert "Check whether it was placed" in body
    assert f'action="{detail_url(call, "refresh/")}"' in body


def test_checking_from_the_detail_page_says_when_aicc_has_no_record(
    client, supervisor, manager_membership
):
    call = unknown_call(manager_membership, "13800000062", "unk-62")
    client.force_login(supervisor)
    r = client.post(detail_url(call, "refresh/"), headers={"HX-Request": "true"})
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body and 'id="answer"' in body
    assert "show no such call yet" in body and "Not sure the call was placed" in body
    call.refresh_from_db()
    assert call.status == "unknown"


def test_checking_from_the_detail_page_reloads_it_once_the_call_is_found(
    client, manager, manager_membership, simctl, settings
):
    call = place_with_lost_answer(manager_membership, simctl, settings, "13800000063")
    client.force_login(manager)
    r = client.post(detail_url(call, "refresh/"), headers={"HX-Request": "true"})
    assert r.status_code == 200 and r["HX-Refresh"] == "true"
    call.refresh_from_db()
    assert call.status == "placed"
    body = page(client, manager, detail_url(call))
    assert "Call placed" in body and "Check whether it was placed" not in body


def test_checking_without_javascript_comes_back_to_the_page(client, manager, manager_membership):
    call = unknown_call(manager_membership, "13800000064", "unk-64")
    client.force_login(manager)
    r = client.post(detail_url(call, "refresh/"))
    assert r.status_code == 302 and r["Location"] == detail_url(call)


def test_a_failed_calls_page_still_says_it_was_not_placed(client, manager, tenant):
    (call,) = mk(tenant, manager, status="failed", reason_source="createCall", reason_code="5")
    body = page(client, manager, detail_url(call))
    assert "The call was not placed" in body and "No, not as it is" in body
    assert "Check whether it was placed" not in body


# --- the reason filter, grouped by meaning ----------------------------------------------------


@pytest.fixture
def meanings(tenant, manager):
    now = timezone.now()
    kinds = {
        "no_answer": dict(status="placed", serial="1", outcome_code="5", outcome_source="cdr"),
        "ita_no_answer": dict(
            status="placed", serial="2", call_type="ITA", outcome_code="19", outcome_source="cdr"
        ),
        "not_picked_up": dict(status="placed", serial="3", outcome_code="4", outcome_source="cdr"),
        "hung_up": dict(status="placed", serial="4", outcome_code="0", outcome_source="cdr"),
        "bad_number": dict(status="failed", reason_source="createCall", reason_code="5"),
        "timeout": dict(status="unknown", reason_source="transport", reason_code="timeout"),
        "settings": dict(status="failed", reason_source="token", reason_code="401"),
        # An AICC call whose outcome code means something else under ITA: not "no answer".
        "aicc_19": dict(status="placed", serial="5", outcome_code="19", outcome_source="cdr"),
    }
    return {
        name: mk(tenant, manager, at=now - timedelta(minutes=i), **fields)[0]
        for i, (name, fields) in enumerate(kinds.items())
    }


def found(client, tenant, query):
    return set(serials_or_codes(client.get(history_url(tenant, query)).content.decode()))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("reason=group:no_answer", {"no_answer", "ita_no_answer"}),
        ("reason=group:caller_phone", {"not_picked_up"}),
        ("reason=group:number", {"bad_number"}),
        ("reason=group:network", {"timeout"}),
        ("reason=group:settings", {"settings"}),
        ("reason=group:ended", {"hung_up"}),
        ("reason=outcome:5", {"no_answer"}),
        ("reason=createCall:5", {"bad_number"}),
        ("reason=group:no_answer&status=placed", {"no_answer", "ita_no_answer"}),
    ],
)
def test_a_meaning_group_selects_all_its_codes(
    client, supervisor, tenant, meanings, query, expected
):
    client.force_login(supervisor)
    assert found(client, tenant, query) == {str(meanings[k].code) for k in expected}


def test_an_unknown_group_or_code_is_shown_and_ignored(client, supervisor, tenant, meanings):
    client.force_login(supervisor)
    for value in ("group:nonsense", "outcome_ita:19", "group:ok"):  # no ITA codes for AICC
        r = client.get(history_url(tenant, f"reason={value}"))
        body = r.content.decode()
        assert r.status_code == 200 and 'aria-invalid="true"' in body, value
        assert len(serials_or_codes(body)) == len(meanings), value


def test_an_ita_tenant_is_offered_the_ita_codes(client, supervisor, tenant, meanings):
    tenant.call_type = "ITA"
    tenant.save(update_fields=["call_type"])
    client.force_login(supervisor)
    assert found(client, tenant, "reason=outcome_ita:19") == {str(meanings["ita_no_answer"].code)}
    body = client.get(history_url(tenant)).content.decode()
    assert 'value="outcome_ita:19"' in body and 'value="outcome:5"' not in body


def test_the_filter_offers_the_groups_with_their_codes_inside(client, manager, supervisor, tenant):
    mine = page(client, manager, history_url(tenant))
    theirs = page(client, supervisor, history_url(tenant))
    for body in (mine, theirs):
        no_answer = re.search(
            r'<optgroup label="The customer did not answer or could not be reached">(.*?)'
            r"</optgroup>",
            body,
            re.S,
        )
        assert no_answer, "no 'customer did not answer' group"
        assert 'value="group:no_answer"' in no_answer[1] and 'value="outcome:5"' in no_answer[1]
        assert body.count("<optgroup") == len(FILTER_GROUPS) + 1  # + who can fix it
    assert '<optgroup label="Your phone was not reached or not answered">' in mine
    assert escape("The customer manager's phone was not reached or not answered") in theirs
    assert "Your phone" not in theirs.split('name="reason"')[1].split("</select>")[0]


@pytest.mark.parametrize("reader", ["caller", "others", "admin"])
@pytest.mark.parametrize("ita", [False, True])
def test_no_two_options_look_alike(reader, ita):
    options = [
        o for _, group in reason_choices_cached(reader, ita=ita)[1:] for o in group
    ]  # fmt: skip
    values = [v for v, _ in options]
    labels = [label for _, label in options]
    assert len(values) == len(set(values)) and len(labels) == len(set(labels))
    # Grouped by meaning: a group's first option selects it all, its codes follow.
    groups = reason_choices_cached(reader, ita=ita)[1:-1]
    assert [g[0][0] for _, g in groups] == [f"group:{g.value}" for g in FILTER_GROUPS]


def test_the_group_filter_keeps_the_query_count(
    client, supervisor, manager, tenant, django_assert_num_queries
):
    mk(tenant, manager, 5, status="placed", outcome_code="5", outcome_source="cdr")
    client.force_login(supervisor)
    client.get(history_url(tenant))  # warm-up
    # session+user+membership+tenant (one query), the managers for the filter, the dispositions,
    # the page of calls, the page's customers' names (one query for its numbers: issue 18)
    with django_assert_num_queries(5):
        r = client.get(
            history_url(tenant, "reason=group:no_answer&size=30"), headers={"HX-Request": "true"}
        )
    assert len(serials_or_codes(r.content.decode())) == 5


def test_a_manager_filtering_by_a_group_sees_only_their_own_calls(
    client, manager, supervisor, tenant
):
    mine = mk(tenant, manager, status="placed", outcome_code="5", outcome_source="cdr")
    mk(tenant, supervisor, status="placed", outcome_code="5", outcome_source="cdr")
    Membership.objects.filter(user=supervisor).update(role=Membership.Role.MANAGER)
    client.force_login(manager)
    assert found(client, tenant, "reason=group:no_answer") == {str(mine[0].code)}
    assert Call.objects.filter(outcome_code="5").count() == 2


@pytest.mark.parametrize("ita", [False, True])
def test_every_failure_code_the_dashboard_links_to_stays_a_filter_value(ita):
    from calls.aicc.reasons import is_success, reasons_for
    from calls.selectors import FAILURE_SOURCES

    offered = {v for _, group in reason_choices_cached("others", ita=ita)[1:] for v, _ in group}
    for source in FAILURE_SOURCES:
        for reason in reasons_for(source):
            if not is_success(source, reason.code):
                assert reason.key in offered, reason.key
