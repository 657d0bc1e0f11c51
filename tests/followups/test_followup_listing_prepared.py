"""The follow-ups list's prepared queries (calls/followup_selectors.py): each group's rows and
totals are what the plain ORM says, page after page by keyset, for a manager, a supervisor and
one manager chosen by a supervisor; counts past COUNT_CAP show as "999+"."""

import re
from datetime import timedelta

from django.utils import timezone

from calls import followup_selectors as fs
from calls.models import FollowUp
from console.models import Membership
from tests.followups.conftest import make_follow_up


def _orm_group(tenant, name, now, tomorrow, assignee_id=None):
    qs = FollowUp.objects.filter(tenant=tenant, status=FollowUp.Status.OPEN)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    ranges = {
        "overdue": {"due_at__lt": now},
        "today": {"due_at__gte": now, "due_at__lt": tomorrow},
        "upcoming": {"due_at__gte": tomorrow},
    }
    return list(qs.filter(**ranges[name]).order_by("due_at", "id").values_list("pk", flat=True))


def test_groups_and_pages_match_the_orm(tenant, other_tenant, manager, manager2, supervisor):
    now = timezone.now()
    same = now - timedelta(hours=2)
    for i, hours in enumerate([-30, -5, -2, -2, -2, 0.01, 0.02, 30, 50, 50, 70]):
        due = same if hours == -2 else now + timedelta(hours=hours)
        make_follow_up(tenant, manager if i % 3 else manager2, due_at=due)
    make_follow_up(tenant, manager, due_in=timedelta(hours=-1), status="done")
    make_follow_up(other_tenant, manager, due_in=timedelta(hours=-1))
    memberships = {m.user_id: m for m in Membership.objects.filter(tenant=tenant)}
    _start, tomorrow = fs.day_bounds(tenant, now)
    cases = [
        (memberships[manager.pk], None, manager.pk),
        (memberships[supervisor.pk], None, None),
        (memberships[supervisor.pk], manager2.pk, manager2.pk),
    ]
    for membership, chosen, expected_assignee in cases:
        for name in fs.GROUPS:
            want = _orm_group(tenant, name, now, tomorrow, expected_assignee)
            got, cursor = [], None
            for _ in range(10):  # pages of 2, by keyset
                listing = fs.listing(
                    membership, now=now, assignee_id=chosen, cursors={name: cursor}, size=2
                )
                g = next(g for g in listing.groups if g.name == name)
                assert g.total == len(want)
                got += [f.pk for f in g.rows]
                cursor = g.next_cursor
                if cursor is None:
                    break
            assert got == want, (membership.role, chosen, name)


def test_counts_past_the_cap_show_as_999_plus(client, tenant, manager):
    now = timezone.now()
    FollowUp.objects.bulk_create(
        FollowUp(
            tenant=tenant,
            assignee=manager,
            created_by=manager,
            called="13800000000",
            due_at=now - timedelta(minutes=1 + i),
        )
        for i in range(fs.COUNT_CAP + 1)
    )
    make_follow_up(tenant, manager, due_in=timedelta(days=3))
    client.force_login(manager)
    html = client.get(f"/t/{tenant.code}/follow-ups/").content.decode()
    overdue = re.search(r'id="title-overdue">.*?</h2>', html, re.S)[0]
    upcoming = re.search(r'id="title-upcoming">.*?</h2>', html, re.S)[0]
    assert "999+" in overdue and ">1<" in upcoming
    # The navigation's badge, from the list's count and from its own (another page).
    assert "999+ due" in html
    assert "999+ due" in client.get(f"/t/{tenant.code}/calls/").content.decode()
    FollowUp.objects.filter(pk__in=FollowUp.objects.order_by("due_at").values("pk")[:2]).delete()
    html = client.get(f"/t/{tenant.code}/calls/").content.decode()
    assert "999+ due" not in html and "998 due" in html
    overdue = re.search(
        r'id="title-overdue">.*?</h2>',
        page_html := client.get(f"/t/{tenant.code}/follow-ups/").content.decode(),
        re.S,
    )[0]
    assert ">998<" in overdue and "999+" not in page_html


def test_a_forged_cursor_is_no_server_error(client, tenant, manager):
    """Cursors come from the URL: any (time, id) inside them pages on or shows nothing."""
    from calls.paging import encode_key

    make_follow_up(tenant, manager, due_in=timedelta(hours=-1))
    client.force_login(manager)
    now = timezone.now()
    for at, pk in [(now, 10**30), (now, -(10**30)), (now, 2**63), (now - timedelta(days=1), -1)]:
        cursor = encode_key(at, pk)
        r = client.get(f"/t/{tenant.code}/follow-ups/?overdue_after={cursor}")
        assert r.status_code == 200
    for raw in ["", "x", "MTIz", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5LjE"]:
        assert client.get(f"/t/{tenant.code}/follow-ups/?upcoming_after={raw}").status_code == 200
