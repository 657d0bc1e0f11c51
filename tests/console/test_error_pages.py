"""The 403, 404, 500 and CSRF pages: styled (the base template), translated, saying what happened
and linking home; the 500 page renders without the database. Also the favicon and the
navigation's mark of the current page."""

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_404_is_styled_and_links_home(client, supervisor, tenant):
    client.force_login(supervisor)
    r = client.get(f"/t/{tenant.code}/nothing-here/")
    body = r.content.decode()
    assert r.status_code == 404
    assert "Page not found" in body and 'href="/"' in body
    assert "console/console.css" in body and "console/favicon.svg" in body


def test_404_in_chinese(client, supervisor, tenant):
    client.force_login(supervisor)
    r = client.get("/nothing-here/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 404 and "找不到页面" in r.content.decode()


def test_a_supervisor_following_a_managers_deep_link_learns_who_places_calls(
    client, supervisor, tenant
):
    client.force_login(supervisor)
    r = client.get("/call/?called=13800000000", follow=True)
    body = r.content.decode()
    assert r.status_code == 403
    assert "Only customer managers place calls" in body
    assert "You are signed in as Supervisor of Acme." in body and 'href="/"' in body


def test_a_manager_on_an_admin_page_is_told_who_may(client, manager, tenant):
    client.force_login(manager)
    r = client.get(f"/t/{tenant.code}/people/")
    assert r.status_code == 403
    assert "Only the tenant&#x27;s admins and supervisors can open this page." in r.content.decode()


def test_a_supervisor_saving_settings_is_told_only_admins_change_them(client, supervisor, tenant):
    client.force_login(supervisor)
    r = client.post(f"/t/{tenant.code}/settings/", {"name": "x"})
    assert r.status_code == 403
    assert "Only the tenant&#x27;s admins can change the settings." in r.content.decode()


def test_500_renders_without_the_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        r = server_error(request)
    body = r.content.decode()
    assert r.status_code == 500
    assert "Something went wrong" in body and 'href="/"' in body and "console/console.css" in body
    assert "set_language" not in body and "/i18n/setlang/" not in body  # no form without a token


def test_500_when_the_database_fails(client, supervisor, tenant, monkeypatch):
    from calls import selectors

    def broken(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(selectors, "calls_for", broken)
    client.force_login(supervisor)
    client.raise_request_exception = False
    r = client.get(f"/t/{tenant.code}/calls/")
    assert r.status_code == 500 and "Something went wrong" in r.content.decode()


def test_csrf_failure_is_styled(supervisor):
    c = Client(enforce_csrf_checks=True)
    c.force_login(supervisor)
    r = c.post("/accounts/logout/")
    body = r.content.decode()
    assert r.status_code == 403
    assert "The form has expired" in body and "no call was placed" in body


def test_favicon(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith("console/favicon.svg")


def test_the_navigation_marks_the_current_page(client, supervisor, manager, tenant):
    from calls.models import Call

    call = Call.objects.create(
        tenant=tenant, user=manager, softphone="10001", called="13800000000", idempotency_key="n"
    )
    client.force_login(supervisor)
    history = f"/t/{tenant.code}/calls/"
    body = client.get(history).content.decode()
    assert f'<a href="{history}" aria-current="page">History</a>' in body
    assert body.count("aria-current=") == 1
    body = client.get(f"{history}{call.code}/").content.decode()
    assert f'<a href="{history}" aria-current="true">History</a>' in body  # a page under it
    body = client.get(f"/t/{tenant.code}/dashboard/").content.decode()
    assert 'aria-current="page">Dashboard</a>' in body and 'aria-current="true"' not in body
