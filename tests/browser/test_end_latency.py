"""How soon a call's end shows on the manager's screen after AICC releases it (issue 16): within
1.5 s (p95) when AICC pushes its events, within 3 s when the console has to ask AICC.

Each sample is one call placed from the call page in Chromium against a simulator in which the
customer does not answer; each call gets a random length (released 0.4 to 3 s after it was
placed), so its end falls anywhere between the page's looks and the console's looks at AICC.
The moment AICC released the call is the simulator's own end time for it; the moment the manager
saw the end is when the ended card appeared in the page (a MutationObserver's Date.now(), the
same clock). The console asks AICC on its steady schedule (the first 30 s of faster looks are
turned off here, so every sample sees the slowest schedule a long call gets); with pushed events
it backs off AICC to 5 s and more, so the end comes from the push. docs/performance.md says how
to run it with more calls (LATENCY_CALLS) and what it measured.
"""

import json
import math
import os
import random
import time
from datetime import timedelta

import pytest

from calls.aicc.simulator import Account, Simulator
from calls.models import Call
from calls.services import following
from calls.services.outcomes import sync_row
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALLS = int(os.environ.get("LATENCY_CALLS", "8"))
TARGET = {"push": 1.5, "poll": 3.0}

WATCH_ENDS = """
window.ends = {};
new MutationObserver(() => {
  document.querySelectorAll('#call-area [data-kind=not_answered]').forEach((el) => {
    if (!(el.id in window.ends)) window.ends[el.id] = Date.now();
  });
}).observe(document, {childList: true, subtree: true});
"""


@pytest.fixture(scope="module")
def tenth_sim():
    s = Simulator(
        host="127.0.0.1",
        port=0,
        accounts=[Account(app_key="acme-key", app_secret="acme-secret-value-1")],
        time_scale=0.1,
    ).start()
    yield s
    s.stop()


def p95(values):
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank


@pytest.mark.parametrize("mode", ["push", "poll"])
def test_the_end_shows_soon_after_aicc_releases_the_call(
    page, live_server, manager, tenant, tenth_sim, monkeypatch, mode
):
    tenth_sim.state.reset()
    account = {"app_key": "acme-key", "app_secret": "acme-secret-value-1"}
    if mode == "push":
        base = f"{live_server.url}/t/{tenant.code}/aicc/{sync_row(tenant).token}"
        account.update(
            connect_callback_url=f"{base}/connect/", release_callback_url=f"{base}/release/"
        )
        monkeypatch.setattr(following, "_pushes_arrive", lambda call, now: True)
    tenth_sim.state.add_account(Account(**account))
    tenth_sim.state.add_scenario({"outcome": "customer_no_answer"})
    monkeypatch.setattr(following, "EARLY", timedelta(0))  # the steady schedule throughout
    tenant.aicc_base_url = tenth_sim.url
    tenant.save()

    page.add_init_script(WATCH_ENDS)
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    # Calls of random lengths (0.4 to 3 s of ringing), so that their ends fall anywhere between
    # the page's looks and the console's looks at AICC, as the ends of real calls do.
    lengths = random.Random(16)
    latencies = []
    for i in range(CALLS):
        tenth_sim.time_scale = lengths.uniform(0.05, 0.35)
        page.get_by_label("Customer's number").fill(f"1380001{i:04d}")
        page.get_by_role("button", name="Call", exact=True).click()
        page.locator(f"#call-area:has-text('1380001{i:04d}') [data-kind=live]").wait_for()
        call = Call.objects.latest("created_at")
        card = f"result-{call.code}"
        page.locator(f"#{card}[data-kind=not_answered]").wait_for()
        seen_ms = page.evaluate(f"window.ends['{card}']")
        released = tenth_sim.state.calls[call.serial].end
        latencies.append(seen_ms / 1000 - released)
    tenth_sim.state.add_account(Account(app_key="acme-key", app_secret="acme-secret-value-1"))
    tenth_sim.time_scale = 0.1

    result = {
        "mode": mode,
        "calls": len(latencies),
        "p50_s": round(sorted(latencies)[len(latencies) // 2], 3),
        "p95_s": round(p95(latencies), 3),
        "max_s": round(max(latencies), 3),
        "target_s": TARGET[mode],
    }
    print(json.dumps(result))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"end-latency-{mode}.json").write_text(json.dumps(result) + "\n")
    assert min(latencies) > 0  # measured from AICC's release, not before it
    if mode == "push":  # every call's release event arrived and was stored
        deadline = time.monotonic() + 3
        while Call.objects.filter(outcome_source="push").count() < CALLS:
            assert time.monotonic() < deadline, "a pushed release event did not arrive"
            time.sleep(0.05)
    assert result["p95_s"] <= TARGET[mode], result
