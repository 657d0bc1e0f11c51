"""A supervisor plays a call's recording inside the call's page (an <audio> element fed through
the console), seeks in it, and is told where to look when it cannot be played."""

import time

import pytest

from calls.services.outcomes import call_refresh_outcome
from tests.browser.test_click_to_call import log_in
from tests.calls.test_detail import place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAY = """async () => {
  const a = document.querySelector("audio");
  a.muted = true;  // muted media may play without a click
  const ended = new Promise((ok, ko) => {
    a.addEventListener("ended", ok);
    a.addEventListener("error", () => ko(new Error("media error " + (a.error && a.error.code))));
  });
  await a.play();
  await ended;
  const seeked = new Promise((ok) => a.addEventListener("seeked", ok, { once: true }));
  a.currentTime = 0.5;
  await seeked;
  return { duration: a.duration, at: a.currentTime };
}"""


def answered_call(membership):
    call = place(membership)
    time.sleep(0.3)  # the simulator (time_scale 0.01) ends it
    call_refresh_outcome(call)
    assert call.talking_at is not None
    return call


def test_the_recording_plays_in_the_page(page, live_server, supervisor, manager_membership, simctl):
    call = answered_call(manager_membership)
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/t/{call.tenant.code}/calls/{call.code}/")
    played = page.evaluate(PLAY)
    assert 1.1 < played["duration"] < 1.3  # the simulator's 1.2 s recording, decoded
    assert played["at"] == pytest.approx(0.5, abs=0.05)
    assert page.locator("#recording-failed").is_hidden()


@pytest.mark.allow_console_errors(r"status of 502")
def test_a_recording_that_cannot_be_played_says_where_to_look(
    page, live_server, supervisor, manager_membership, simctl
):
    call = answered_call(manager_membership)
    simctl.scenario(interface="getRecordingAddress", retCode="9")  # SFTP connection failed
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/t/{call.tenant.code}/calls/{call.code}/")
    page.evaluate("document.querySelector('audio').play().catch(() => {})")
    page.locator("#recording-failed").wait_for()
    page.locator("#recording-failed a").click()
    page.get_by_text("getRecordingAddress 9").wait_for()
