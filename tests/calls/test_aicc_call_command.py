import pytest
from django.core.management import CommandError, call_command

from calls.models import Call

pytestmark = pytest.mark.django_db


def test_it_places_a_call_and_follows_it_to_the_end(manager, tenant, simctl, capsys):
    simctl.scenario(called="13800000005", outcome="customer_no_answer")
    call_command("aicc_call", tenant="acme", softphone="10001", called="138-0000-0005", follow=5)
    out = capsys.readouterr().out
    call = Call.objects.get()
    assert call.status == "placed" and call.serial in out
    assert call.state == 3 and call.outcome_code == "5"
    assert "outcome: 5" in out and "did not answer" in out


def test_it_prints_the_decoded_reason_and_fails(manager, tenant, simctl, capsys):
    simctl.scenario(called="13800000006", retCode="6")
    with pytest.raises(CommandError):
        call_command("aicc_call", tenant="acme", softphone="10001", called="13800000006", follow=0)
    out = capsys.readouterr().out
    assert "createCall 6" in out and "VDN" in out
    # Whoever runs the command reads about the customer manager, not to them.
    assert "Only the AICC provider can fix this" in out and "You cannot" not in out
    assert "next step: A console admin should ask the AICC provider" in out
    assert "(who: The AICC provider)" in out
    assert Call.objects.get().status == "failed"


def test_it_rejects_bad_input_clearly(manager, tenant):
    with pytest.raises(CommandError, match="No tenant"):
        call_command("aicc_call", tenant="nope", softphone="10001", called="1")
    with pytest.raises(CommandError, match="not mapped"):
        call_command("aicc_call", tenant="acme", softphone="99999", called="1")
    assert Call.objects.count() == 0
    # A value the rules refuse is a failed call (tests/calls/test_call_input.py has them all).
    with pytest.raises(CommandError, match="not placed"):
        call_command("aicc_call", tenant="acme", softphone="10001", called="abc", follow=0)
    assert Call.objects.get().reason().key == "console:input"


def test_it_places_nothing_while_the_manager_has_a_live_call(manager, tenant, simctl, capsys):
    call_command("aicc_call", tenant="acme", softphone="10001", called="13800000007", follow=0)
    with pytest.raises(CommandError, match="in progress"):
        call_command("aicc_call", tenant="acme", softphone="10001", called="13800000008", follow=0)
    assert "still live" in capsys.readouterr().out
    assert Call.objects.count() == 1 and simctl.get("stats")["create_calls"] == 1
