"""The exports written for speed (calls/export.py, calls/export_query.py) say exactly what the plain
way says: each call read as a model instance, its time converted with zoneinfo, its reason
decoded, its cells written by csv.writer (the CSV, byte for byte) or read back by openpyxl (the
XLSX, cell by cell). Random calls (Hypothesis): text with commas, quotes, line breaks, formula
characters and any Unicode; times at every microsecond, in zones with daylight saving time and
half-hour offsets, on both sides of their changes; every wrap-up state."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls.aicc.reasons import Reader, decode
from calls.export import COLUMNS, safe_cell, serial_cell
from calls.export_query import offsets
from calls.models import Call, Disposition, WrapUp, WrapUpState, label_in_language
from console.models import Membership

pytestmark = pytest.mark.django_db

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata",
         "Australia/Lord_Howe", "America/St_Johns", "UTC"]  # fmt: skip
# Text a call's fields may hold (PostgreSQL stores no NUL; no lone surrogates in UTF-8).
TEXT = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12
) | st.sampled_from(["", "=1+2", "-5", "+86 138", "@x", "\tx", "\rx", 'a,"b"', "a\nb", " pad "])
DIGITS = st.text("0123456789", min_size=1, max_size=19)


def reference_rows(tenant) -> list[list]:
    """The export's cells the plain way (what calls/export.py did before it was made fast)."""
    tz = ZoneInfo(tenant.time_zone)
    rows = []
    calls = Call.objects.filter(tenant=tenant).order_by("-created_at", "-id")
    for call in calls.select_related("user", "disposition", "wrap_up__author"):
        user = call.user
        login = user.username if user else ""
        name = f"{user.first_name} {user.last_name}".strip() or login if user else ""
        reason = ["", "", "", ""]
        if call.reason_source:
            r = decode(call.reason_source, call.reason_code, Reader.OTHERS)
            reason = [f"{r.source}:{r.code}", str(r.title), str(r.who), str(r.next_step)]
        outcome = ""
        if call.outcome_code:
            source = "outcome_ita" if call.call_type == "ITA" else "outcome"
            outcome = str(decode(source, call.outcome_code, Reader.OTHERS).title)
        answered = ""
        if call.outcome_source in ("push", "cdr"):
            answered = "yes" if call.talking_at else "no"
        wrap = getattr(call, "wrap_up", None)
        note, private, by = "", "", ""
        if wrap is not None:
            note = wrap.note
            private = "yes" if wrap.note and wrap.note_private else ""
            by = "automatic" if wrap.automatic else (wrap.author.username if wrap.author else "")
        d = call.disposition
        rows.append(
            [
                call.created_at.astimezone(tz),
                str(call.code),
                name,
                login,
                call.softphone,
                call.caller,
                call.called,
                call.status,
                call.serial,
                *reason,
                call.ret_msg,
                call.http_status,
                call.outcome_code,
                outcome,
                answered,
                call.talk_seconds,
                call.agent_talk_seconds,
                call.outcome_source,
                call.wrapup_state,
                label_in_language(d.label_en, d.label_zh) if d else "",
                note,
                private,
                by,
                call.override_code,
                call.override_reason,
            ]  # fmt: skip
        )
    return rows


def reference_csv(tenant) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in reference_rows(tenant):
        cells = ["" if c is None else c for c in row]
        cells[0] = row[0].isoformat(timespec="seconds")
        cells = [safe_cell(c) if isinstance(c, str) else c for c in cells]
        cells[COLUMNS.index("serial")] = serial_cell(row[COLUMNS.index("serial")])
        writer.writerow(cells)
    return "\ufeff" + out.getvalue()


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def check_xlsx(tenant, data: bytes) -> None:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    got = list(sheet.iter_rows(values_only=True))
    assert list(got[0]) == COLUMNS
    expected = reference_rows(tenant)
    assert len(got) - 1 == len(expected)
    duration = {COLUMNS.index("talk_seconds"), COLUMNS.index("agent_talk_seconds")}
    for want, have in zip(expected, got[1:], strict=True):
        local = want[0].replace(tzinfo=None, microsecond=0)  # to the second, as the CSV
        assert abs((have[0] - local).total_seconds()) < 0.001, (have[0], local)
        for i, (w, h) in enumerate(zip(want[1:], have[1:], strict=True), start=1):
            if i in duration:
                w = None if w is None else timedelta(seconds=w)
            elif isinstance(w, str):
                w = _NOT_XML.sub("", w) or None
                h = h or None  # text of control characters only: an empty text cell
            assert h == w, (COLUMNS[i], h, w)


def wrapped_calls(tenant, users, n, start=0, texts=None, times=None, states=None):
    """n calls of these users with every wrap-up state, dispositions and notes."""
    label = {"label_en": "Interested, maybe", "label_zh": "有兴趣"}
    disposition, _ = Disposition.objects.get_or_create(tenant=tenant, key="maybe", defaults=label)
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    texts = texts or [f"note {i}, with a comma" for i in range(n)]
    for i in range(n):
        state = (states or [WrapUpState.DONE, WrapUpState.AUTO, "", WrapUpState.PENDING])[
            i % len(states or "1234")
        ]
        text = texts[i % len(texts)]
        note = text if state == WrapUpState.DONE else ""
        call = Call.objects.create(
            tenant=tenant, user=users[i % len(users)], softphone="10001",
            called=f"1380000{start + i:04d}", idempotency_key=f"w{start + i}",
            status="placed", serial=f"{10**18 + start + i}", outcome_code="0",
            outcome_source="cdr", talk_seconds=30, wrapup_state=state, has_note=bool(note),
            disposition=disposition if state in (WrapUpState.DONE, WrapUpState.AUTO) else None,
        )  # fmt: skip
        when = (times or [now - timedelta(minutes=start + i)])[i % len(times or [0])]
        Call.objects.filter(pk=call.pk).update(created_at=when)
        if state in (WrapUpState.DONE, WrapUpState.AUTO):
            WrapUp.objects.create(
                tenant=tenant, call=call, disposition=disposition, note=note,
                note_private=i % 3 == 0, author=None if state == WrapUpState.AUTO else users[0],
                automatic=state == WrapUpState.AUTO, wrapped_at=now, updated_at=now,
            )  # fmt: skip


def export(client, tenant, kind="csv") -> bytes:
    return b"".join(client.get(f"/t/{tenant.code}/calls/export.{kind}").streaming_content)


def near_changes(zone: str) -> list[datetime]:
    """Instants around the zone's UTC offset changes in 2024-2026 (a second before, at, after)."""
    spans = offsets(zone, datetime(2026, 12, 31, tzinfo=UTC))
    out = []
    for since, _offset in spans:
        if since is not None and 2024 <= since.year <= 2026:
            out += [since - timedelta(microseconds=1), since, since + timedelta(seconds=1)]
    return out


@pytest.mark.parametrize("zone", ZONES)
def test_times_around_every_offset_change_read_as_zoneinfo_says(client, supervisor, tenant, zone):
    tenant.time_zone = zone
    tenant.save()
    instants = near_changes(zone) or [datetime(2026, 3, 1, tzinfo=UTC)]
    instants += [datetime(2026, 6, 1, 23, 59, 59, 999999, tzinfo=UTC)]  # never rounded up
    instants += [datetime(1999, 7, 1, 12, tzinfo=UTC)]  # a summer before 2000
    wrapped_calls(tenant, [supervisor], len(instants), times=instants)
    client.force_login(supervisor)
    assert export(client, tenant).decode() == reference_csv(tenant)
    check_xlsx(tenant, export(client, tenant, "xlsx"))


def test_offsets_list_each_change_once_newest_first():
    spans = offsets("Europe/Berlin", datetime(2026, 12, 31, tzinfo=UTC))
    assert spans[0][0] > spans[1][0] and spans[-1][0] is None
    in_2026 = [(s, o) for s, o in spans[:-1] if s.year == 2026]
    assert in_2026 == [
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 3600),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 7200),
    ]
    shanghai = offsets("Asia/Shanghai", datetime(2026, 12, 31, tzinfo=UTC))
    assert shanghai[0] == (datetime(1991, 9, 14, 17, 0, tzinfo=UTC), 28800)  # its last DST
    assert shanghai[-1] == (None, 28800)


call_fields = st.fixed_dictionaries(
    {
        "softphone": DIGITS | TEXT,
        "caller": st.just("") | DIGITS | TEXT,
        "called": DIGITS | TEXT,
        "status": st.sampled_from(["placed", "failed", "unknown", "placing"]),
        "serial": st.just("") | DIGITS | TEXT,
        "reason": st.sampled_from(
            [
                ("", ""),
                ("createCall", "8"),
                ("http", "500"),
                ("transport", "timeout"),
                ("createCall", "no-such-code"),
            ]  # fmt: skip
        ),
        "ret_msg": TEXT,
        "http_status": st.none() | st.sampled_from([200, 500]),
        "call_type": st.sampled_from(["", "ITA"]),
        "outcome_code": st.just("") | st.sampled_from(["0", "4", "-1", "16"]) | TEXT,
        "outcome_source": st.sampled_from(["", "push", "cdr", "sync"]),
        "talked": st.booleans(),
        "talk_seconds": st.none() | st.integers(0, 10**6),
        "agent_talk_seconds": st.none() | st.integers(0, 10**6),
        "state": st.sampled_from(list(WrapUpState.values)),
        "note": TEXT,
        "private": st.booleans(),
        "override_code": st.just("") | TEXT,
        "override_reason": TEXT,
        "user": st.sampled_from(["bob", "sam", "gone", None]),
        "when": st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 31)),
    }
)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    calls=st.lists(call_fields, min_size=1, max_size=6),
    names=st.tuples(TEXT, TEXT),
    labels=st.tuples(TEXT, TEXT),
)
def test_random_calls_export_as_the_plain_way_writes_them(
    client, supervisor, manager, tenant, zone, calls, names, labels
):
    Call.objects.filter(tenant=tenant).delete()
    tenant.time_zone = zone
    tenant.save()
    manager.first_name, manager.last_name = names
    manager.save()
    gone, _ = User.objects.get_or_create(username="gone")  # no longer a member: still named
    Membership.objects.filter(user=gone).delete()
    users = {"bob": manager, "sam": supervisor, "gone": gone, None: None}
    label_en, label_zh = labels
    disposition, _ = Disposition.objects.update_or_create(
        tenant=tenant, key="random", defaults={"label_en": label_en, "label_zh": label_zh}
    )
    for i, f in enumerate(calls):
        state = f["state"]
        wrapped = state in (WrapUpState.DONE, WrapUpState.AUTO)
        note = f["note"] if state == WrapUpState.DONE else ""
        when = f["when"].replace(tzinfo=UTC)
        call = Call.objects.create(
            tenant=tenant, user=users[f["user"]], softphone=f["softphone"], caller=f["caller"],
            called=f["called"], idempotency_key=f"h{i}", status=f["status"], serial=f["serial"],
            reason_source=f["reason"][0], reason_code=f["reason"][1], ret_msg=f["ret_msg"],
            http_status=f["http_status"], call_type=f["call_type"],
            outcome_code=f["outcome_code"], outcome_source=f["outcome_source"],
            talking_at=when if f["talked"] else None, talk_seconds=f["talk_seconds"],
            agent_talk_seconds=f["agent_talk_seconds"], wrapup_state=state, has_note=bool(note),
            disposition=disposition if wrapped else None, override_code=f["override_code"],
            override_reason=f["override_reason"],
        )  # fmt: skip
        Call.objects.filter(pk=call.pk).update(created_at=when)
        if wrapped:
            WrapUp.objects.create(
                tenant=tenant, call=call, disposition=disposition, note=note,
                note_private=f["private"], automatic=state == WrapUpState.AUTO,
                author=None if state == WrapUpState.AUTO else users[f["user"]],
                wrapped_at=when, updated_at=when,
            )  # fmt: skip
    client.force_login(supervisor)
    assert export(client, tenant).decode() == reference_csv(tenant)
    check_xlsx(tenant, export(client, tenant, "xlsx"))
