"""A tenant's app secret set through the form never shows up anywhere but encrypted at rest."""

import logging

import pytest
from django.db import connection

from console.models import AuditEntry, Tenant

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "plain-SECRET-7f3a9c-never-shown"


class Captured(logging.Handler):
    """Every log line, formatted, at every level (works also with `-p no:logging`, unlike caplog)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines():
    handler, root = Captured(), logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_the_app_secret_appears_in_no_page_log_audit_or_raw_column(
    client, admin, tenant, log_lines, simctl
):
    client.force_login(admin)
    data = {
        "name": tenant.name,
        "aicc_base_url": tenant.aicc_base_url,
        "app_key": tenant.app_key,
        "app_secret": SECRET,
        "call_type": "AICC",
        "access_codes": tenant.access_codes,
        "token_lifetime": "600",
        "time_zone": tenant.time_zone,
    }
    assert client.post(f"/t/{tenant.code}/settings/", data).status_code == 302
    assert Tenant.objects.get(pk=tenant.pk).app_secret == SECRET  # it was really stored

    pages = [
        client.get(f"/t/{tenant.code}/settings/"),
        client.post(f"/t/{tenant.code}/settings/test/"),  # uses the secret against the simulator
        client.get(f"/t/{tenant.code}/audit/"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert SECRET not in page.content.decode()
    assert log_lines  # the capture works: requests and the AICC client did log
    assert not [line for line in log_lines if SECRET in line]
    for entry in AuditEntry.objects.all():
        assert SECRET not in str(entry.changes) and SECRET not in entry.target

    with connection.cursor() as cursor:
        cursor.execute("SELECT app_secret FROM console_tenant WHERE id = %s", [tenant.pk])
        (raw,) = cursor.fetchone()
    assert raw and SECRET not in raw and raw.startswith("gAAAA")  # a Fernet token

    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        connection.close()
        with open(name, "rb") as f:
            assert SECRET.encode() not in f.read()
