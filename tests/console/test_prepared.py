"""Prepared querysets (console/prepared.py) return what the same ORM query returns, on SQLite and
PostgreSQL, and the prepared session and user lookups keep Django's rules."""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from calls import services
from calls.models import Call
from console.access import _MEMBERSHIP
from console.auth import Backend
from console.models import Membership, Session
from console.prepared import Prepared
from console.sessions import SessionStore


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
    since = timezone.now() - timedelta(minutes=5)
    for key, called in [("zz", "131"), ("d", "131"), ("a", "131"), ("zz", "999")]:
        got = services._RECENT.all(
            tenant_id=tenant.id, user_id=m.user_id, since=since, key=key, called=called
        )
        want = list(
            Call.objects.filter(tenant=tenant, user_id=m.user_id, created_at__gte=since)
            .filter(Q(idempotency_key=key) | (Q(called=called) & ~Q(status=Call.Status.FAILED)))
            .order_by("-created_at")[:2]
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


def test_a_session_is_read_with_its_user_and_the_backend_takes_it(
    manager, rf, django_assert_num_queries
):
    from django.contrib.auth import SESSION_KEY

    from console.logging import current_request

    store = SessionStore()
    store[SESSION_KEY] = str(manager.pk)
    store.create()
    assert Session.objects.get(session_key=store.session_key).user_id == manager.pk
    request = rf.get("/")
    request.session = SessionStore(store.session_key)
    token = current_request.set(request)
    try:
        with django_assert_num_queries(1):  # the session and its user
            assert request.session[SESSION_KEY] == str(manager.pk)
            user = Backend().get_user(request.session[SESSION_KEY])
        assert _fields(user) == _fields(type(manager).objects.get(pk=manager.pk))
        with django_assert_num_queries(1):  # another user than the session's: looked up
            assert Backend().get_user(manager.pk + 1000) is None
        manager.is_active = False
        manager.save()
        request.session = SessionStore(store.session_key)
        assert request.session[SESSION_KEY] == str(manager.pk)
        assert Backend().get_user(manager.pk) is None  # the rules stay ModelBackend's
    finally:
        current_request.reset(token)


def test_a_session_follows_its_user(manager):
    from django.contrib.auth import SESSION_KEY

    anonymous = SessionStore()
    anonymous["x"] = 1
    anonymous.create()
    assert Session.objects.get(session_key=anonymous.session_key).user_id is None
    assert SessionStore(anonymous.session_key).load() == {"x": 1}
    logged_in = SessionStore()
    logged_in[SESSION_KEY] = str(manager.pk)
    logged_in.create()
    manager.delete()
    assert not Session.objects.filter(session_key=logged_in.session_key).exists()
    assert Session.objects.filter(session_key=anonymous.session_key).exists()
    Session.objects.filter(session_key=anonymous.session_key).update(
        expire_date=datetime(2000, 1, 1, tzinfo=UTC)
    )
    call_command("clearsessions")  # the daily clean-up (docs/deploy.md) empties this table
    assert not Session.objects.exists()


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
    from django.db import IntegrityError, transaction

    from console.prepared import insert_row, update_row

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


def test_insert_unless_a_query_finds_a_row(manager_membership, tenant):
    """The guarded insert (one statement) writes what the ORM writes, NULLs and all, and
    nothing when its query finds a row."""
    from console.prepared import insert_row

    def new(key, called="13800138000"):
        return Call(
            tenant=tenant,
            user_id=manager_membership.user_id,
            softphone="10001",
            called=called,
            call_data="订单=42",
            idempotency_key=key,
        )

    same_number = Prepared(
        lambda tenant_id, called: Call.objects.filter(tenant_id=tenant_id, called=called)[:1],
        tenant_id=int,
        called=str,
    )
    first = new("first")
    assert insert_row(first, unless=same_number.sql(tenant_id=tenant.pk, called="13800138000"))
    theirs = new("theirs", called="13900000000")
    theirs.save(force_insert=True)
    skip = {"id", "code", "idempotency_key", "called", "created_at", "_state", "_tenant_cache"}

    def row(pk):
        return {k: v for k, v in _fields(Call.objects.get(pk=pk)).items() if k not in skip}

    assert first.pk and row(first.pk) == row(theirs.pk)
    assert row(first.pk)["elapsed_ms"] is None and row(first.pk)["answered_at"] is None

    second = new("second")
    assert not insert_row(second, unless=same_number.sql(tenant_id=tenant.pk, called="13800138000"))
    assert second.pk is None and second._state.adding
    assert Call.objects.filter(called="13800138000").count() == 1


def test_membership_with_mapping_loads_only_the_enabled_one(manager, tenant, other_tenant, rf):
    from django.contrib.sessions.backends.base import SessionBase

    from console.access import tenant_access
    from console.models import SoftphoneMapping

    def load(code):
        request = rf.get("/")
        request.user, request.session = manager, SessionBase()
        return tenant_access(request, code, with_mapping=True)

    m = load(tenant.code)
    want = SoftphoneMapping.objects.get(tenant=tenant, user=manager)
    assert _fields(m.softphone_mapping) == _fields(want)
    assert services.active_mapping(m) == want and services.active_mapping(m).tenant is m.tenant
    SoftphoneMapping.objects.filter(pk=want.pk).update(enabled=False)
    m = load(tenant.code)
    assert m.softphone_mapping is None and services.active_mapping(m) is None
    # A mapping of the same user in another tenant is not this tenant's.
    Membership.objects.create(tenant=other_tenant, user=manager, role=Membership.Role.MANAGER)
    SoftphoneMapping.objects.create(tenant=other_tenant, user=manager, softphone="20001")
    assert load(tenant.code).softphone_mapping is None
    other = load(other_tenant.code)
    assert other.softphone_mapping.softphone == "20001"


def _row(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _logged_in(user):
    from django.contrib.auth import SESSION_KEY

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store.create()
    return store.session_key


def test_membership_with_session_matches_orm(manager, outsider, tenant, other_tenant):
    from django.db.models import F, FilteredRelation

    from console.access import membership_with_session

    key, now = _logged_in(manager), timezone.now()
    got = membership_with_session(tenant.code, key, now)
    want = (
        Membership.objects.annotate(
            mapping=FilteredRelation(
                "user__softphones",
                condition=Q(
                    user__softphones__tenant_id=F("tenant_id"), user__softphones__enabled=True
                ),
            )
        )
        .select_related("user", "tenant", "mapping")
        .get(tenant=tenant, user=manager)
    )
    assert _row(got) == _row(want)
    assert _row(got.user) == _row(want.user) and _row(got.tenant) == _row(want.tenant)
    assert _row(got.softphone_mapping) == _row(want.mapping)
    assert _row(got.session) == _row(Session.objects.get(session_key=key))
    # Not a member of that tenant, another user's session, an expired or unknown session: none.
    assert membership_with_session(other_tenant.code, key, now) is None
    assert membership_with_session(other_tenant.code, _logged_in(outsider), now) is not None
    assert membership_with_session(tenant.code, _logged_in(outsider), now) is None
    assert membership_with_session(tenant.code, key, now + timedelta(days=365)) is None
    assert membership_with_session(tenant.code, "no-such-session-key-0123456789", now) is None
    # Without an enabled mapping: None, as tenant_access(with_mapping=True) gives.
    manager.softphones.update(enabled=False)
    assert membership_with_session(tenant.code, key, now).softphone_mapping is None


def test_a_tenant_page_reads_session_user_and_membership_in_one_query(
    manager, outsider, tenant, other_tenant, rf, django_assert_num_queries
):
    from django.contrib.auth import SESSION_KEY
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from django.urls import resolve

    from console.access import ADMIN_ONLY, tenant_access
    from console.logging import current_request

    def page(path, key):
        request = rf.get(path)
        request.resolver_match = resolve(path)
        request.session = SessionStore(key)
        return request

    def access(request, code, *args, **kwargs):
        token = current_request.set(request)
        try:
            request.user = Backend().get_user(request.session[SESSION_KEY]) or AnonymousUser()
            return tenant_access(request, code, *args, **kwargs)
        finally:
            current_request.reset(token)

    key = _logged_in(manager)
    request = page(f"/t/{tenant.code}/call/", key)
    with django_assert_num_queries(1):
        m = access(request, tenant.code, with_mapping=True)
    assert m is request.session.loaded_membership
    assert (m.tenant, m.user, m.role) == (tenant, manager, Membership.Role.MANAGER)
    assert m.softphone_mapping.softphone == manager.softphones.get().softphone
    with pytest.raises(PermissionDenied):  # the role still decides
        access(page(f"/t/{tenant.code}/call/", key), tenant.code, ADMIN_ONLY)

    # A tenant the user is no member of: the session on its own, then the usual 404.
    request = page(f"/t/{other_tenant.code}/call/", key)
    with django_assert_num_queries(3), pytest.raises(Http404):
        access(request, other_tenant.code)
    assert request.session.loaded_membership is None and request.user == manager

    # An outsider's session on this tenant's page: no membership of theirs is there to find.
    request = page(f"/t/{tenant.code}/call/", _logged_in(outsider))
    with pytest.raises(Http404):
        access(request, tenant.code)

    # The membership that came with the session is used only for the tenant it is of.
    Membership.objects.create(tenant=other_tenant, user=manager, role=Membership.Role.ADMIN)
    request = page(f"/t/{tenant.code}/call/", key)
    with django_assert_num_queries(2):
        m = access(request, other_tenant.code, ADMIN_ONLY)
    assert m.tenant == other_tenant and request.session.loaded_membership.tenant == tenant

    # A deactivated user's membership still comes with the session, but the rules stay
    # ModelBackend's: not logged in, so a 404.
    manager.is_active = False
    manager.save()
    request = page(f"/t/{tenant.code}/call/", key)
    with pytest.raises(Http404):
        access(request, tenant.code)
    assert request.session.loaded_membership is not None and not request.user.is_authenticated
    manager.is_active = True
    manager.save()

    # Removed from the tenant: the next page is a 404 (nothing is kept between requests).
    Membership.objects.filter(tenant=tenant, user=manager).delete()
    with pytest.raises(Http404):
        access(page(f"/t/{tenant.code}/call/", key), tenant.code)
