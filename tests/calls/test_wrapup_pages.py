"""The wrap-up on the pages (issue 18): the manager's card once the call ended (htmx and plain
form), the call page's calls awaiting wrap-up and its refusal, the detail page with changes and
comments, the admin's Wrap-up page; and their query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Call, Disposition, WrapUp
from console.models import AuditEntry
from tests.calls.test_wrapup import disposition, end, placed

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def card(client, call):
    return client.get(f"/t/{call.tenant.code}/calls/{call.code}/status/?view=card")


def wrap_url(call):
    return f"/t/{call.tenant.code}/calls/{call.code}/wrap-up/"


def test_the_card_of_an_answered_call_is_the_wrap_up_form(client, tenant, manager):
    call = end(placed(tenant, manager))
    client.force_login(manager)
    html = card(client, call).content.decode()
    assert "Awaiting wrap-up" in html
    assert 'name="disposition"' in html and 'name="note"' in html
    assert "Wrong person / Voicemail" in html
    # An htmx post answers the wrap-up section, wrapped up.
    d = disposition(tenant, "interested")
    r = client.post(
        wrap_url(call),
        {"disposition": d.pk, "note": "Sends the contract.", "back": "card"},
        headers=HX,
    )
    html = r.content.decode()
    assert r.status_code == 200 and html.startswith('\n<section id="wrapup-') is False
    assert f'id="wrapup-{call.code}"' in html and "Interested" in html
    assert "Sends the contract." in html and "Awaiting wrap-up" not in html
    assert "Change the wrap-up" in html  # still editable, behind a <details>
    call.refresh_from_db()
    assert call.wrapup_state == "done"


def test_without_javascript_the_form_posts_and_comes_back(client, tenant, manager):
    call = end(placed(tenant, manager))
    client.force_login(manager)
    d = disposition(tenant, "call_back")
    r = client.post(wrap_url(call), {"disposition": d.pk, "note": "", "back": "card"})
    assert r.status_code == 302 and r["Location"].endswith(f"/call/?last={call.code}")
    page = client.get(r["Location"]).content.decode()
    assert "Call back later" in page and "Wrapped up." in page


def test_errors_are_said_above_and_nothing_is_saved(client, tenant, manager):
    call = end(placed(tenant, manager))
    client.force_login(manager)
    r = client.post(wrap_url(call), {"note": "x" * 2001, "back": "card"}, headers=HX)
    html = r.content.decode()
    assert "Choose a disposition: what came of the call." in html
    assert "The note is too long: write at most 2,000 characters (it has 2,001)." in html
    assert 'aria-invalid="true"' in html
    assert not WrapUp.objects.exists()
    # Without JavaScript: the detail page with the errors, 422.
    r = client.post(wrap_url(call), {"disposition": "999999", "back": "detail"})
    assert r.status_code == 422
    assert "Select a valid choice" in r.content.decode()


def test_a_locked_wrap_up_is_read_only(client, tenant, manager, manager_membership):
    from calls.services.wrapup import wrapup_save

    call = end(placed(tenant, manager))
    wrapup_save(
        call=call, membership=manager_membership, disposition=disposition(tenant, "interested")
    )
    WrapUp.objects.update(wrapped_at=timezone.now() - timedelta(hours=2))
    client.force_login(manager)
    html = card(client, call).content.decode()
    assert "Interested" in html and 'name="disposition"' not in html
    r = client.post(
        wrap_url(call), {"disposition": disposition(tenant, "busy").pk, "back": "card"}, headers=HX
    )
    assert "its time to edit is over" in r.content.decode()
    assert WrapUp.objects.get().disposition.key == "interested"


def test_the_call_page_lists_calls_awaiting_wrap_up(client, tenant, manager):
    call = end(placed(tenant, manager, called="13800000055"))
    client.force_login(manager)
    html = client.get(f"/t/{tenant.code}/call/").content.decode()
    assert 'id="pending-wrapups"' in html and f"?last={call.code}" in html
    assert "Call to 13800000055" in html
    # Its card, with the form, from the link: reloading the page does not skip it.
    html = client.get(f"/t/{tenant.code}/call/?last={call.code}").content.decode()
    assert 'name="disposition"' in html


def test_the_next_call_waits_for_the_wrap_up_if_the_tenant_says_so(client, tenant, manager, simctl):
    tenant.wrapup_call_while_pending = False
    tenant.save()
    call = end(placed(tenant, manager, called="13800000056"))
    client.force_login(manager)
    data = {"called": "13800000057", "idempotency_key": "next-call-key-1"}
    r = client.post(f"/t/{tenant.code}/call/", data, headers=HX)
    html = r.content.decode()
    assert 'id="wrapup-due-card"' in html
    assert "Refused by the console: wrap up your last call first" in html
    assert "wrap up your call to 13800000056 below, then call again." in html
    assert f'id="wrapup-{call.code}"' in html and 'name="disposition"' in html
    assert not Call.objects.filter(called="13800000057").exists()
    # Without JavaScript: the same, as a page.
    html = client.post(f"/t/{tenant.code}/call/", data).content.decode()
    assert 'id="wrapup-due-card"' in html


def test_the_detail_page_shows_the_wrap_up_its_changes_and_comments(
    client, tenant, manager, supervisor, manager_membership
):
    from calls.services.wrapup import wrapup_save

    call = end(placed(tenant, manager))
    wrapup_save(
        call=call, membership=manager_membership, disposition=disposition(tenant, "interested")
    )
    wrapup_save(
        call=call,
        membership=manager_membership,
        disposition=disposition(tenant, "call_back"),
        note="Monday 10:00",
    )
    client.force_login(supervisor)
    detail = f"/t/{tenant.code}/calls/{call.code}/"
    html = client.get(detail).content.decode()
    assert "Call back later" in html and "Monday 10:00" in html
    assert "Interested → Call back later" in html
    assert 'name="disposition"' not in html  # supervisors comment, they do not wrap up
    r = client.post(f"{detail}wrap-up/comments/", {"text": "Good follow-through."})
    assert r.status_code == 302 and r["Location"] == detail
    assert "Good follow-through." in client.get(detail).content.decode()
    # A manager cannot comment; a supervisor cannot wrap up.
    assert client.post(wrap_url(call), {"disposition": 1}).status_code == 403
    client.force_login(manager)
    assert client.post(f"{detail}wrap-up/comments/", {"text": "x"}).status_code == 403


def test_a_not_answered_call_reads_as_wrapped_up_by_itself(client, tenant, manager):
    call = end(placed(tenant, manager), code="5", talk=0)
    client.force_login(manager)
    html = card(client, call).content.decode()
    assert "No answer" in html and "automatically, from how the call ended" in html
    assert "Change the wrap-up" in html
    flagged = end(placed(tenant, manager, called="13800000058"), code="2", talk=0)
    html = card(client, flagged).content.decode()
    assert "Your phone was not reached" in html and "no wrap-up is needed" in html
    assert "<details><summary>Add a wrap-up</summary>" in html  # optional: not open


# --- the admin's Wrap-up page -------------------------------------------------------------------


def test_admin_adds_edits_reorders_and_archives_dispositions(client, tenant, admin):
    client.force_login(admin)
    page = f"/t/{tenant.code}/settings/wrap-up/"
    assert "Wrong person / Voicemail" in client.get(page).content.decode()
    r = client.post(
        f"{page}add/",
        {"label_en": "Sale closed", "label_zh": "成交", "group": "connected"},
    )
    assert r.status_code == 302
    d = Disposition.objects.get(tenant=tenant, label_en="Sale closed")
    assert d.key == "sale_closed" and d.order == 80
    r = client.post(
        f"{page}{d.code}/",
        {
            "label_en": "Sale closed",
            "label_zh": "已成交",
            "group": "connected",
            "auto_codes": "outcome:5",
        },
    )
    d.refresh_from_db()
    assert d.label_zh == "已成交" and d.auto_outcomes == "outcome:5"
    client.post(f"{page}{d.code}/action/", {"action": "up"})
    order = list(Disposition.objects.filter(tenant=tenant).values_list("key", flat=True))
    assert order[-2:] == ["sale_closed", "invalid_number"]
    client.post(f"{page}{d.code}/action/", {"action": "archive"})
    d.refresh_from_db()
    assert d.archived
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "disposition.add",
        "disposition.change",
        "disposition.move",
        "disposition.archive",
    } <= actions
    # Labels: at least one language.
    r = client.post(f"{page}add/", {"label_en": " ", "label_zh": "", "group": "connected"})
    assert r.status_code == 422 and "Type the label in English, in Chinese, or both." in (
        r.content.decode()
    )
    r = client.post(
        f"{page}add/", {"label_en": "x", "group": "connected", "auto_codes": "nonsense"}
    )
    assert r.status_code == 422 and "is not an outcome code" in r.content.decode()


def test_admin_saves_the_wrap_up_settings_supervisors_read_them(client, tenant, admin, supervisor):
    client.force_login(admin)
    page = f"/t/{tenant.code}/settings/wrap-up/"
    r = client.post(page, {"wrapup_required": "on", "wrapup_edit_minutes": "15"})
    assert r.status_code == 302
    tenant.refresh_from_db()
    assert tenant.wrapup_required and not tenant.wrapup_call_while_pending
    assert tenant.wrapup_edit_minutes == 15
    entry = AuditEntry.objects.get(action="settings.change")
    assert entry.changes == {
        "wrapup_call_while_pending": [True, False],
        "wrapup_edit_minutes": [60, 15],
    }
    r = client.post(page, {"wrapup_edit_minutes": "-1"})
    assert r.status_code == 422
    client.force_login(supervisor)
    assert client.get(page).status_code == 200
    assert client.post(page, {"wrapup_edit_minutes": "5"}).status_code == 403
    assert client.post(f"{page}add/", {"label_en": "x"}).status_code == 403


# --- query counts -------------------------------------------------------------------------------


def test_the_ended_cards_query_count(client, tenant, manager, django_assert_num_queries):
    call = end(placed(tenant, manager))
    client.force_login(manager)
    card(client, call)  # warm-up
    # session+user+membership+tenant (one query), the call, the dispositions (the form), the
    # open follow-up the call was placed from (the form's follow-up part says what it does)
    with django_assert_num_queries(4):
        card(client, call)


def test_the_wrap_up_page_query_count(client, tenant, admin, django_assert_num_queries):
    client.force_login(admin)
    page = f"/t/{tenant.code}/settings/wrap-up/"
    client.get(page)  # warm-up
    # session+user+membership+tenant (one query), the dispositions, the user's tenants (menu)
    with django_assert_num_queries(3):
        client.get(page)


def test_the_detail_pages_query_count_does_not_grow_with_changes_and_comments(
    client, tenant, manager, supervisor, manager_membership, django_assert_num_queries
):
    from calls.services.wrapup import wrapup_comment, wrapup_save
    from console.models import Membership

    call = end(placed(tenant, manager))
    sup = Membership.objects.get(tenant=tenant, user=supervisor)
    client.force_login(supervisor)
    detail = f"/t/{tenant.code}/calls/{call.code}/"
    client.get(detail)  # warm-up

    def one_more():
        note = f"note {WrapUp.objects.filter(call=call).count()}-{timezone.now().timestamp()}"
        wrapup_save(
            call=call,
            membership=manager_membership,
            disposition=disposition(tenant, "call_back"),
            note=note,
        )
        wrapup_comment(call=call, membership=sup, text=note)

    one_more()
    # session+user+membership+tenant (one query), the call (+ user), the wrap-up (+ disposition,
    # author), the dispositions (the changes' labels), its changes, the comments, the tenant
    # switcher
    with django_assert_num_queries(7):
        client.get(detail)
    one_more()
    one_more()
    with django_assert_num_queries(7):
        html = client.get(detail).content.decode()
    assert html.count("<del>") == 2  # two changes of the note after the first


# --- the history, the exports and the dashboard ---------------------------------------------------


@pytest.fixture
def wrapped(tenant, manager, manager_membership):
    """Three calls: wrapped up with a note, wrapped up automatically, awaiting wrap-up."""
    from calls.services.wrapup import wrapup_save

    noted = end(placed(tenant, manager, called="13800000201"))
    wrapup_save(
        call=noted,
        membership=manager_membership,
        disposition=disposition(tenant, "interested"),
        note="Send the offer, 含中文",
    )
    auto = end(placed(tenant, manager, called="13800000202"), code="5", talk=0)
    pending = end(placed(tenant, manager, called="13800000203"))
    return noted, auto, pending


def numbers_in(html):
    import re

    return sorted(set(re.findall(r"1380000020\d", html)))


def test_history_filters_by_disposition_and_note(client, supervisor, tenant, wrapped):
    client.force_login(supervisor)
    base = f"/t/{tenant.code}/calls/"
    html = client.get(base).content.decode()
    assert "Awaiting wrap-up" in html and "Interested" in html and "No answer" in html
    assert numbers_in(client.get(f"{base}?disposition=interested").content.decode()) == [
        "13800000201"
    ]
    assert numbers_in(client.get(f"{base}?disposition=no_answer").content.decode()) == [
        "13800000202"
    ]
    assert numbers_in(client.get(f"{base}?has_note=yes").content.decode()) == ["13800000201"]
    assert numbers_in(client.get(f"{base}?has_note=no").content.decode()) == [
        "13800000202",
        "13800000203",
    ]
    r = client.get(f"{base}?disposition=nonsense")
    assert "Some filters are not valid and were ignored." in r.content.decode()


def test_both_exports_carry_the_wrap_up(client, supervisor, tenant, wrapped):
    import csv
    import io

    from openpyxl import load_workbook

    from calls.export import COLUMNS

    client.force_login(supervisor)
    r = client.get(f"/t/{tenant.code}/calls/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    by_number = {row["called"]: row for row in rows}
    noted = by_number["13800000201"]
    assert (noted["wrap_up"], noted["disposition"], noted["note"], noted["wrapped_up_by"]) == (
        "done",
        "Interested",
        "Send the offer, 含中文",
        "bob",
    )
    auto = by_number["13800000202"]
    assert (auto["wrap_up"], auto["disposition"], auto["wrapped_up_by"]) == (
        "auto",
        "No answer",
        "automatic",
    )
    assert by_number["13800000203"]["wrap_up"] == "pending"
    r = client.get(f"/t/{tenant.code}/calls/export.xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans")
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    col = {name: i for i, name in enumerate(COLUMNS)}
    row = next(v for v in values[1:] if v[col["called"]] == "13800000201")
    assert row[col["disposition"]] in ("Interested", "有意向")
    assert row[col["note"]] == "Send the offer, 含中文"


def test_the_dashboard_shows_dispositions_per_manager(client, supervisor, tenant, wrapped):
    client.force_login(supervisor)
    html = client.get(f"/t/{tenant.code}/dashboard/").content.decode()
    section = html[html.index('id="dispositions-per-manager"') :]
    section = section[: section.index("</section>")]
    assert "Interested" in section and "No answer" in section
    assert section.index("Interested") < section.index("No answer")  # the admin's order
    row = section[section.index("<tbody>") :]
    import re

    cells = re.findall(r"<td>(\d+)</td>", row)
    assert cells == ["1", "1", "1"]  # interested, no answer, awaiting wrap-up


def test_a_call_not_ended_answers_why_not(client, tenant, manager):
    call = placed(tenant, manager)
    client.force_login(manager)
    r = client.post(wrap_url(call), {"disposition": 1, "back": "card"}, headers=HX)
    assert "The call has not ended yet: wrap it up once it has." in r.content.decode()
    assert not WrapUp.objects.exists()
