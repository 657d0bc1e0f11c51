"""Tenant pages show times in the tenant's time zone, and the next request starts from the default."""

import pytest
from django.utils import timezone

from console.audit import record

pytestmark = pytest.mark.django_db


def test_the_audit_log_shows_the_tenants_local_time(client, admin, tenant, time_machine):
    time_machine.move_to("2026-03-01 23:30:00+00:00", tick=False)
    record(tenant=tenant, actor=admin, action="settings.change", target="x", changes={})
    client.force_login(admin)
    body = client.get(f"/t/{tenant.code}/audit/").content.decode()
    assert "2026-03-02 07:30:00" in body  # Asia/Shanghai is UTC+8


def test_the_time_zone_does_not_leak_into_the_next_request(client, admin, tenant):
    client.force_login(admin)
    client.get(f"/t/{tenant.code}/audit/")
    assert timezone.get_current_timezone_name() == "UTC"


def test_tenant_pages_are_never_cached_and_vary_on_htmx(client, manager, tenant):
    """Pages with customer numbers are kept by no cache, and a URL that answers a page or an
    htmx fragment says so (security finding 10)."""
    client.force_login(manager)
    for headers in ({}, {"HX-Request": "true"}):
        r = client.get(f"/t/{tenant.code}/calls/", headers=headers)
        assert r.status_code == 200
        assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]
        assert "HX-Request" in r["Vary"]
    export = client.get(f"/t/{tenant.code}/calls/export.csv")
    assert export["Cache-Control"] == "no-store"  # a view's own header is kept
