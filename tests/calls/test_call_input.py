"""One set of rules for what a call sends (calls/call_input.py), applied by the web form, the deep
link's prefill, `manage.py aicc_call` and call_place itself: nothing that breaks a rule is sent,
and a refused call is stored as failed, "refused by the console", never as "outcome unknown"."""

import pytest
from django.core.management import CommandError, call_command

from calls.aicc.reasons import Fixer, decode
from calls.models import Call
from calls.services import placing
from console.models import AuditEntry, SoftphoneMapping

pytestmark = pytest.mark.django_db


def aicc_call(**options):
    options = {"tenant": "acme", "softphone": "10001", "called": "13800000000", **options}
    call_command("aicc_call", follow=0, **options)


def sent(simctl) -> list:
    """Every createCall request the simulator received (whatever its answer)."""
    return simctl.get("calls")


# ---- the command line ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "field", "words", "code"),
    [
        # The two: an access code is required (anonymization is off), digits only.
        ({"caller_present": "12345"}, "--caller-present", "access codes", "input"),
        ({"caller": "abcdef"}, "--caller", "digits only", "agent_number"),
        ({"caller": "1" * 33}, "--caller", "at most 32", "agent_number"),
        ({"called": "abc"}, "--called", "digits only", "input"),
        ({"called": "1234"}, "--called", "at least 5 digits", "input"),
        ({"called": "1" * 33}, "--called", "at most 32", "input"),
        ({"call_data": "x" * 1025}, "--call-data", "1024 characters", "input"),
        ({"caller_present": "139123456789"}, "--caller-present", "access codes", "input"),
    ],
)
def test_aicc_call_refuses_invalid_input_without_sending_anything(
    manager, tenant, simctl, capsys, options, field, words, code
):
    with pytest.raises(CommandError, match="not placed") as raised:
        aicc_call(**options)
    assert raised.value.returncode == 1
    assert sent(simctl) == [] and simctl.get("stats")["token_fetches"] == {}
    out = capsys.readouterr().out
    reason = decode("console", code, reader="others")  # aicc_call speaks of the manager
    assert f"console {code}: {reason.title}" in out
    assert "Refused by the console" in out and "No call was placed." in out
    line = next(line for line in out.splitlines() if line.strip().startswith(field))
    assert words in line
    call = Call.objects.get()
    assert (call.status, call.reason_source, call.reason_code) == ("failed", "console", code)
    assert call.detail.startswith("Refused by the console, nothing sent.")


def test_aicc_call_with_anonymization_takes_11_to_14_digits_as_the_number_shown(
    manager, tenant, simctl
):
    simctl.post(
        "accounts", app_key="acme-key", app_secret="acme-secret-value-1", anonymization=True
    )
    try:
        tenant.anonymization_enabled = True
        tenant.save()
        with pytest.raises(CommandError):
            aicc_call(caller_present="12345")
        assert sent(simctl) == []
        aicc_call(called="13800000001", caller_present="139-1234-5678")
        assert sent(simctl)[-1]["body"]["callerPresent"] == "13912345678"
        assert Call.objects.get(status="placed").caller_present == "13912345678"
    finally:
        simctl.post("accounts", app_key="acme-key", app_secret="acme-secret-value-1")


def test_aicc_call_on_an_ita_tenant_refuses_what_ita_cannot_carry(manager, tenant, simctl, capsys):
    tenant.call_type = "ITA"
    tenant.save()
    for options, words in (
        ({"call_data": "order 42"}, "cannot carry call data"),
        ({"caller_present": "4001234567"}, "cannot choose the number"),
    ):
        with pytest.raises(CommandError):
            aicc_call(**options)
        assert words in capsys.readouterr().out
    assert sent(simctl) == []


def test_aicc_call_says_when_a_call_may_have_been_placed(manager, tenant, simctl, capsys):
    # The answer was lost: the decoded reason says a call may exist, and so does the exit.
    simctl.scenario(called="13800000007", fault="reset")
    with pytest.raises(CommandError, match="may have been placed") as raised:
        aicc_call(called="13800000007")
    assert raised.value.returncode == 3
    assert "may have been placed" in capsys.readouterr().out
    assert Call.objects.get().status == "unknown"


# ---- call_place: the same rules for every caller of the service (the API too) -----------


def test_call_place_stores_a_refused_call_as_failed_and_sends_nothing(manager_membership, simctl):
    placed = placing.call_place(
        membership=manager_membership,
        mapping=manager_membership.active_mapping,
        called="1234",
        idempotency_key="refused-key-1",
    )
    call = placed.call
    call.refresh_from_db()
    assert (call.status, call.reason_source, call.reason_code) == ("failed", "console", "input")
    assert call.detail == "Refused by the console, nothing sent. called: too_short"
    assert placed.refused == {"called": ["A customer number has at least 5 digits."]}
    assert call.reason().fixer is Fixer.CALLER and "No call was placed" in call.reason().explanation
    assert sent(simctl) == []


def test_a_wrong_number_in_the_mapping_is_refused_for_the_admin_to_fix(manager_membership, simctl):
    mapping = manager_membership.active_mapping
    mapping.calling_number = "139-0000-000x"  # stored before the rules, or edited in the database
    mapping.save()
    call = placing.call_place(
        membership=manager_membership,
        mapping=mapping,
        called="13800000000",
        idempotency_key="refused-key-2",
    ).call
    call.refresh_from_db()
    assert (call.status, call.reason_source, call.reason_code) == (
        "failed",
        "console",
        "agent_number",
    )
    assert call.reason().fixer is Fixer.ADMIN and "caller: digits" in call.detail
    assert sent(simctl) == []


def test_a_request_the_client_refuses_is_failed_not_outcome_unknown(
    manager_membership, simctl, monkeypatch
):
    # Should the rules ever let through what the AICC client refuses (it raises before sending),
    # the call still failed: nothing went out, so it is not "outcome unknown".
    from calls import call_input

    monkeypatch.setattr(call_input, "check", lambda tenant, **values: call_input.Checked(values))
    call = placing.call_place(
        membership=manager_membership,
        mapping=manager_membership.active_mapping,
        called="13800000000",
        call_data="x" * 1025,
        idempotency_key="refused-key-3",
    ).call
    call.refresh_from_db()
    assert (call.status, call.reason_source, call.reason_code) == ("failed", "console", "input")
    assert "call_data is longer than 1024" in call.detail
    assert sent(simctl) == []


# ---- the tenant's shortest customer number --------------------------------------------------


def settings_form(tenant, **changes):
    data = {
        "name": tenant.name,
        "aicc_base_url": tenant.aicc_base_url,
        "app_key": tenant.app_key,
        "call_type": tenant.call_type,
        "access_codes": tenant.access_codes,
        "token_lifetime": tenant.token_lifetime,
        "time_zone": tenant.time_zone,
        **changes,
    }
    return data


def test_admins_set_the_shortest_customer_number_and_it_is_audited(client, admin, tenant):
    client.force_login(admin)
    page = client.get(f"/t/{tenant.code}/settings/").content.decode()
    assert 'name="called_min_digits"' in page and 'value="5"' in page
    r = client.post(f"/t/{tenant.code}/settings/", settings_form(tenant, called_min_digits="8"))
    assert r.status_code == 302
    tenant.refresh_from_db()
    assert tenant.called_min_digits == 8
    entry = AuditEntry.objects.get(action="settings.change")
    assert entry.changes == {"called_min_digits": [5, 8]}
    for bad in ("0", "33", "x"):
        r = client.post(f"/t/{tenant.code}/settings/", settings_form(tenant, called_min_digits=bad))
        assert r.status_code == 200 and "errorlist" in r.content.decode()
    # Left empty (or not posted at all): the default.
    client.post(f"/t/{tenant.code}/settings/", settings_form(tenant, called_min_digits=""))
    tenant.refresh_from_db()
    assert tenant.called_min_digits == 5


def test_the_shortest_customer_number_is_refused_on_every_path(
    client, manager, manager_membership, tenant, simctl, capsys
):
    tenant.called_min_digits = 8
    tenant.save()
    client.force_login(manager)
    # The web form.
    r = client.post(f"/t/{tenant.code}/call/", {"called": "1380000", "idempotency_key": "k" * 12})
    assert "at least 8 digits" in r.content.decode() and Call.objects.count() == 0
    # The command line.
    with pytest.raises(CommandError):
        aicc_call(called="1380000")
    assert "at least 8 digits" in capsys.readouterr().out
    # The service (what an API would call).
    manager_membership.tenant.refresh_from_db()
    call = placing.call_place(
        membership=manager_membership,
        mapping=manager_membership.active_mapping,
        called="138 0000",
        idempotency_key="short-key-1",
    ).call
    assert call.status == "failed" and call.reason_code == "input"
    assert sent(simctl) == []
    # Eight digits go through.
    aicc_call(called="13800000")
    assert sent(simctl)[-1]["body"]["called"] == "13800000"


# ---- the deep link --------------------------------------------------------------------------


def test_a_deep_link_with_invalid_values_shows_the_errors(client, manager, tenant, simctl):
    client.force_login(manager)
    r = client.get("/call/?called=12ab&present=999&data=order%2042", follow=True)
    body = r.content.decode()
    assert r.status_code == 200
    assert "Use digits only" in body and 'value="12ab"' in body
    assert "not one of the available choices" in body  # the display number: not an access code
    assert 'aria-invalid="true"' in body
    assert "order 42" in body
    assert Call.objects.count() == 0 and sent(simctl) == []


def test_a_deep_link_with_a_short_number_or_long_data_shows_the_errors(client, manager, tenant):
    client.force_login(manager)
    body = client.get(f"/t/{tenant.code}/call/?called=1234").content.decode()
    assert "at least 5 digits" in body
    body = client.get(f"/t/{tenant.code}/call/?called=13800000000&data={'x' * 1025}").content
    assert b"1024 characters" in body


def test_a_valid_deep_link_prefills_without_errors(client, manager, tenant):
    client.force_login(manager)
    body = client.get("/call/?called=%2B86%20138-0000-0000&data=order%2042", follow=True)
    body = body.content.decode()
    assert "+86 138-0000-0000" in body and "order 42" in body
    assert "errorlist" not in body and 'aria-invalid="true"' not in body
    # Call data without a number yet is fine: the number is not "required" before it is typed.
    body = client.get(f"/t/{tenant.code}/call/?data=order%2042").content.decode()
    assert "order 42" in body and "errorlist" not in body


def test_a_deep_link_to_an_ita_tenant_says_what_was_left_out(client, manager, tenant):
    tenant.call_type = "ITA"
    tenant.save()
    client.force_login(manager)
    body = client.get(f"/t/{tenant.code}/call/?called=13800000000&data=order%2042").content
    assert "ITA two-way calls cannot carry call data." in body.decode()


# ---- the rules and the reasons themselves ----------------------------------------------------


def test_check_reports_every_broken_field_and_cleans_the_rest(tenant):
    from calls import call_input

    checked = call_input.check(
        tenant,
        softphone="10001",
        called="+86 138-0000-0000",
        caller="abc",
        call_data="x" * 1025,
        caller_present="4001234567",
    )
    assert not checked.ok
    assert set(checked.errors) == {"caller", "call_data"}
    assert checked.values["called"] == "13800000000"
    assert checked.values["caller_present"] == "4001234567"
    assert checked.refusal() == (
        "console",
        "agent_number",
        "Refused by the console, nothing sent. caller: digits; callData: length",
    )
    ok = call_input.check(tenant, softphone="10001", called="13800000000")
    assert ok.ok and ok.refusal() is None and ok.messages() == {}


def test_the_console_refusals_are_decoded():
    for code, fixer in (("input", Fixer.CALLER), ("agent_number", Fixer.ADMIN)):
        reason = decode("console", code, reader="others")  # aicc_call speaks of the manager
        assert reason.known and reason.fixer is fixer and reason.retry is False
        assert str(reason.title).startswith("Refused by the console")
        assert "No call was placed." in str(reason.explanation)
    assert decode("console", " INPUT ") is decode("console", "input")
    assert not decode("console", "other").known


def test_the_call_page_shows_a_refusal_for_the_admin_when_the_mapping_is_wrong(
    client, manager, tenant, simctl
):
    SoftphoneMapping.objects.filter(user=manager).update(calling_number="1390000000x")
    client.force_login(manager)
    r = client.post(
        f"/t/{tenant.code}/call/",
        {"called": "13800000000", "idempotency_key": "k" * 12},
        headers={"HX-Request": "true"},
    )
    body = r.content.decode()
    assert "Refused by the console: your phone number is not valid" in body
    assert "Your console admin" in body
    assert Call.objects.get().reason().key == "console:agent_number" and sent(simctl) == []
