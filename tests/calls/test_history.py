"""The call history list: scoping by role, filters, keyset pagination, query count."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.html import escape

from calls.management.commands.seed_history import backdated_bulk_create
from calls.models import Call
from calls.paging import LIST_COLUMNS, history_page
from console.models import Membership
from customers.numbers import to_e164

pytestmark = pytest.mark.django_db


def url(tenant, query=""):
    return f"/t/{tenant.code}/calls/" + (f"?{query}" if query else "")


def mk(tenant, user, n=1, *, at=None, step=timedelta(minutes=1), **fields):
    """n calls of `user`, newest at `at` (default now), each `step` older than the previous."""
    at = at or timezone.now()
    fields.setdefault("status", "placed")
    calls = [
        Call(
            tenant=tenant,
            user=user,
            softphone="10001",
            called=fields.get("called", f"1380000{i:04d}"),
            # As call_place sets it: the customer's number in E.164 (issue 18).
            customer_number=to_e164(fields.get("called", f"1380000{i:04d}")),
            idempotency_key=f"k-{user.pk if user else 0}-{at.timestamp()}-{i}",
            created_at=at - i * step,
            **{k: v for k, v in fields.items() if k != "called"},
        )
        for i in range(n)
    ]
    backdated_bulk_create(calls)
    return calls


def serials_or_codes(body):
    return re.findall(r"/calls/([0-9a-f-]{36})/", body)


def test_it_works(client, supervisor, manager, tenant):
    mk(tenant, manager, 3)
    client.force_login(supervisor)
    r = client.get(url(tenant))
    assert r.status_code == 200
    body = r.content.decode()
    assert "<html" in body and len(serials_or_codes(body)) == 3
    assert "Bob" in body  # the manager column


def test_manager_sees_only_their_own_calls(client, manager, supervisor, tenant):
    mine = mk(tenant, manager, 2)
    theirs = mk(tenant, supervisor, 2, at=timezone.now() - timedelta(hours=1))
    client.force_login(manager)
    body = client.get(url(tenant)).content.decode()
    codes = set(serials_or_codes(body))
    assert {str(c.code) for c in Call.objects.filter(user=manager)} == codes
    assert len(mine) == 2 and not codes & {
        str(c.code) for c in Call.objects.filter(user=supervisor)
    }
    assert len(theirs) == 2


def test_manager_cannot_widen_the_scope_with_the_manager_filter(
    client, manager, supervisor, tenant
):
    mk(tenant, supervisor, 2)
    client.force_login(manager)
    body = client.get(url(tenant, f"manager={supervisor.pk}")).content.decode()
    assert serials_or_codes(body) == []


def test_admin_sees_the_whole_tenant(client, admin, manager, supervisor, tenant):
    mk(tenant, manager, 2)
    mk(tenant, supervisor, 1, at=timezone.now() - timedelta(hours=1))
    client.force_login(admin)
    assert len(serials_or_codes(client.get(url(tenant)).content.decode())) == 3


def test_outsider_gets_404(client, outsider, tenant):
    client.force_login(outsider)
    assert client.get(url(tenant)).status_code == 404


def test_other_tenants_calls_never_show(client, supervisor, tenant, other_tenant, outsider):
    mk(other_tenant, outsider, 2)
    client.force_login(supervisor)
    assert serials_or_codes(client.get(url(tenant)).content.decode()) == []


def test_htmx_fragment_skips_the_header_queries(
    client, supervisor, manager, tenant, django_assert_num_queries
):
    mk(tenant, manager, 30)
    client.force_login(supervisor)
    client.get(url(tenant))  # warm-up
    # session+user+membership+tenant (one query), the managers for the filter, the dispositions
    # (the filter and the rows' labels), the page of calls (+ users), the page's customers' names
    # (one query for its numbers: issue 18)
    with django_assert_num_queries(5):
        client.get(url(tenant, "size=30"), headers={"HX-Request": "true"})


def test_htmx_returns_fragment(client, supervisor, manager, tenant):
    mk(tenant, manager, 1)
    client.force_login(supervisor)
    r = client.get(url(tenant, "status=placed"), headers={"HX-Request": "true"})
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body and 'id="history-table"' in body


def test_it_shows_times_in_the_tenant_time_zone(client, supervisor, manager, tenant):
    tenant.time_zone = "Asia/Shanghai"
    tenant.save()
    mk(tenant, manager, 1, at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    client.force_login(supervisor)
    body = client.get(url(tenant)).content.decode()
    assert "2026-03-02 07:30" in body


def test_it_shows_the_decoded_reason_and_the_outcome(client, supervisor, manager, tenant):
    mk(tenant, manager, 1, status="failed", reason_source="createCall", reason_code="8")
    mk(
        tenant,
        manager,
        1,
        at=timezone.now() - timedelta(hours=1),
        serial="1234567890123",
        outcome_code="0",
        outcome_source="cdr",
        state=3,
        talking_at=timezone.now(),
        talk_seconds=42,
    )
    from calls.aicc.reasons import decode

    client.force_login(supervisor)
    body = client.get(url(tenant)).content.decode()
    title = decode("createCall", "8", reader="others").title
    assert escape(str(title)) in body
    assert "1234567890123" in body and "Answered, 0:42" in body
    # One status per call, in its colour: no green "Placed" beside a failed outcome.
    assert f'<span class="badge bad">Failed: {escape(str(title))}</span>' in body
    assert '<span class="badge ok">Answered, 0:42</span>' in body


def test_call_again_is_offered_to_the_manager_who_called(client, manager, tenant):
    mk(tenant, manager, 1, called="13812345678", state=3)
    client.force_login(manager)
    body = client.get(url(tenant)).content.decode()
    assert f"/t/{tenant.code}/call/?called=13812345678&amp;again=1" in body


def test_call_again_waits_for_the_call_to_end(client, manager, tenant):
    mk(tenant, manager, 1, called="13812345678")  # placed a moment ago: still live
    client.force_login(manager)
    body = client.get(url(tenant)).content.decode()
    assert "/call/?called=13812345678" not in body and "In progress" in body


def test_call_again_is_not_offered_to_supervisors(client, supervisor, manager, tenant):
    mk(tenant, manager, 1, called="13812345678")
    client.force_login(supervisor)
    assert "/call/?called=" not in client.get(url(tenant)).content.decode()


# --- filters ------------------------------------------------------------------------------------


@pytest.fixture
def mix(tenant, manager, supervisor):
    """One call of each kind, each a distinct minute apart, returned by name."""
    now = timezone.now()
    kinds = {
        "placed": dict(status="placed", serial="5550001", called="13811112222"),
        "failed_admin": dict(status="failed", reason_source="createCall", reason_code="8"),
        "failed_caller": dict(status="failed", reason_source="createCall", reason_code="5"),
        "unknown": dict(status="unknown", reason_source="transport", reason_code="timeout"),
        "old": dict(status="placed", called="13999990000"),
        "sup": dict(status="placed", called="15000000000"),
    }
    out = {}
    for i, (name, fields) in enumerate(kinds.items()):
        user = supervisor if name == "sup" else manager
        at = now - timedelta(minutes=i) - (timedelta(days=10) if name == "old" else timedelta())
        fields.setdefault("called", f"1370000000{i}")
        out[name] = mk(tenant, user, 1, at=at, **fields)[0]
    return out


def found(client, tenant, query):
    body = client.get(url(tenant, query)).content.decode()
    codes = set(serials_or_codes(body))
    return codes


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=failed", {"failed_admin", "failed_caller"}),
        ("status=unknown", {"unknown"}),
        ("reason=createCall:8", {"failed_admin"}),
        ("reason=fixer:admin", {"failed_admin"}),
        ("reason=fixer:caller", {"failed_caller"}),
        ("reason=transport:timeout", {"unknown"}),
        ("serial=5550001", {"placed"}),
        ("number=1381111", {"placed"}),
        ("number=138+1111", {"placed"}),  # normalised like everywhere else
        ("number=11112222&match=contains", {"placed"}),
        ("number=1111&match=prefix", set()),
        ("number=139&match=prefix", {"old"}),
    ],
)
def test_each_filter_narrows_the_list(client, supervisor, tenant, mix, query, expected):
    client.force_login(supervisor)
    assert found(client, tenant, query) == {str(mix[k].code) for k in expected}


def test_the_manager_filter(client, supervisor, manager, tenant):
    from django.contrib.auth.models import User

    dan = User.objects.create_user("dan")
    Membership.objects.create(tenant=tenant, user=dan, role=Membership.Role.MANAGER)
    mine = mk(tenant, manager, 2)
    dans = mk(tenant, dan, 1, at=timezone.now() - timedelta(hours=1))
    client.force_login(supervisor)
    assert found(client, tenant, f"manager={dan.pk}") == {str(dans[0].code)}
    assert found(client, tenant, f"manager={manager.pk}") == {str(c.code) for c in mine}


def test_the_date_filter_uses_the_tenant_days(client, supervisor, tenant, mix):
    client.force_login(supervisor)
    day = timezone.localdate(mix["old"].created_at, timezone=ZoneInfo(tenant.time_zone))
    assert found(client, tenant, f"date_from={day}&date_to={day}") == {str(mix["old"].code)}
    recent = found(client, tenant, f"date_from={day + timedelta(days=1)}")
    assert str(mix["old"].code) not in recent and len(recent) == 5


def test_an_invalid_filter_is_shown_and_ignored(client, supervisor, tenant, mix):
    client.force_login(supervisor)
    r = client.get(url(tenant, "date_from=not-a-date&status=failed"))
    body = r.content.decode()
    assert r.status_code == 200 and 'aria-invalid="true"' in body and 'role="alert"' in body
    assert set(serials_or_codes(body)) == {
        str(mix["failed_admin"].code),
        str(mix["failed_caller"].code),
    }


def test_an_invalid_filter_is_named_in_the_htmx_fragment(client, supervisor, tenant, mix):
    client.force_login(supervisor)
    r = client.get(url(tenant, "date_from=not-a-date"), headers={"HX-Request": "true"})
    body = r.content.decode()
    assert "<html" not in body and "were ignored" in body
    assert "From: Enter a valid date." in body


def test_number_prefix_is_exact_at_the_last_digit(client, supervisor, manager, tenant):
    mk(tenant, manager, 1, called="1389")
    mk(tenant, manager, 1, called="139", at=timezone.now() - timedelta(minutes=5))
    client.force_login(supervisor)
    assert len(found(client, tenant, "number=138")) == 1
    assert len(found(client, tenant, "number=1389")) == 1
    assert len(found(client, tenant, "number=13")) == 2


# --- pagination ---------------------------------------------------------------------------------


def walk(client, tenant, query, size, between=None):
    """Follow the "Older calls" links to the end; returns the codes in page order."""
    seen, after, n = [], "", 0
    while True:
        q = f"{query}&size={size}" + (f"&after={after}" if after else "")
        body = client.get(url(tenant, q)).content.decode()
        seen += serials_or_codes(body)
        m = re.search(r'rel="next" href="[^"]*after=([A-Za-z0-9_-]+)"', body)
        if not m:
            return seen
        after = m.group(1)
        n += 1
        if between:
            between(n)


def test_pages_cover_every_call_once_while_new_calls_arrive(client, supervisor, manager, tenant):
    # 25 calls, some sharing the same created_at (the id breaks ties).
    start = timezone.now() - timedelta(hours=1)
    original = mk(tenant, manager, 15, at=start) + mk(
        tenant, manager, 10, at=start - timedelta(minutes=3), step=timedelta(0)
    )
    client.force_login(supervisor)

    def new_call_arrives(n):
        mk(tenant, manager, 1, at=timezone.now() + timedelta(seconds=n))

    seen = walk(client, tenant, "status=placed", 4, between=new_call_arrives)
    assert len(seen) == len(set(seen)) == 25
    assert set(seen) == {str(c.code) for c in original}


def test_pages_are_newest_first(client, supervisor, manager, tenant):
    calls = mk(tenant, manager, 7)
    client.force_login(supervisor)
    assert walk(client, tenant, "", 3) == [str(c.code) for c in calls]


def pages_back(client, tenant, query, size):
    """Walk to the oldest page by "Older calls", then back by "Newer calls"; returns the pages
    (lists of codes) seen going forward and going back."""
    forward, back, link = [], [], f"{query}&size={size}"
    while True:
        body = client.get(url(tenant, link)).content.decode()
        forward.append(serials_or_codes(body))
        m = re.search(r'rel="next" href="\?([^"]+)"', body)
        if not m:
            break
        link = m.group(1).replace("&amp;", "&")
    while True:
        m = re.search(r'rel="prev" href="\?([^"]+)"', body)
        if not m:
            return forward, back
        body = client.get(url(tenant, m.group(1).replace("&amp;", "&"))).content.decode()
        back.append(serials_or_codes(body))


def test_newer_calls_pages_back_to_the_first_page(client, supervisor, manager, tenant):
    # 11 calls, 4 of them sharing one created_at (the id breaks ties), pages of 3.
    start = timezone.now() - timedelta(hours=1)
    mk(tenant, manager, 7, at=start)
    mk(tenant, manager, 4, at=start - timedelta(minutes=30), step=timedelta(0))
    client.force_login(supervisor)
    forward, back = pages_back(client, tenant, "status=placed", 3)
    assert [len(p) for p in forward] == [3, 3, 3, 2]
    # Back from the last page: the pages just before it, then the first page (no "Newer" link).
    assert back == forward[-2::-1]
    body = client.get(url(tenant, "status=placed&size=3")).content.decode()
    assert 'rel="prev"' not in body


def test_newer_calls_near_the_top_show_the_first_page(client, supervisor, manager, tenant):
    calls = mk(tenant, manager, 5)
    client.force_login(supervisor)
    from calls.paging import encode_cursor

    # Only calls[0] is newer than calls[1]: less than a page, so the first page is shown.
    body = client.get(url(tenant, f"size=3&before={encode_cursor(calls[1])}")).content.decode()
    assert serials_or_codes(body) == [str(c.code) for c in calls[:3]]
    assert 'rel="prev"' not in body and "Newest" not in body


def test_a_garbled_newer_cursor_shows_the_first_page(client, supervisor, manager, tenant):
    mk(tenant, manager, 2)
    client.force_login(supervisor)
    r = client.get(url(tenant, "before=%%%garbage"))
    assert r.status_code == 200 and len(serials_or_codes(r.content.decode())) == 2


def test_query_count_of_a_newer_page(
    client, supervisor, manager, tenant, django_assert_num_queries
):
    from calls.paging import encode_cursor

    calls = mk(tenant, manager, 20)
    client.force_login(supervisor)
    client.get(url(tenant))  # warm-up
    # as any page: session+user+membership+tenant (one query), managers, dispositions, the page,
    # the tenant switcher, and the outcomes' freshness (last sync, calls waiting: one query); the
    # page's customers' names (one query for its numbers, issue 18)
    with django_assert_num_queries(7):
        r = client.get(url(tenant, f"size=5&before={encode_cursor(calls[12])}"))
    assert serials_or_codes(r.content.decode()) == [str(c.code) for c in calls[7:12]]


def test_a_garbled_cursor_shows_the_first_page(client, supervisor, manager, tenant):
    mk(tenant, manager, 2)
    client.force_login(supervisor)
    r = client.get(url(tenant, "after=%%%garbage"))
    assert r.status_code == 200 and len(serials_or_codes(r.content.decode())) == 2


@pytest.mark.parametrize("size", [5, 50])
def test_query_count_does_not_grow_with_the_page_size(
    client, supervisor, manager, tenant, size, django_assert_num_queries
):
    mk(tenant, manager, 60)
    client.force_login(supervisor)
    client.get(url(tenant))  # warm-up: the first visit stores the current tenant in the session
    # session+user+membership+tenant (one query), the managers for the filter, the dispositions,
    # the page of calls (+ users), the user's memberships for the tenant switcher in the header,
    # the outcomes' freshness (last sync, calls waiting: one query), the page's customers' names
    # (one query for its numbers, however many rows: issue 18)
    with django_assert_num_queries(7):
        r = client.get(url(tenant, f"size={size}&status=placed"))
    assert len(serials_or_codes(r.content.decode())) == size


def test_query_count_for_a_manager(client, manager, tenant, django_assert_num_queries):
    mk(tenant, manager, 20)
    client.force_login(manager)
    client.get(url(tenant))  # warm-up
    # session+user+membership+tenant (one query), the dispositions, the page of calls, the
    # manager's live call (the in-call bar), the tenant switcher's memberships, the outcomes'
    # freshness (one query), the page's customers' names (one query for its numbers: issue 18),
    # the manager's due follow-ups (the navigation's count)
    with django_assert_num_queries(8):
        client.get(url(tenant, "size=20"))


def test_admin_sees_the_sync_error_banner(client, admin, tenant):
    from calls.models import OutcomeSync

    OutcomeSync.objects.create(tenant=tenant, last_error="queryCallDetailRecord 2: bad time")
    client.force_login(admin)
    body = client.get(url(tenant)).content.decode()
    assert "bad time" in body and f"/t/{tenant.code}/calls/callbacks/" in body


def test_supervisor_sees_no_sync_banner_or_callbacks_link(client, supervisor, tenant):
    from calls.models import OutcomeSync

    OutcomeSync.objects.create(tenant=tenant, last_error="queryCallDetailRecord 2: bad time")
    client.force_login(supervisor)
    body = client.get(url(tenant)).content.decode()
    assert "bad time" not in body and "/calls/callbacks/" not in body


# --- the filter form's widgets (rendered in Python for speed) ------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"reason": "createCall:8", "status": "failed", "match": "contains", "number": "138"},
        {"date_from": "2026-03-01", "date_to": "2026-02-01", "serial": '<b>"x"</b>'},
        {"reason": "nonsense", "manager": "999"},
    ],
)
def test_the_filter_widgets_write_what_djangos_templates_write(data, manager):
    import copy

    from calls.history_filter import HistoryFilter

    def tags(html):  # whitespace between tags means nothing here
        return re.sub(r">\s+<", "><", str(html))

    form = HistoryFilter(data or None, managers=[(manager.pk, manager.username)])
    form.is_valid()
    for bf in form:
        ours = bf.field.widget
        # The same widget as Django's own class, which renders through its templates.
        base = next(c for c in type(ours).__mro__ if c.__module__ == "django.forms.widgets")
        theirs = base.__new__(base)
        theirs.__dict__.update(copy.deepcopy(ours.__dict__))
        assert tags(bf) == tags(bf.as_widget(widget=theirs)), bf.name


@pytest.mark.parametrize("prefix, expected", [("13", 5001), ("99", 3), ("9901", 1)])
def test_short_prefixes_find_exactly_the_matching_calls_newest_first(
    manager, tenant, prefix, expected
):
    """A short prefix matching thousands of calls and one matching a few take different plans on
    SQLite (selectors.number_q); both must return exactly the matching calls, newest first."""
    from calls import selectors

    mk(tenant, manager, 5001)  # 1380000xxxx: dense for "13"
    mk(tenant, manager, 1, called="99010000000", at=timezone.now() - timedelta(days=1))
    mk(tenant, manager, 2, called="99770000000", at=timezone.now() - timedelta(days=2))
    m = Membership.objects.select_related("tenant").get(user=manager, tenant=tenant)
    qs = selectors.calls_for(m, {"number": prefix, "match": "prefix"}).order_by(
        "-created_at", "-id"
    )
    found = list(qs.values_list("called", "created_at"))
    assert len(found) == expected
    assert all(c.startswith(prefix) for c, _ in found)
    assert [t for _, t in found] == sorted((t for _, t in found), reverse=True)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_dates_outside_the_calendar_are_a_form_error(client, supervisor, tenant, day):
    """Not a server error (security finding 5): the list says what to choose, the export and
    the dashboard ignore the filter."""
    client.force_login(supervisor)
    r = client.get(url(tenant, f"date_from={day}&date_to={day}"))
    assert r.status_code == 200 and "Choose a date between 2000-01-01 and 2099-12-31" in (
        r.content.decode()
    )
    export = client.get(f"/t/{tenant.code}/calls/export.csv?date_from={day}&date_to={day}")
    assert export.status_code == 200
    b"".join(export.streaming_content)


def test_a_page_holds_the_calls_as_the_orm_loads_them(
    supervisor, manager, tenant, django_assert_num_queries
):
    """The page's calls are built without Model.__init__ (calls/paging.py): each has the listed
    columns as the ORM converts them, its manager without a query, and loads any other field
    on access like a deferred one."""
    mk(tenant, manager, 3, status="placed", serial="S1", talk_seconds=42, detail="raw excerpt")
    mk(tenant, None, 1, status="failed")
    page = history_page(tenant.calls.all(), cursor=None, size=10)
    ordered = tenant.calls.order_by("-created_at", "-id")
    expected = list(ordered.select_related("user").only(*LIST_COLUMNS))
    assert [c.pk for c in page.calls] == [c.pk for c in expected]
    fields = [f for f in LIST_COLUMNS if "__" not in f]
    with django_assert_num_queries(0):
        for got, want in zip(page.calls, expected, strict=True):
            assert {f: getattr(got, f) for f in fields} == {f: getattr(want, f) for f in fields}
            assert type(got.created_at) is type(want.created_at) and got.created_at.tzinfo
            assert (got.user and got.user.get_full_name() or got.user and got.user.username) == (
                want.user and want.user.get_full_name() or want.user and want.user.username
            )
    assert page.calls[-1].user is None or page.calls[0].user is None
    mine = next(c for c in page.calls if c.user)
    with django_assert_num_queries(1):
        assert mine.detail == "raw excerpt"  # deferred: loaded on access
    mine.serial = "S2"
    mine.save(update_fields=["serial"])
    assert Call.objects.get(pk=mine.pk).serial == "S2"


@pytest.mark.parametrize(
    "data", [None, {"date_from": "2026-13-01", "status": "nope", "number": "1"}]
)
def test_the_filter_fields_html_is_the_template_loops(manager, data):
    """HistoryFilter.fields_html writes what the plain template loop over the form would."""
    from django.template import Context, Template

    from calls.history_filter import HistoryFilter

    loop = Template(
        '{% for field in form %}<div class="field"><label for="{{ field.id_for_label }}">'
        '{{ field.label }}</label>{{ field }}{% if field.errors %}<div role="alert">'
        '<ul class="errorlist">{% for e in field.errors %}<li>{{ e }}</li>{% endfor %}</ul>'
        "</div>{% endif %}</div>{% endfor %}"
    )
    form = HistoryFilter(data, managers=[(manager.pk, "<b>Zoë</b> & co")])
    form.is_valid()
    html = str(form.fields_html())

    def tags(s):  # whitespace between tags means nothing here
        return re.sub(r">\s+<", "><", s).strip()

    assert tags(html) == tags(loop.render(Context({"form": form})))
    if data:
        assert html.count('role="alert"') == len(form.errors) >= 2
    assert "&lt;b&gt;Zoë&lt;/b&gt; &amp; co" in html
