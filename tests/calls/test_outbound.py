"""Server-side request forgery guard (security finding 1): the console connects only where the
tenant's AICC address allows, to public addresses unless the deployment allows private ones."""

import socket
from unittest.mock import patch

import pytest

from calls.aicc.results import Outcome, RecordingUrl
from calls.models import Call
from calls.services import outbound
from calls.services.outbound import Blocked, check
from calls.services.placing import call_place
from console.forms import TenantSettingsForm


@pytest.fixture
def production_rule(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/",
        "https://169.254.169.254/latest/meta-data/",  # a cloud metadata address
        "https://127.0.0.1:8099/",
        "https://localhost/",
        "https://[::1]/",
        "https://100.64.0.1/",  # shared address space
        "http://aicc.example.com/",  # plain http
        "ftp://aicc.example.com/",
        "https://aicc.example.com:99999/",
    ],
)
def test_private_or_odd_addresses_are_refused(production_rule, url):
    with pytest.raises(Blocked):
        check(url, resolve=False)


def test_a_public_address_of_the_allowed_hosts_passes(production_rule):
    check("https://8.8.8.8/x", resolve=False)
    check("https://aicc.example.com/x", hosts=["AICC.example.com"], resolve=False)
    with pytest.raises(Blocked):
        check("https://other.example.com/x", hosts=["aicc.example.com"], resolve=False)


def test_a_name_that_resolves_to_a_private_address_is_refused(production_rule, monkeypatch):
    def resolves_to(address):
        return lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 443))]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", resolves_to("10.1.2.3"))
    with pytest.raises(Blocked):
        check("https://aicc.attacker.example/")
    check("https://aicc.attacker.example/", resolve=False)  # per call: literal addresses only
    monkeypatch.setattr(outbound.socket, "getaddrinfo", resolves_to("93.184.216.34"))
    check("https://aicc.example.com/")


def test_development_allows_the_simulator_on_loopback(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    check("http://127.0.0.1:8099/", hosts=["127.0.0.1"])


def test_the_settings_refuse_a_private_aicc_address(production_rule, tenant):
    data = {f: getattr(tenant, f) for f in TenantSettingsForm.base_fields if hasattr(tenant, f)}
    data.update(aicc_base_url="https://169.254.169.254", aicc_token_url="", app_secret="")
    form = TenantSettingsForm(data, tenant=tenant)
    assert not form.is_valid()
    assert "does not connect to this address" in str(form.errors["aicc_base_url"])


def test_a_call_to_a_private_aicc_address_is_not_sent(production_rule, manager_membership):
    tenant = manager_membership.tenant
    tenant.aicc_base_url = "https://10.9.9.9"
    tenant.save()
    with patch("calls.aicc.client.AiccClient.create_call", autospec=True) as create:
        placed = call_place(
            membership=manager_membership,
            mapping=manager_membership.active_mapping,
            called="13800000000",
            idempotency_key="ssrf-1",
        )
    assert not create.called
    assert placed.call.status == Call.Status.FAILED
    assert (placed.call.reason_source, placed.call.reason_code) == ("transport", "blocked")


@pytest.mark.parametrize(
    "address",
    ["http://169.254.169.254/latest/meta-data/", "http://internal.example/recording.wav"],
)
def test_a_recording_elsewhere_is_neither_fetched_nor_linked(
    client, supervisor, tenant, manager, address
):
    """AICC's answer names another host: no redirect there, no download from there."""
    call = Call.objects.create(
        tenant=tenant,
        user=manager,
        softphone="10001",
        called="13800000000",
        idempotency_key="rec-ssrf",
        status="placed",
        serial="123456789",
    )
    got = Outcome(interface="getRecordingAddress", kind="ok", result=RecordingUrl(url=address))
    client.force_login(supervisor)
    with (
        patch("calls.aicc.client.AiccClient.get_recording_url", autospec=True, return_value=got),
        patch("calls.services.recordings.requests.get") as fetch,
    ):
        for query in ("", "?download=1"):
            r = client.get(f"/t/{tenant.code}/calls/{call.code}/recording/{query}")
            assert r.status_code == 502
            assert "does not connect to that address" in r.content.decode()
    assert not fetch.called
