"""Django's admin is for superusers only, and shows no secret either."""

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


def test_staff_who_are_not_superusers_are_turned_away(client, admin):
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    r = client.get("/django-admin/")
    assert r.status_code == 302 and "/django-admin/login/" in r["Location"]


def test_superuser_sees_the_tenant_without_its_secret(client, tenant):
    root = User.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(root)
    r = client.get(f"/django-admin/console/tenant/{tenant.pk}/change/")
    body = r.content.decode()
    assert r.status_code == 200 and "acme-key" in body
    assert "acme-secret-value-1" not in body and "set" in body
