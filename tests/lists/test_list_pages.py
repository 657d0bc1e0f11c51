"""The call lists' pages (issue 19): import (CSV and XLSX, all-or-nothing with line numbers,
duplicates reported), assign, pause, progress with its export, and the manager's Call next."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from console.models import AuditEntry
from lists.models import CallList, ListEntry
from tests.lists.factories import add_entry, make_list

pytestmark = pytest.mark.django_db


def url(tenant, tail=""):
    return f"/t/{tenant.code}/lists/{tail}"


CSV = (
    "Number,Name,Company,Context,Due end,Priority,Manager,Contract\n"
    "13800001111,Li Lei,Acme,Renewal due,2026-12-31,2,bob,C-1\n"
    "138 0000 2222,Han Meimei,,,,,,C-2\n"
    "+8613800001111,Li Lei again,,,,,,C-3\n"
)


def test_a_supervisor_creates_a_list_and_imports_a_csv(client, tenant, supervisor, manager):
    client.force_login(supervisor)
    r = client.post(
        url(tenant, "new/"),
        {"name": "Renewals", "owner": supervisor.username, "max_attempts": 3, "retry_minutes": 60},
    )
    cl = CallList.objects.get(tenant=tenant)
    assert r.status_code == 302 and r["Location"].endswith(f"/lists/{cl.code}/import/")
    r = client.post(url(tenant, f"{cl.code}/import/"), {"text": CSV})
    html = r.content.decode()
    assert r.status_code == 200, html
    assert "2 entries imported." in html and "1 duplicate left out" in html
    assert "Line 4: +8613800001111 also appears on line 2." in html
    first, second = ListEntry.objects.filter(list=cl).order_by("line")
    assert first.customer_number == "+8613800001111" and first.name == "Li Lei"
    assert first.assigned_to == manager and first.priority == 2 and first.context == "Renewal due"
    assert first.extra == {"Contract": "C-1"} and first.due_end is not None
    assert second.customer_number == "+8613800002222" and second.assigned_to is None
    assert manager in cl.members.all()  # named in the file: joins the pool
    entry = AuditEntry.objects.get(action="call_list.import")
    assert entry.changes == {"imported": 2, "duplicates": 1, "do_not_call": 0}
    # Imported again: every number is already in the list.
    html = client.post(url(tenant, f"{cl.code}/import/"), {"text": CSV}).content.decode()
    assert "0 entries imported." in html and "is already in this list." in html
    assert ListEntry.objects.filter(list=cl).count() == 2


def test_a_file_with_a_bad_row_imports_nothing_and_says_which_lines(client, tenant, supervisor):
    cl = make_list(tenant)
    client.force_login(supervisor)
    text = (
        "number,name,due start,due end,priority,manager\n"
        "13800001111,Ok,,,,\n"
        "12,Too short,,,,\n"
        "13800003333,Bad date,2026-13-01,,,\n"
        "13800004444,Backwards,2026-05-02,2026-05-01,,\n"
        "13800005555,Bad priority,,,high,\n"
        "13800006666,Nobody,,,,nobody\n"
    )
    r = client.post(url(tenant, f"{cl.code}/import/"), {"text": text})
    html = r.content.decode()
    assert r.status_code == 422
    assert "Nothing was imported: 5 problems." in html
    for line in (3, 4, 5, 6, 7):
        assert f"Line {line}:" in html
    assert "Line 2:" not in html
    assert not ListEntry.objects.exists()
    r = client.post(url(tenant, f"{cl.code}/import/"), {"text": "name,company\nLi,Acme\n"})
    assert r.status_code == 422 and "one of them “number”" in r.content.decode()


def test_an_xlsx_file_imports(client, tenant, supervisor):
    cl = make_list(tenant)
    book = Workbook()
    sheet = book.active
    sheet.append(["号码", "姓名", "备注", "Region"])
    sheet.append([13800001111, "李雷", "续约", "North"])
    sheet.append(["13800002222", "韩梅梅", None, None])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("list.xlsx", data.getvalue())
    client.force_login(supervisor)
    r = client.post(url(tenant, f"{cl.code}/import/"), {"file": upload})
    assert r.status_code == 200 and "2 entries imported." in r.content.decode()
    first = ListEntry.objects.order_by("line").first()
    assert (first.number, first.name, first.context, first.extra) == (
        "13800001111",
        "李雷",
        "续约",
        {"Region": "North"},
    )


def test_assign_pause_progress_and_export(client, tenant, supervisor, manager):
    cl = make_list(tenant)
    entries = [add_entry(cl) for _ in range(5)]
    ListEntry.objects.filter(pk=entries[0].pk).update(
        status="done", queued=False, worked_by=manager
    )
    client.force_login(supervisor)
    r = client.post(
        url(tenant, f"{cl.code}/assign/"), {"source": "pool", "to": str(manager.pk), "count": 3}
    )
    assert r.status_code == 302
    assert ListEntry.objects.filter(assigned_to=manager).count() == 3
    assert manager in cl.members.all()
    html = client.get(url(tenant, f"{cl.code}/")).content.decode()
    assert 'id="progress-done">1<' in html and 'id="progress-remaining">4<' in html
    assert '<th scope="row">bob</th><td>3</td><td>1</td>' in html
    r = client.post(url(tenant, f"{cl.code}/pause/"), {"paused": "1"})
    cl.refresh_from_db()
    assert r.status_code == 302 and cl.paused
    assert (
        "Paused: nothing is offered from it."
        in client.get(url(tenant, f"{cl.code}/")).content.decode()
    )
    client.post(url(tenant, f"{cl.code}/pause/"), {"paused": "0"})
    cl.refresh_from_db()
    assert not cl.paused
    assert (
        AuditEntry.objects.filter(action__in=["call_list.pause", "call_list.resume"]).count() == 2
    )
    r = client.get(url(tenant, f"{cl.code}/export.csv"))
    lines = b"".join(r.streaming_content).decode().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("line,number,customer_number")
    assert len(lines) == 6 and ",done," in lines[1] and "+86" in lines[1]


def test_the_progress_page_query_count_does_not_grow(client, tenant, supervisor, manager,
                                                     django_assert_num_queries):  # fmt: skip
    cl = make_list(tenant, members=[manager])
    add_entry(cl, assigned_to=manager)
    client.force_login(supervisor)
    page = url(tenant, f"{cl.code}/")
    client.get(page)
    # session+user+membership+tenant, the list, the counts per status and manager, the
    # managers' names, the tenant switcher
    with django_assert_num_queries(5):
        client.get(page)
    for _ in range(30):
        add_entry(cl, assigned_to=manager)
    with django_assert_num_queries(5):
        client.get(page)


def test_managers_see_their_lists_and_call_next(client, tenant, manager, simctl):
    cl = make_list(tenant, members=[manager], name="Renewals")
    entry = add_entry(cl, number="13800000007", name="Li Lei", context="Contract ends in May")
    other = make_list(tenant, name="Not mine")
    client.force_login(manager)
    html = client.get(url(tenant)).content.decode()
    assert "Renewals" in html and "Not mine" not in html and "Call next" in html
    r = client.post(url(tenant, "next/"), {"list": str(cl.code)})
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    assert "Li Lei" in html and "Contract ends in May" in html and 'id="entry-call"' in html
    assert 'id="customer-card"' in html
    r = client.post(url(tenant, f"entries/{entry.code}/call/"), {"idempotency_key": "k1"})
    assert r.status_code == 302 and "last=" in r["Location"]
    html = client.get(r["Location"]).content.decode()
    assert 'id="last-call"' in html and 'id="take-next"' in html
    entry.refresh_from_db()
    assert entry.attempts == 1
    # The manager cannot open or take another list's entries.
    assert client.post(url(tenant, "next/"), {"list": str(other.code)}).status_code == 404


def test_call_next_query_count(client, tenant, manager, django_assert_num_queries):
    cl = make_list(tenant, members=[manager])
    for _ in range(3):
        add_entry(cl)
    client.force_login(manager)
    client.post(url(tenant, "next/"))
    page = url(tenant, "next/")
    client.get(page)
    # session+user+membership+tenant, the softphone, the claim (+ list), the lists, the card
    # (customer, last call, follow-ups, the guardrails' verdict), the navigation's due
    # follow-ups, the tenant switcher, the in-call bar
    with django_assert_num_queries(11):
        client.get(page)


def test_do_not_call_numbers_are_left_out_and_reported(client, tenant, other_tenant, supervisor):
    """The tenant's do-not-call list (guardrails) at import: a listed number is left out with its
    line and reason; an expired entry, or another tenant's, blocks nothing."""
    from datetime import timedelta

    from django.utils import timezone

    from guardrails.models import DoNotCall

    DoNotCall.objects.create(tenant=tenant, number="+8613800002222", reason="Asked on 1 Nov")
    DoNotCall.objects.create(
        tenant=tenant, number="+8613800003333", expires_at=timezone.now() - timedelta(days=1)
    )
    DoNotCall.objects.create(tenant=other_tenant, number="+8613800004444", reason="theirs")
    cl = make_list(tenant, owner=supervisor)
    text = "Number\n13800001111\n138 0000 2222\n13800003333\n13800004444\n"
    client.force_login(supervisor)
    html = client.post(url(tenant, f"{cl.code}/import/"), {"text": text}).content.decode()
    assert "3 entries imported." in html and "1 do-not-call number left out" in html
    assert "Line 3: +8613800002222 is on the do-not-call list (Asked on 1 Nov)." in html
    kept = set(ListEntry.objects.filter(list=cl).values_list("customer_number", flat=True))
    assert kept == {"+8613800001111", "+8613800003333", "+8613800004444"}
    entry = AuditEntry.objects.filter(action="call_list.import").latest("id")
    assert entry.changes == {"imported": 3, "duplicates": 0, "do_not_call": 1}
