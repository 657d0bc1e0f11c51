"""Recordings play inside the console: streamed through it (never a redirect to AICC's address),
with byte ranges for the <audio> element's seeking, offered only for answered calls; the demo's
seeded answered calls have recordings in the simulator."""

from unittest.mock import patch

import pytest
from django.core.management import call_command

from calls.aicc.results import Outcome, RecordingUrl
from calls.aicc.simulator.interfaces import WAV_BYTES
from calls.models import Call
from tests.calls.test_detail import ended, place, url

pytestmark = pytest.mark.django_db
N = len(WAV_BYTES)


def body(r) -> bytes:
    return b"".join(r.streaming_content)


def test_the_recording_streams_through_the_console_and_its_address_is_never_kept(
    client, supervisor, manager_membership, simctl
):
    call = ended(place(manager_membership))
    client.force_login(supervisor)
    r = client.get(url(call, "recording/"))
    assert r.status_code == 200 and r["Content-Type"] == "audio/wav"
    assert r["Content-Disposition"] == f'inline; filename="call-{call.serial}.wav"'
    assert r["Content-Length"] == str(N) and r["Accept-Ranges"] == "bytes"
    assert r["Cache-Control"] == "no-store" and "Location" not in r
    assert body(r) == WAV_BYTES
    stored = Call.objects.filter(pk=call.pk).values().get()
    assert not any("/__sim/recordings/" in str(v) for v in stored.values())


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [("bytes=4-11", 4, 11), ("bytes=100-", 100, N - 1), ("bytes=-16", N - 16, N - 1)],
)
def test_a_byte_range_is_cut_out(
    client, supervisor, manager_membership, simctl, asked, first, last
):
    """The simulator's store answers with the whole file, as a store ignoring Range may."""
    call = ended(place(manager_membership))
    client.force_login(supervisor)
    r = client.get(url(call, "recording/"), HTTP_RANGE=asked)
    assert r.status_code == 206
    assert r["Content-Range"] == f"bytes {first}-{last}/{N}"
    assert r["Content-Length"] == str(last - first + 1)
    assert body(r) == WAV_BYTES[first : last + 1]


def test_a_range_past_the_end_is_416(client, supervisor, manager_membership, simctl):
    call = ended(place(manager_membership))
    client.force_login(supervisor)
    r = client.get(url(call, "recording/"), HTTP_RANGE=f"bytes={N}-")
    assert r.status_code == 416 and r["Content-Range"] == f"bytes */{N}"


class FakeStore:
    """A recording store's answer to a ranged request."""

    def __init__(self, status, headers, content):
        self.status_code, self.headers, self.content = status, headers, content
        self.closed = False

    def iter_content(self, size):
        for i in range(0, len(self.content), size):
            yield self.content[i : i + size]

    def close(self):
        self.closed = True


def test_a_store_that_answers_the_range_itself_is_passed_through(
    client, supervisor, tenant, manager, settings
):
    call = Call.objects.create(
        tenant=tenant, user=manager, softphone="10001", called="13800000000",
        idempotency_key="r-1", status="placed", serial="123456789",
    )  # fmt: skip
    got = Outcome(
        interface="getRecordingAddress",
        kind="ok",
        result=RecordingUrl(url=tenant.aicc_base_url + "/rec/1.mp3"),
    )
    store = FakeStore(
        206, {"Content-Range": "bytes 10-19/5000", "Content-Type": "audio/mpeg"}, b"x" * 10
    )
    client.force_login(supervisor)
    with (
        patch("calls.aicc.client.AiccClient.get_recording_url", autospec=True, return_value=got),
        patch("calls.services.recordings.requests.get", return_value=store) as fetch,
    ):
        r = client.get(url(call, "recording/") + "?download=1", HTTP_RANGE="bytes=10-19")
        content = body(r)
    assert fetch.call_args.kwargs["headers"] == {"Range": "bytes=10-19"}
    assert fetch.call_args.kwargs["allow_redirects"] is False
    assert r.status_code == 206 and r["Content-Range"] == "bytes 10-19/5000"
    assert r["Content-Type"] == "audio/mpeg" and content == b"x" * 10
    assert r["Content-Disposition"] == 'attachment; filename="call-123456789.mp3"'
    assert store.closed


def test_the_player_is_offered_only_for_answered_calls(
    client, supervisor, manager_membership, simctl
):
    simctl.scenario(called="13800000005", outcome="customer_no_answer")
    client.force_login(supervisor)
    answered = ended(place(manager_membership))
    client.post(url(answered, "refresh/"))  # the call record: the customer answered
    # (once it has ended: a manager's second call waits while the first is live)
    missed = ended(place(manager_membership, called="13800000005"))
    client.post(url(missed, "refresh/"))
    answered.refresh_from_db()
    missed.refresh_from_db()
    assert answered.talking_at is not None and missed.talking_at is None
    page = client.get(url(answered)).content.decode()
    assert f'<audio controls preload="none" src="{url(answered, "recording/")}"' in page
    assert "<audio" not in client.get(url(missed)).content.decode()


def test_the_seeded_demo_history_has_recordings_that_play(client, supervisor, manager, tenant, sim):
    call_command("seed_history", tenant="acme", calls=60, days=3, stdout=None)
    calls = Call.objects.filter(tenant=tenant, status="placed")
    answered = calls.filter(talking_at__isnull=False).first()
    unanswered = calls.filter(talking_at__isnull=True).first()
    client.force_login(supervisor)
    r = client.get(url(answered, "recording/"))
    assert r.status_code == 200 and body(r) == WAV_BYTES
    assert '<audio controls preload="none"' in client.get(url(answered)).content.decode()
    r = client.get(url(unanswered, "recording/"))
    assert r.status_code == 404 and "getRecordingAddress 5" in r.content.decode()


def test_another_accounts_seeded_serial_has_no_recording(client, supervisor, tenant, manager, sim):
    from calls.aicc.simulator.archive import archived_serial

    call = Call.objects.create(
        tenant=tenant, user=manager, softphone="10001", called="13800000000",
        idempotency_key="r-2", status="placed", serial=archived_serial("other-key", 1),
    )  # fmt: skip
    client.force_login(supervisor)
    assert client.get(url(call, "recording/")).status_code == 404
