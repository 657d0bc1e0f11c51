"""Prepared querysets (console/prepared.py) return what the same ORM query returns, on SQLite and
PostgreSQL, and the prepared session and user lookups keep Django's rules."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from calls.models import Call, live_q
from calls.services.placing import _BEFORE_CALL
from console.auth import Backend
from console.models import Membership, Session
from console.prepared import Prepared, insert_row, update_row
from console.sessions import _MEMBERSHIP_WITH_SESSION, SessionStore
from console.tenancy import _MEMBERSHIP


def _fields(obj):
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def test_membership_with_tenant_matches_orm(manager, tenant, other_tenant):
    got = _MEMBERSHIP.first(code=tenant.code, user_id=manager.pk)
    want = Membership.objects.select_related("tenant").get(tenant=tenant, user=manager)
    assert _fields(got) == _fields(want)
    assert _fields(got.tenant) == _fields(want.tenant)
    assert got.tenant.app_secret == tenant.app_secret  # decrypted like the ORM does
    assert not got._state.adding and got._state.db == "default"
    assert _MEMBERSHIP.first(code=other_tenant.code, user_id=manager.pk) is None
    assert _MEMBERSHIP.first(code=uuid4(), user_id=manager.pk) is None


def test_active_mapping_is_the_enabled_one_of_this_tenant(manager_membership, other_tenant):
    mapping = manager_membership.active_mapping
    assert mapping is not None and mapping.enabled and mapping.tenant is manager_membership.tenant
    mapping.enabled = False
    mapping.save()
    other_tenant.softphones.create(user=manager_membership.user, softphone="10009")
    fresh = Membership.objects.select_related("tenant").get(pk=manager_membership.pk)
    assert fresh.active_mapping is None


def test_datetime_and_or_conditions_match_orm(manager_membership, tenant):
    m = manager_membership
    old = Call.objects.create(
        tenant=tenant, user_id=m.user_id, softphone="1", called="131", idempotency_key="a"
    )
    Call.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=1))
    for key, called, status in [("b", "131", "failed"), ("c", "131", "placed"), ("d", "132", "")]:
        Call.objects.create(
            tenant=tenant,
            user_id=m.user_id,
            softphone="1",
            called=called,
            idempotency_key=key,
            status=status or Call.Status.PLACING,
        )
    # A live call of an hour and a half ago, one no longer followed, one ended.
    for key, fields in [
        ("e", {}),
        ("f", {"unfollowed_at": timezone.now()}),
        ("g", {"state": 3}),
    ]:
        c = Call.objects.create(
            tenant=tenant,
            user_id=m.user_id,
            softphone="1",
            called="133",
            idempotency_key=key,
            status=Call.Status.PLACED,
            **fields,
        )
        Call.objects.filter(pk=c.pk).update(created_at=timezone.now() - timedelta(minutes=90))
    since = timezone.now() - timedelta(minutes=5)
    for earliest in (timezone.now() - timedelta(hours=2), since):
        for key, called in [("zz", "131"), ("d", "131"), ("a", "131"), ("zz", "999")]:
            got = _BEFORE_CALL.all(
                tenant_id=tenant.id,
                user_id=m.user_id,
                earliest=earliest,
                since=since,
                key=key,
                called=called,
            )
            want = list(
                Call.objects.filter(tenant=tenant, user_id=m.user_id, created_at__gte=earliest)
                .filter(
                    Q(idempotency_key=key)
                    | live_q()
                    | (Q(called=called, created_at__gte=since) & ~Q(status=Call.Status.FAILED))
                )
                .order_by("-created_at")[:3]
            )
            assert [_fields(c) for c in got] == [_fields(c) for c in want]
            assert all(isinstance(c.created_at, datetime) and c.created_at.tzinfo for c in got)


def test_rewritten_or_wrongly_typed_values_are_refused(tenant):
    contains = Prepared(lambda called: Call.objects.filter(called__contains=called), called=str)
    with pytest.raises(ValueError, match="plain values"):
        contains.all(called="123")
    by_code = Prepared(lambda code: Membership.objects.filter(tenant__code=code), code=UUID)
    with pytest.raises(TypeError):
        by_code.all(code=str(tenant.code))
    with pytest.raises(TypeError):
        by_code.all()
    with pytest.raises(TypeError):
        Prepared(lambda n: Call.objects.filter(elapsed_ms=n), n=float).all(n=1.0)


def test_session_lookup_keeps_expiry(db):
    store = SessionStore()
    store["x"] = 1
    store.create()
    assert SessionStore(store.session_key).load() == {"x": 1}
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=datetime(2000, 1, 1, tzinfo=UTC)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # a new session will be created, as in Django
    assert SessionStore("no-such-session-key-0123456789").load() == {}


def test_user_lookup_refuses_inactive_and_missing(manager):
    backend = Backend()
    assert backend.get_user(manager.pk) == manager
    assert backend.get_user(str(manager.pk)) == manager
    assert backend.get_user(manager.pk + 1000) is None
    assert backend.get_user("not-a-number") is None
    manager.is_active = False
    manager.save()
    assert backend.get_user(manager.pk) is None


def test_insert_and_update_rows_match_orm(manager_membership, tenant):
    def new(key):
        return Call(
            tenant=tenant,
            user_id=manager_membership.user_id,
            softphone="10001",
            caller="13900000001",
            called="13800138000",
            call_data="订单=42",
            idempotency_key=key,
        )

    ours, theirs = new("ours"), new("theirs")
    insert_row(ours)
    theirs.save(force_insert=True)
    assert ours.pk and not ours._state.adding and ours.created_at is not None
    skip = {"id", "code", "idempotency_key", "created_at", "_state", "_tenant_cache"}

    def row(pk):
        return {k: v for k, v in _fields(Call.objects.get(pk=pk)).items() if k not in skip}

    assert row(ours.pk) == row(theirs.pk)
    assert Call.objects.get(pk=ours.pk).code == ours.code
    assert abs(Call.objects.get(pk=ours.pk).created_at - ours.created_at) < timedelta(seconds=1)

    answered = timezone.now()
    fields = dict(
        status="placed", serial="1-2", elapsed_ms=12.5, http_status=None, answered_at=answered
    )
    assert update_row(ours, **fields) == 1
    Call.objects.filter(pk=theirs.pk).update(**fields)
    assert row(ours.pk) == row(theirs.pk)
    assert ours.serial == "1-2" and Call.objects.get(pk=ours.pk).answered_at == answered
    assert (
        update_row(ours, http_status=200) == 1 and Call.objects.get(pk=ours.pk).http_status == 200
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_row(new("ours"))  # the idempotency key is unique per tenant
    with pytest.raises(ValueError):
        insert_row(ours)  # already saved


def _logged_in(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store.create()
    return store.session_key


def test_membership_with_session_matches_orm(manager, outsider, tenant, other_tenant):
    key, now = _logged_in(manager), timezone.now()
    got = _MEMBERSHIP_WITH_SESSION.first(code=tenant.code, key=key, now=now)
    want = Membership.objects.select_related("user", "tenant").get(tenant=tenant, user=manager)
    assert {k: v for k, v in _fields(got).items() if k != "session"} == _fields(want)
    assert _fields(got.user) == _fields(want.user) and _fields(got.tenant) == _fields(want.tenant)
    assert _fields(got.session) == _fields(Session.objects.get(session_key=key))

    def find(code, session_key, at=now):
        return _MEMBERSHIP_WITH_SESSION.first(code=code, key=session_key, now=at)

    # Not a member of that tenant, another user's session, an expired or unknown session: none.
    assert find(other_tenant.code, key) is None
    assert find(other_tenant.code, _logged_in(outsider)) is not None
    assert find(tenant.code, _logged_in(outsider)) is None
    assert find(tenant.code, key, now + timedelta(days=365)) is None
    assert find(tenant.code, "no-such-session-key-0123456789") is None


def test_a_tenant_page_takes_user_and_membership_from_the_session(
    client, manager, tenant, other_tenant, django_assert_num_queries
):
    client.force_login(manager)
    page = f"/t/{tenant.code}/calls/?size=5"
    client.get(page)
    # session + user + membership in one query, the tenant's dispositions (the filter and the
    # rows), the page of calls, the live call (the in-call bar), the tenant switcher, the
    # outcomes' freshness line (last sync, calls waiting: one query), the manager's due
    # follow-ups (the navigation's count)
    with django_assert_num_queries(7):
        assert client.get(page).status_code == 200
    # Another tenant's page: no membership with the session, so the session on its own, the
    # user, and (to be sure) the membership once more: none, 404.
    with django_assert_num_queries(4):
        assert client.get(f"/t/{other_tenant.code}/calls/").status_code == 404
    # Deactivated: the membership still comes with the session, but the user is logged out.
    manager.is_active = False
    manager.save()
    assert client.get(page).status_code == 302
    manager.is_active = True
    manager.save()
    # Removed from the tenant: the next page is a 404 (nothing is kept between requests).
    client.force_login(manager)
    Membership.objects.filter(tenant=tenant, user=manager).delete()
    assert client.get(page).status_code == 404


def test_the_freshness_row_matches_orm(manager, manager_membership, tenant, other_tenant):
    """The history's freshness line (a values_list() query with correlated subqueries): the
    prepared rows are the ORM's rows, for the whole tenant and for one manager, with calls
    waiting, overdue and done, and another tenant's apart."""
    from calls.models import OutcomeSync
    from calls.selectors import _FRESHNESS_ALL, _FRESHNESS_OWN, _freshness_query

    now = timezone.now()
    OutcomeSync.objects.create(tenant=tenant, last_ok_at=now, last_error="timeout")
    for i, (ago, outcome) in enumerate([(1, ""), (30, ""), (30, "0"), (60 * 24 * 9, "")]):
        call = Call.objects.create(
            tenant=tenant, user=manager, softphone="10001", called=f"1380000000{i}",
            idempotency_key=f"fresh-{i}", status=Call.Status.PLACED, outcome_code=outcome,
            outcome_source="" if not outcome else "cdr",
        )  # fmt: skip
        Call.objects.filter(pk=call.pk).update(created_at=now - timedelta(minutes=ago))
    values = {
        "tenant_id": tenant.pk,
        "since": now - timedelta(days=7),
        "overdue_before": now - timedelta(minutes=10),
    }
    mine = {**values, "user_id": manager.pk}
    assert _FRESHNESS_ALL.rows(**values) == list(_freshness_query(**values))
    assert _FRESHNESS_OWN.rows(**mine) == list(_freshness_query(**mine))
    [(synced, error, waiting, overdue)] = _FRESHNESS_ALL.rows(**values)
    assert (error, waiting, overdue) == ("timeout", 2, 1) and synced is not None
    other = {**values, "tenant_id": other_tenant.pk}
    assert _FRESHNESS_ALL.rows(**other) == [(None, None, 0, 0)]


def test_the_header_memberships_and_dispositions_match_orm(manager, tenant, other_tenant):
    """Two reads on most pages: the header's list of the user's tenants (with each tenant) and
    the tenant's dispositions in their order; the prepared rows are the ORM's, another tenant's
    and another user's apart."""
    from calls.models import Disposition
    from calls.services.dispositions import _DISPOSITIONS, dispositions_of
    from console.context_processors import _MEMBERSHIPS

    Membership.objects.create(tenant=other_tenant, user=manager, role=Membership.Role.SUPERVISOR)
    orm = list(
        Membership.objects.filter(user_id=manager.pk)
        .select_related("tenant")
        .order_by("tenant__name")
    )
    got = _MEMBERSHIPS.all(user_id=manager.pk)
    assert [(m.pk, m.tenant.name, m.role) for m in got] == [
        (m.pk, m.tenant.name, m.role) for m in orm
    ]
    assert len(got) == 2

    first = Disposition.objects.filter(tenant=tenant).first()
    first.archived = True
    first.save()
    assert _DISPOSITIONS.all(tenant_id=tenant.pk) == list(Disposition.objects.filter(tenant=tenant))
    offered = dispositions_of(tenant, archived=False)
    assert first not in offered and offered == list(
        Disposition.objects.filter(tenant=tenant, archived=False)
    )
    assert {d.tenant_id for d in dispositions_of(other_tenant)} == {other_tenant.pk}


def test_the_manager_choices_match_orm(
    manager, supervisor, tenant, other_tenant, django_user_model
):
    from console.selectors import manager_choices, managers_of

    named = django_user_model.objects.create_user("zed", first_name="Zoë", last_name="Li")
    Membership.objects.create(tenant=tenant, user=named, role=Membership.Role.MANAGER)
    elsewhere = django_user_model.objects.create_user("amy")
    Membership.objects.create(tenant=other_tenant, user=elsewhere, role=Membership.Role.MANAGER)
    want = [(u.id, u.get_full_name() or u.username) for u in managers_of(tenant)]
    assert manager_choices(tenant) == want
    assert (named.pk, "Zoë Li") in want and all(pk != elsewhere.pk for pk, _ in want)
    assert all(pk != supervisor.pk for pk, _ in want)
