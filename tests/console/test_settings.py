"""Tenant settings and credentials page, and its Test connection button."""

from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.html import escape

from calls.aicc.reasons import decode
from calls.models import AiccToken
from console.models import AuditEntry, Tenant

pytestmark = pytest.mark.django_db


def url(tenant, rest=""):
    return f"/t/{tenant.code}/settings/{rest}"


def form_data(tenant, **changes):
    data = {
        "name": tenant.name,
        "aicc_base_url": tenant.aicc_base_url,
        "aicc_token_url": tenant.aicc_token_url,
        "app_key": tenant.app_key,
        "app_secret": "",
        "call_type": tenant.call_type,
        "trial_trustlist": tenant.trial_trustlist,
        "access_codes": tenant.access_codes,
        "softphone_ranges": tenant.softphone_ranges,
        "token_lifetime": tenant.token_lifetime,
        "time_zone": tenant.time_zone,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_it_works(client, admin, tenant):
    client.force_login(admin)
    r = client.get(url(tenant))
    assert r.status_code == 200
    body = r.content.decode()
    assert 'name="app_key"' in body and "acme-key" in body
    assert "acme-secret-value-1" not in body  # write-only
    assert "Test connection" in body


def test_it_saves_settings_and_audits_before_and_after(client, admin, tenant):
    client.force_login(admin)
    data = form_data(
        tenant, name="Acme Ltd", softphone_ranges=" 10001 - 10099 ", access_codes="400 123 4567"
    )
    r = client.post(url(tenant), data)
    assert r.status_code == 302
    tenant.refresh_from_db()
    assert tenant.name == "Acme Ltd" and tenant.softphone_ranges == "10001-10099"
    assert tenant.access_codes == "4001234567"
    entry = AuditEntry.objects.get(action="settings.change")
    assert entry.actor == admin
    assert entry.changes == {"name": ["Acme", "Acme Ltd"], "softphone_ranges": ["", "10001-10099"]}


def test_blank_secret_keeps_the_current_one(client, admin, tenant):
    client.force_login(admin)
    client.post(url(tenant), form_data(tenant, name="Renamed"))
    tenant.refresh_from_db()
    assert tenant.app_secret == "acme-secret-value-1"
    assert not AuditEntry.objects.filter(action="credentials.change").exists()


def test_a_new_secret_is_stored_and_audited_only_as_changed(client, admin, tenant):
    client.force_login(admin)
    client.post(url(tenant), form_data(tenant, app_secret="brand-new-secret-42"))
    tenant.refresh_from_db()
    assert tenant.app_secret == "brand-new-secret-42"
    entry = AuditEntry.objects.get(action="credentials.change")
    assert entry.changes == {"app_secret": "changed"}


def test_clear_removes_the_secret(client, admin, tenant):
    client.force_login(admin)
    client.post(url(tenant), form_data(tenant, clear_secret="on"))
    tenant.refresh_from_db()
    assert tenant.app_secret == ""
    assert "not set" in client.get(url(tenant)).content.decode()


def test_changing_credentials_drops_the_stored_token(client, admin, tenant):
    AiccToken.objects.create(
        tenant=tenant, token="old-token", expires_at=timezone.now(), key_fingerprint="x"
    )
    client.force_login(admin)
    client.post(url(tenant), form_data(tenant, app_key="new-key"))
    assert not AiccToken.objects.filter(tenant=tenant).exists()


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("token_lifetime", "30", "greater than or equal to 60"),
        ("token_lifetime", "3601", "less than or equal to 3600"),
        ("time_zone", "Mars/Olympus", "Unknown time zone"),
        ("softphone_ranges", "10099-10001", "is not a range"),
        ("access_codes", "400-CALL-NOW", "not a phone number"),
        ("aicc_base_url", "http://aicc.example.com", "https://"),
    ],
)
def test_invalid_values_are_shown_next_to_the_field(client, admin, tenant, field, value, words):
    client.force_login(admin)
    r = client.post(url(tenant), form_data(tenant, **{field: value}))
    assert r.status_code == 200
    body = r.content.decode()
    assert escape(words) in body or words in body
    assert f'id="id_{field}_error" role="alert"' in body
    assert 'aria-invalid="true"' in body
    assert Tenant.objects.get(pk=tenant.pk).token_lifetime == 600


def test_secret_and_clear_together_are_refused(client, admin, tenant):
    client.force_login(admin)
    r = client.post(url(tenant), form_data(tenant, app_secret="x-secret", clear_secret="on"))
    assert r.status_code == 200 and "not both" in r.content.decode()


def test_supervisor_reads_but_cannot_change(client, supervisor, tenant):
    client.force_login(supervisor)
    r = client.get(url(tenant))
    assert r.status_code == 200
    body = r.content.decode()
    assert "acme-key" in body and "disabled" in body and "Save settings" not in body
    assert client.post(url(tenant), form_data(tenant, name="Hacked")).status_code == 403
    assert Tenant.objects.get(pk=tenant.pk).name == "Acme"


def test_manager_gets_403(client, manager, tenant):
    client.force_login(manager)
    assert client.get(url(tenant)).status_code == 403


def test_outsider_gets_404(client, outsider, tenant):
    client.force_login(outsider)
    assert client.get(url(tenant)).status_code == 404
    assert client.post(url(tenant, "test/")).status_code == 404


def test_connection_test_shows_the_time_taken(client, admin, tenant, simctl):
    client.force_login(admin)
    r = client.post(url(tenant, "test/"), headers={"HX-Request": "true"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "Connected: token obtained in" in body and "<html" not in body
    assert not AiccToken.objects.filter(tenant=tenant).exists()  # nothing cached


def test_connection_test_works_without_javascript(client, admin, tenant, simctl):
    client.force_login(admin)
    r = client.post(url(tenant, "test/"))
    body = r.content.decode()
    assert "<html" in body and "Connected: token obtained in" in body


def test_connection_test_decodes_a_refusal(client, admin, tenant, simctl):
    tenant.app_secret = "wrong-secret"
    tenant.save(update_fields=["app_secret"])
    client.force_login(admin)
    r = client.post(url(tenant, "test/"), headers={"HX-Request": "true"})
    body = r.content.decode()
    assert "Connection failed" in body and "Connected" not in body
    assert "What to do:" in body


def test_connection_test_without_credentials_says_so(client, admin, tenant):
    from console.connection_words import WORDS

    tenant.app_key = ""
    tenant.save(update_fields=["app_key"])
    client.force_login(admin)
    r = client.post(url(tenant, "test/"), headers={"HX-Request": "true"})
    body = r.content.decode()
    assert escape(str(WORDS["transport", "config"].title)) in body
    assert "<code>transport config</code>" in body


def test_connection_test_rejects_get(client, admin, tenant):
    client.force_login(admin)
    assert client.get(url(tenant, "test/")).status_code == 405


def test_supervisor_cannot_test_the_connection(client, supervisor, tenant):
    client.force_login(supervisor)
    assert client.post(url(tenant, "test/")).status_code == 403


def test_page_query_count(client, admin, tenant, django_assert_num_queries):
    client.force_login(admin)
    client.get(url(tenant))  # warm up: stores the current tenant in the session
    # session+user+membership+tenant (one query), user's memberships (tenant switcher), the
    # callback URLs' row (admins only)
    with django_assert_num_queries(3):
        client.get(url(tenant))


# ---- Test connection tests the values in the form, and speaks to the admin --------------------

HX = {"HX-Request": "true"}


def test_connection_test_tries_the_unsaved_values_in_the_form(client, admin, tenant, simctl):
    tenant.app_secret = "wrong-secret"
    tenant.save(update_fields=["app_secret"])
    client.force_login(admin)
    data = form_data(tenant, app_secret="acme-secret-value-1")  # typed, not saved
    body = client.post(url(tenant, "test/"), data, headers=HX).content.decode()
    assert "Connected: token obtained in" in body and "not saved yet" in body
    tenant.refresh_from_db()
    assert tenant.app_secret == "wrong-secret"  # nothing saved, audited or cached
    assert not AuditEntry.objects.exists() and not AiccToken.objects.exists()


def test_connection_test_fails_on_a_wrong_value_in_the_form_though_the_saved_ones_work(
    client, admin, tenant, simctl
):
    client.force_login(admin)
    body = client.post(
        url(tenant, "test/"), form_data(tenant, app_key="not-our-key"), headers=HX
    ).content.decode()
    assert "Connection failed" in body and "the values in the form (not saved)" in body
    assert "console admin" not in body  # the admin reads what to check, not "ask your admin"
    tenant.refresh_from_db()
    assert tenant.app_key == "acme-key"


def test_connection_test_refuses_a_form_with_errors_and_lists_them(client, admin, tenant):
    client.force_login(admin)
    body = client.post(
        url(tenant, "test/"), form_data(tenant, token_lifetime="5"), headers=HX
    ).content.decode()
    assert "Not tested: the form has errors" in body and "Token lifetime (seconds):" in body


def test_connection_test_without_javascript_keeps_the_typed_values(client, admin, tenant, simctl):
    client.force_login(admin)
    r = client.post(url(tenant, "test/"), form_data(tenant, name="Acme (typed, not saved)"))
    body = r.content.decode()
    assert "<html" in body and "Connected: token obtained in" in body
    assert 'value="Acme (typed, not saved)"' in body
    tenant.refresh_from_db()
    assert tenant.name == "Acme"


def test_the_test_button_posts_the_settings_form(client, admin, tenant):
    client.force_login(admin)
    body = client.get(url(tenant)).content.decode()
    form = body[body.index('<form method="post" action="' + url(tenant)) :]
    form = form[: form.index("</form>")]
    assert f'formaction="{url(tenant, "test/")}"' in form


@pytest.mark.parametrize(
    ("scenario", "code", "words"),
    [
        ({"http_status": 401}, "token 401", "Copy the app key and secret again"),
        ({"http_status": 404}, "token 404", "port 28070"),
        ({"http_status": 503}, "token 503", "The values in the form are not the problem."),
    ],
)
def test_connection_failures_speak_to_the_admin(
    client, admin, tenant, simctl, scenario, code, words
):
    simctl.scenario(interface="tokenByAkSk", **scenario)
    client.force_login(admin)
    body = client.post(url(tenant, "test/"), form_data(tenant), headers=HX).content.decode()
    assert f"<code>{code}</code>" in body and escape(words) in body
    assert "console admin" not in body


def test_no_admin_wording_sends_the_admin_to_the_admin():
    from console.connection_words import WORDS, admin_words

    for words in WORDS.values():
        assert "console admin" not in f"{words.explanation} {words.next_step}"
    unknown = admin_words(decode("token", "418"))  # not in the table: the reason's own title
    assert (
        unknown.title == decode("token", "418").title and "console admin" not in unknown.next_step
    )


# ---- the callback URLs live in Settings ---------------------------------------------------------


def test_admins_see_the_callback_urls_with_copy_buttons_and_the_last_event(client, admin, tenant):
    from calls.services.outcomes import sync_row

    sync = sync_row(tenant)
    client.force_login(admin)
    body = client.get(url(tenant)).content.decode()
    assert f"/t/{tenant.code}/aicc/{sync.token}/release/" in body
    assert f"/t/{tenant.code}/aicc/{sync.token}/connect/" in body
    assert 'data-copy="release-url" hidden' in body and 'data-copy="connect-url" hidden' in body
    assert "None yet: AICC has not sent an event to these URLs." in body
    r = client.post(
        f"/t/{tenant.code}/aicc/{sync.token}/release/",
        {"callSerialNo": "1000000000000000001", "reasonCode": "0"},
    )
    assert r.status_code == 200
    sync.refresh_from_db()
    local = timezone.localtime(sync.last_push_at, timezone=ZoneInfo(tenant.time_zone))
    body = client.get(url(tenant)).content.decode()
    assert local.strftime("%Y-%m-%d %H:%M:%S") in body and "None yet" not in body


def test_supervisors_do_not_see_the_secret_callback_urls(client, supervisor, tenant):
    from calls.services.outcomes import sync_row

    sync = sync_row(tenant)
    client.force_login(supervisor)
    assert sync.token not in client.get(url(tenant)).content.decode()
