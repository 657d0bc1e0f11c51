"""manage.py rotate_secrets re-encrypts every secret with the newest key."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.utils import timezone

from calls.models import AiccToken
from console.models import Tenant

pytestmark = pytest.mark.django_db
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_after_rotation_the_old_key_can_go(settings, tenant):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    Tenant.objects.filter(pk=tenant.pk).update(app_secret="secret-under-a")
    AiccToken.objects.create(tenant=tenant, token="token-under-a", expires_at=timezone.now())
    Tenant.objects.create(name="Empty", slug="empty")  # no secret: left alone

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out = io.StringIO()
    call_command("rotate_secrets", stdout=out)
    assert "Tenant.app_secret: 1 re-encrypted" in out.getvalue()
    assert "AiccToken.token: 1 re-encrypted" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert Tenant.objects.get(pk=tenant.pk).app_secret == "secret-under-a"
    assert AiccToken.objects.get(tenant=tenant).token == "token-under-a"


def test_without_rotation_the_old_key_is_still_needed(settings, tenant):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    Tenant.objects.filter(pk=tenant.pk).update(app_secret="secret-under-a")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(ImproperlyConfigured):
        Tenant.objects.get(pk=tenant.pk)
