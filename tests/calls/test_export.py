"""CSV export: exactly the filtered list, decoded, streamed in constant memory."""

import csv
import io
import re
import time
import tracemalloc
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calls.aicc.reasons import decode
from calls.export import COLUMNS
from calls.management.commands.seed_history import backdated_bulk_create
from calls.models import Call

pytestmark = pytest.mark.django_db


def url(tenant, query=""):
    return f"/t/{tenant.code}/calls/export.csv" + (f"?{query}" if query else "")


def read(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def calls(tenant, manager, supervisor):
    return [
        Call.objects.create(
            tenant=tenant,
            user=manager,
            softphone="10001",
            called="13800000001",
            idempotency_key="a",
            status="failed",
            reason_source="createCall",
            reason_code="8",
            ret_msg="not in range",
        ),
        Call.objects.create(
            tenant=tenant,
            user=manager,
            softphone="10001",
            called="13800000002",
            idempotency_key="b",
            status="placed",
            serial="42",
            outcome_code="5",
            outcome_source="cdr",
            state=3,
            talk_seconds=0,
        ),
        Call.objects.create(
            tenant=tenant,
            user=supervisor,
            softphone="10002",
            called="=cmd|' /C calc'!A0",
            idempotency_key="c",
            status="placed",
        ),
    ]


def test_it_works(client, supervisor, tenant, calls):
    client.force_login(supervisor)
    r = client.get(url(tenant))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"]
    rows = read(r)
    assert len(rows) == 3 and list(rows[0]) == COLUMNS


def test_it_exports_exactly_the_filtered_calls_with_decoded_reasons(
    client, supervisor, tenant, calls
):
    client.force_login(supervisor)
    rows = read(client.get(url(tenant, "status=failed")))
    assert len(rows) == 1
    row = rows[0]
    reason = decode("createCall", "8", reader="others")  # the export speaks of the manager
    assert row["call_id"] == str(calls[0].code) and row["reason_code"] == "createCall:8"
    assert row["reason"] == "The customer manager's phone number is not allowed"
    assert row["reason"] == str(reason.title) and row["who_can_fix"] == "A console admin"
    assert row["next_step"] == str(reason.next_step) and row["aicc_message"] == "not in range"
    assert row["manager_login"] == "bob" and row["called"] == "13800000001"


def test_outcomes_are_exported(client, supervisor, tenant, calls):
    client.force_login(supervisor)
    (row,) = read(client.get(url(tenant, "serial=42")))
    assert row["outcome_code"] == "5" and row["answered"] == "no"
    assert row["outcome"] == str(decode("outcome", "5").title) and row["outcome_source"] == "cdr"


def test_the_export_speaks_of_the_customer_manager_not_to_them(client, supervisor, tenant, calls):
    Call.objects.filter(pk=calls[2].pk).update(outcome_code="4", outcome_source="cdr")
    client.force_login(supervisor)
    rows = {r["call_id"]: r for r in read(client.get(url(tenant)))}
    assert rows[str(calls[2].code)]["outcome"] == "The customer manager did not answer their phone"
    for row in rows.values():
        for column in ("reason", "who_can_fix", "next_step", "outcome"):
            assert not re.search(r"\b(you|your)\b", row[column], re.IGNORECASE), row


def test_times_are_in_the_tenant_time_zone(client, supervisor, tenant, calls):
    client.force_login(supervisor)
    rows = read(client.get(url(tenant)))
    assert all(r["time"].endswith("+08:00") for r in rows)  # Asia/Shanghai


def test_formulas_are_neutralised(client, supervisor, tenant, calls):
    client.force_login(supervisor)
    rows = read(client.get(url(tenant, "manager=")))
    assert any(r["called"] == "'=cmd|' /C calc'!A0" for r in rows)


def test_managers_export_only_their_own_calls(client, manager, tenant, calls):
    client.force_login(manager)
    rows = read(client.get(url(tenant)))
    assert {r["manager_login"] for r in rows} == {"bob"} and len(rows) == 2


def test_outsider_gets_404(client, outsider, tenant, calls):
    client.force_login(outsider)
    assert client.get(url(tenant)).status_code == 404


def test_the_history_page_links_to_the_export_of_the_same_filter(client, supervisor, tenant):
    client.force_login(supervisor)
    body = client.get(f"/t/{tenant.code}/calls/?status=failed&number=138").content.decode()
    assert url(tenant, "status=failed&amp;number=138") in body


def test_100k_rows_stream_in_bounded_memory(client, supervisor, manager, tenant):
    n = 100_000
    now = timezone.now()
    kinds = [
        dict(status="placed", serial="1", outcome_code="0", outcome_source="cdr", talk_seconds=30),
        dict(status="failed", reason_source="createCall", reason_code="8"),
        dict(status="unknown", reason_source="transport", reason_code="timeout"),
    ]
    backdated_bulk_create(
        [
            Call(
                tenant=tenant,
                user=manager,
                softphone="10001",
                called=f"138{i:08d}",
                idempotency_key=f"m{i}",
                created_at=now,
                **kinds[i % 3],
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    client.force_login(supervisor)
    started = time.monotonic()
    tracemalloc.start()
    try:
        r = client.get(url(tenant))
        lines = size = 0
        for chunk in r.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == n + 1  # the header and every call
    print(
        f"\nexport of {n} rows: {size / 1e6:.1f} MB CSV, peak traced memory {peak / 1e6:.1f} MB, "
        f"{time.monotonic() - started:.1f} s"
    )
    assert peak < 30_000_000  # the CSV is ~25 MB: a buffered export would exceed this


# ---- the serial in the CSV, and the XLSX export ------------------------------------------------


def xlsx_url(tenant, query=""):
    return f"/t/{tenant.code}/calls/export.xlsx" + (f"?{query}" if query else "")


def test_the_csv_keeps_a_19_digit_serial_as_text_for_spreadsheets(
    client, supervisor, manager, tenant
):
    Call.objects.create(
        tenant=tenant, user=manager, softphone="10001", called="13800000009",
        idempotency_key="s19", status="placed", serial="1037058396471308289",
    )  # fmt: skip
    client.force_login(supervisor)
    (row,) = read(client.get(url(tenant, "serial=1037058396471308289")))
    assert row["serial"] == '="1037058396471308289"'  # a text formula: all 19 digits shown


def load_xlsx(response):
    import openpyxl

    data = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_xlsx_has_the_same_rows_with_typed_cells(client, supervisor, manager, tenant, calls):
    from datetime import datetime

    calls[1].talk_seconds, calls[1].agent_talk_seconds, calls[1].http_status = 75, 3725, 200
    calls[1].serial = "1037058396471308289"
    calls[1].save()
    client.force_login(supervisor)
    r = client.get(xlsx_url(tenant))
    assert r.status_code == 200 and r.streaming
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r["Content-Disposition"].startswith('attachment; filename="calls-')
    assert r["Content-Disposition"].endswith('.xlsx"')
    ws = load_xlsx(r)
    rows = list(ws.iter_rows())
    assert [c.value for c in rows[0]] == COLUMNS and len(rows) == 4
    assert rows[0][0].font.b  # the header is bold
    col = {name: i for i, name in enumerate(COLUMNS)}
    by_id = {row[col["call_id"]].value: row for row in rows[1:]}
    placed = by_id[str(calls[1].code)]
    serial = placed[col["serial"]]
    assert serial.value == "1037058396471308289" and serial.data_type == "s"
    assert placed[col["called"]].value == "13800000002" and placed[col["called"]].data_type == "s"
    when = placed[col["time"]]
    assert when.is_date and isinstance(when.value, datetime)
    local = calls[1].created_at.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs((when.value - local).total_seconds()) < 1
    talk = placed[col["talk_seconds"]]
    assert talk.number_format == "[h]:mm:ss" and talk.value == timedelta(seconds=75)
    assert placed[col["agent_talk_seconds"]].value == timedelta(seconds=3725)
    assert placed[col["http_status"]].value == 200
    failed = by_id[str(calls[0].code)]
    assert failed[col["reason_code"]].value == "createCall:8"
    assert failed[col["talk_seconds"]].value is None


def test_xlsx_follows_the_filter_and_the_role(client, manager, tenant, calls):
    client.force_login(manager)
    rows = list(
        load_xlsx(client.get(xlsx_url(tenant, "status=failed"))).iter_rows(values_only=True)
    )
    assert len(rows) == 2 and rows[1][COLUMNS.index("manager_login")] == "bob"


def test_xlsx_text_is_never_a_formula_and_control_characters_are_dropped(
    client, supervisor, manager, tenant, calls
):
    Call.objects.filter(pk=calls[0].pk).update(
        ret_msg="bad\x01\x07 text "
    )  # (PostgreSQL stores no NUL)
    client.force_login(supervisor)
    rows = list(load_xlsx(client.get(xlsx_url(tenant))).iter_rows())
    col = {name: i for i, name in enumerate(COLUMNS)}
    cells = [row[col["called"]] for row in rows[1:]]
    formula = next(c for c in cells if "calc" in str(c.value))
    assert formula.data_type == "s" and formula.value == "=cmd|' /C calc'!A0"
    assert any(row[col["aicc_message"]].value == "bad text " for row in rows[1:])


def test_xlsx_outsider_gets_404(client, outsider, tenant, calls):
    client.force_login(outsider)
    assert client.get(xlsx_url(tenant)).status_code == 404


def test_the_history_page_links_to_the_xlsx_of_the_same_filter(client, supervisor, tenant):
    client.force_login(supervisor)
    body = client.get(f"/t/{tenant.code}/calls/?status=failed").content.decode()
    assert xlsx_url(tenant, "status=failed") in body


def test_xlsx_streams_in_bounded_memory(client, supervisor, manager, tenant):
    """20,000 rows (the CSV test above shows 100,000 read from the database in flat memory): the
    workbook leaves in many chunks as it is written, not in one piece when it is complete."""
    n = 20_000
    now = timezone.now()
    backdated_bulk_create(
        [
            Call(
                tenant=tenant,
                user=manager,
                softphone="10001",
                called=f"138{i:08d}",
                idempotency_key=f"x{i}",
                created_at=now,
                status="placed",
                serial=f"10370583964{i:08d}",
                outcome_code="0",
                outcome_source="cdr",
                talk_seconds=30,
            )  # fmt: skip
            for i in range(n)
        ],
        batch_size=5000,
    )
    client.force_login(supervisor)
    started = time.monotonic()
    tracemalloc.start()
    try:
        r = client.get(xlsx_url(tenant))
        chunks = size = 0
        first_after = None
        for chunk in r.streaming_content:
            if first_after is None:
                first_after = time.monotonic() - started
            chunks += 1
            size += len(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    total = time.monotonic() - started
    print(
        f"\nxlsx export of {n} rows: {size / 1e6:.1f} MB in {chunks} chunks, first chunk after "
        f"{first_after:.2f} s, all after {total:.1f} s, peak traced memory {peak / 1e6:.1f} MB"
    )
    assert chunks > 10  # streamed as it is written, not in one piece at the end
    assert peak < 15_000_000


def test_past_a_sheets_rows_the_calls_go_on_in_another_sheet(
    client, supervisor, tenant, calls, monkeypatch
):
    """Excel's sheets hold 1,048,576 rows: a longer export goes on over several sheets, each with
    the header, every call once and in order (the limit made 3 rows here: a header and two)."""
    import openpyxl

    from calls import xlsx

    Call.objects.create(
        tenant=tenant, user=supervisor, softphone="10002", called="13800000009", status="placed",
        idempotency_key="d",
    )  # fmt: skip
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    client.force_login(supervisor)
    data = b"".join(client.get(xlsx_url(tenant)).streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Calls", "Calls (2)"]
    sheets = [list(ws.iter_rows(values_only=True)) for ws in book.worksheets]
    assert [len(rows) for rows in sheets] == [3, 3]
    assert all(list(rows[0]) == COLUMNS for rows in sheets)
    ids = [row[COLUMNS.index("call_id")] for rows in sheets for row in rows[1:]]
    newest_first = Call.objects.filter(tenant=tenant).order_by("-created_at", "-id")
    assert ids == [str(code) for code in newest_first.values_list("code", flat=True)]


@pytest.mark.parametrize(("rows", "sheets"), [(0, [1]), (2, [3]), (4, [3, 3]), (5, [3, 3, 2])])
def test_the_writer_splits_rows_into_sheets_of_max_rows(rows, sheets, monkeypatch):
    import re
    import zipfile

    import openpyxl

    from calls import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    name = "Calls of the whole team this year"  # 33 characters: a sheet's name has 31 at most
    data = b"".join(xlsx.workbook(name, ["n"], ([i] for i in range(rows))))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert [ws.max_row for ws in book.worksheets] == sheets
    names = ["Calls of the whole team this ye"]  # cut at 31; then no space before " (2)"
    names += [f"Calls of the whole team ({n})" for n in range(2, len(sheets) + 1)]
    assert book.sheetnames == names and all(len(n) <= 31 for n in names)
    values = [v for ws in book.worksheets for (v,) in ws.iter_rows(min_row=2, values_only=True)]
    assert values == list(range(rows))
    # What openpyxl does not check: each sheet's part declared, ids unique.
    parts = zipfile.ZipFile(io.BytesIO(data))
    types = parts.read("[Content_Types].xml").decode()
    for n in range(1, len(sheets) + 1):
        assert f'PartName="/xl/worksheets/sheet{n}.xml"' in types
    listed = parts.read("xl/workbook.xml").decode()
    assert re.findall(r'sheetId="(\d+)"', listed) == [str(n) for n in range(1, len(sheets) + 1)]
    rels = re.findall(r'Id="(rId\d+)"', parts.read("xl/_rels/workbook.xml.rels").decode())
    assert len(rels) == len(set(rels)) == len(sheets) + 1  # the sheets and the styles
