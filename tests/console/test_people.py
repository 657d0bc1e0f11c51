"""People: members and roles, creating and inviting users, the last admin rule."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from console.models import AuditEntry, Membership, Session, SoftphoneMapping
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
Role = Membership.Role


def url(tenant, rest=""):
    return f"/t/{tenant.code}/people/{rest}"


def member(user, tenant):
    return Membership.objects.get(user=user, tenant=tenant)


def test_it_works(client, admin, supervisor, manager, tenant):
    client.force_login(admin)
    r = client.get(url(tenant))
    assert r.status_code == 200
    body = r.content.decode()
    assert "alice" in body and "sam" in body and "bob" in body
    assert "Change role" in body and "Invite someone" in body


def test_supervisor_sees_the_list_without_controls(client, supervisor, admin, tenant):
    client.force_login(supervisor)
    r = client.get(url(tenant))
    assert r.status_code == 200 and "alice" in r.content.decode()
    assert "Change role" not in r.content.decode()
    target = member(admin, tenant)
    assert client.post(url(tenant, f"{target.code}/role/"), {"role": "manager"}).status_code == 403
    invite = {"email": "x@example.com", "role": "admin"}
    assert client.post(url(tenant, "invite/"), invite).status_code == 403


def test_manager_gets_403(client, manager, tenant):
    client.force_login(manager)
    assert client.get(url(tenant)).status_code == 403


def test_outsider_gets_404(client, outsider, admin, tenant, other_tenant):
    client.force_login(outsider)
    assert client.get(url(tenant)).status_code == 404
    # This tenant's member through the outsider's own tenant URL: not found there either.
    code = member(admin, tenant).code
    assert client.post(url(other_tenant, f"{code}/remove/")).status_code == 404
    assert client.post(url(other_tenant, f"{code}/role/"), {"role": "manager"}).status_code == 404
    assert member(admin, tenant).role == Role.ADMIN


def test_people_query_count(client, admin, supervisor, manager, tenant, django_assert_num_queries):
    client.force_login(admin)
    client.get(url(tenant))  # warm up: stores the current tenant in the session
    # session+user+membership+tenant (one query), members+users, invitations, user's memberships
    # (tenant switcher)
    with django_assert_num_queries(4):
        client.get(url(tenant))


def test_admin_creates_a_user_with_a_password(client, admin, tenant):
    client.force_login(admin)
    r = client.post(
        url(tenant, "new/"),
        {"username": "nina", "first_name": "Nina", "role": "manager", "password": PASSWORD},
    )
    assert r.status_code == 302
    nina = User.objects.get(username="nina")
    assert nina.check_password(PASSWORD) and member(nina, tenant).role == Role.MANAGER
    entry = AuditEntry.objects.get(action="member.create")
    assert entry.changes["role"] == [None, "manager"] and "password" not in entry.changes
    assert PASSWORD not in str(entry.changes)


def test_admin_invites_a_user_by_email(client, admin, tenant):
    client.force_login(admin)
    r = client.post(
        url(tenant, "new/"), {"username": "nina", "email": "nina@example.com", "role": "supervisor"}
    )
    assert r.status_code == 302
    nina = User.objects.get(username="nina")
    assert not nina.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@example.com"]
    link = next(w for w in mail.outbox[0].body.split() if "/accounts/reset/" in w)
    r = client.get(link, follow=True)  # the reset view swaps the token for a session marker
    assert r.status_code == 200 and 'name="new_password1"' in r.content.decode()


def test_create_needs_an_email_or_a_password(client, admin, tenant):
    client.force_login(admin)
    r = client.post(url(tenant, "new/"), {"username": "nina", "role": "manager"})
    assert r.status_code == 200 and "e-mail address for the invitation" in r.content.decode()


def test_create_refuses_a_weak_password_and_a_taken_username(client, admin, tenant):
    client.force_login(admin)
    r = client.post(
        url(tenant, "new/"), {"username": "alice", "role": "manager", "password": "123"}
    )
    body = r.content.decode()
    assert "That username is taken" in body and "too short" in body


def test_change_role_returns_the_row_and_disables_the_softphone(client, admin, manager, tenant):
    client.force_login(admin)
    code = member(manager, tenant).code
    r = client.post(
        url(tenant, f"{code}/role/"), {"role": "supervisor"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 200 and r.content.decode().lstrip().startswith("<tr")
    assert member(manager, tenant).role == Role.SUPERVISOR
    assert not SoftphoneMapping.objects.get(user=manager).enabled
    entry = AuditEntry.objects.get(action="member.role")
    assert entry.changes["role"] == ["manager", "supervisor"]


def test_the_last_admin_cannot_be_demoted(client, admin, tenant):
    client.force_login(admin)
    code = member(admin, tenant).code
    r = client.post(url(tenant, f"{code}/role/"), {"role": "manager"}, follow=True)
    assert "is the last admin of this tenant" in r.content.decode()
    assert member(admin, tenant).role == Role.ADMIN


def test_the_last_admin_cannot_be_removed(client, admin, tenant):
    client.force_login(admin)
    r = client.post(url(tenant, f"{member(admin, tenant).code}/remove/"), follow=True)
    assert "is the last admin of this tenant" in r.content.decode()
    assert Membership.objects.filter(user=admin, tenant=tenant).exists()


def test_an_admin_can_be_demoted_when_another_remains(client, admin, tenant):
    second = make_user("dora")
    Membership.objects.create(tenant=tenant, user=second, role=Role.ADMIN)
    client.force_login(admin)
    client.post(url(tenant, f"{member(second, tenant).code}/role/"), {"role": "manager"})
    assert member(second, tenant).role == Role.MANAGER


def test_removing_ends_the_membership_not_the_account(client, admin, manager, tenant):
    """The account stays (another tenant may invite them); with no tenant left, their sessions
    end, so a session from before cannot come back to life."""
    other = Client()
    other.force_login(manager)
    assert other.get(f"/t/{tenant.code}/call/").status_code == 200
    client.force_login(admin)
    r = client.post(url(tenant, f"{member(manager, tenant).code}/remove/"))
    assert r.status_code == 302
    manager.refresh_from_db()
    assert manager.is_active and not Membership.objects.filter(user=manager).exists()
    assert not SoftphoneMapping.objects.get(user=manager).enabled
    assert not Session.objects.filter(user=manager).exists()
    assert other.get(f"/t/{tenant.code}/call/").status_code == 302  # to the login page
    entry = AuditEntry.objects.get(action="member.remove")
    assert entry.changes["sessions ended"] == [None, 1] and "is_active" not in entry.changes


def test_removing_keeps_their_other_tenant(client, admin, tenant, other_tenant):
    both = make_user("tom")
    Membership.objects.create(tenant=tenant, user=both, role=Role.SUPERVISOR)
    Membership.objects.create(tenant=other_tenant, user=both, role=Role.SUPERVISOR)
    theirs = Client()
    theirs.force_login(both)
    assert theirs.get(url(tenant)).status_code == 200
    client.force_login(admin)
    client.post(url(tenant, f"{member(both, tenant).code}/remove/"))
    both.refresh_from_db()
    assert both.is_active and Membership.objects.filter(user=both).count() == 1
    # Closed at once here (every request checks the membership); the other tenant stays open,
    # and a link without a tenant now opens that one.
    assert theirs.get(url(tenant)).status_code == 404
    assert theirs.get(url(other_tenant)).status_code == 200
    assert theirs.get("/").url == f"/t/{other_tenant.code}/"


def test_role_and_invite_reject_get(client, admin, tenant):
    client.force_login(admin)
    code = member(admin, tenant).code
    assert client.get(url(tenant, f"{code}/role/")).status_code == 405
    assert client.get(url(tenant, "invite/")).status_code == 405


def test_remove_asks_to_confirm_first(client, admin, manager, tenant):
    """The People page's Remove is a link to a confirmation page (no script needed); only its
    POST removes."""
    client.force_login(admin)
    code = member(manager, tenant).code
    people = client.get(url(tenant)).content.decode()
    assert f'<a class="button danger" href="{url(tenant, f"{code}/remove/")}">Remove' in people
    r = client.get(url(tenant, f"{code}/remove/"))
    body = r.content.decode()
    assert r.status_code == 200 and "Remove Bob from Acme?" in body
    assert "Their softphone 10001 is disabled here." in body
    assert f'<form method="post" action="{url(tenant, f"{code}/remove/")}">' in body
    assert Membership.objects.filter(tenant=tenant, user=manager).exists()  # nothing yet
    client.post(url(tenant, f"{code}/remove/"))
    assert not Membership.objects.filter(tenant=tenant, user=manager).exists()


def test_removing_yourself_is_said_so(client, admin, tenant):
    client.force_login(admin)
    body = client.get(url(tenant, f"{member(admin, tenant).code}/remove/")).content.decode()
    assert "You are removing yourself" in body


def test_a_new_person_is_a_customer_manager_unless_chosen_otherwise(client, admin, tenant):
    client.force_login(admin)
    for page in (url(tenant), url(tenant, "new/")):
        body = client.get(page).content.decode()
        assert '<option value="manager" selected>' in body, page
