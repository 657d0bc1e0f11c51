"""After the click (issue 16), in a real browser: one live call per manager and the in-call bar,
calls that end read as ended, the end shows on time, the page follows a call without
JavaScript, and the keyboard focus stays where the manager is.

The session's simulator plays calls at 1/100 of their length (tests/conftest.py); the tests
that watch a call while it rings and talks use their own, slower one.
"""

import re

import pytest
from playwright.sync_api import expect

from calls.aicc.simulator import Account, Simulator
from calls.models import Call
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_sim(time_scale, **account):
    acct = Account(app_key="acme-key", app_secret="acme-secret-value-1", **account)
    return Simulator(host="127.0.0.1", port=0, accounts=[acct], time_scale=time_scale).start()


@pytest.fixture(scope="module")
def slow_sim():
    """Calls at 3/10 of their length: the wait and the agent's ringing 0.75 s, the customer's
    ringing 0.9 s, the talk 2.4 s (no answer: 1.8 s of ringing)."""
    s = make_sim(0.3)
    yield s
    s.stop()


def use(tenant, sim):
    sim.state.reset()
    tenant.aicc_base_url = sim.url
    tenant.save()


def scenario(sim, **body):
    import requests

    requests.post(f"{sim.url}/__sim/scenario", json=body, timeout=5).raise_for_status()


def call_from_the_form(page, number):
    page.get_by_label("Customer's number").fill(number)
    page.get_by_role("button", name="Call", exact=True).click()


def test_one_live_call_is_followed_live_and_in_the_bar_on_every_page(
    page, live_server, manager, tenant, slow_sim
):
    use(tenant, slow_sim)
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    # Count the cards put into the call area: once when placed, once more when it ends (not once
    # per look, as the whole panel was before).
    page.evaluate(
        """() => { window.inserted = 0; new MutationObserver((ms) => ms.forEach((m) =>
        m.addedNodes.forEach((n) => { if (n.classList && n.classList.contains('result'))
        window.inserted++; }))).observe(document.getElementById('call-area'),
        {childList: true, subtree: true}); }"""
    )
    call_from_the_form(page, "13800000031")
    card = page.locator("#call-area .result")
    card.locator("text=Ringing your phone").wait_for()
    call = Call.objects.get()
    leg = page.locator(f"#leg-{call.code}")
    leg.filter(has_text="Ringing the customer").wait_for()
    leg.filter(has_text="Talking").wait_for()
    assert page.evaluate("window.inserted") == 1  # only the words changed
    assert re.fullmatch(r"0:0\d", page.locator("#call-area [role=timer]").inner_text())

    # Every page of the manager shows the call, its leg and its time, and follows it.
    page.goto(f"{live_server.url}/t/{tenant.code}/calls/")
    bar = page.locator("#live-bar")
    assert "Call to 13800000031" in bar.inner_text() and "Talking" in bar.inner_text()
    assert bar.locator("[role=timer]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "in-call-bar.png"))
    bar.locator("[data-kind=answered]").wait_for()
    assert "Answered, talked for" in bar.inner_text()
    assert "Talking" not in bar.inner_text()

    # Once it has ended, no page shows the bar.
    page.goto(f"{live_server.url}/t/{tenant.code}/calls/")
    assert page.locator("#live-bar").inner_text().strip() == ""
    assert "Answered, " in page.locator("#history-table").inner_text()


def test_a_second_call_while_one_is_live_waits_or_stops_following_it(
    page, live_server, manager, tenant, slow_sim
):
    use(tenant, slow_sim)
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    call_from_the_form(page, "13800000032")
    page.locator("#call-area [data-kind=live]").wait_for()
    first = Call.objects.get()

    call_from_the_form(page, "13800000033")  # the softphone carries one call
    busy = page.locator("#busy-card")
    busy.wait_for()
    assert "You are already on a call" in busy.inner_text()
    assert "13800000032" in busy.inner_text()
    assert Call.objects.count() == 1 and len(slow_sim.state.create_calls) == 1

    # Wait: the live call's card, followed to its end; then the call goes through.
    page.get_by_role("link", name="Wait for it").click()
    page.locator(f"#result-{first.code}[data-kind=live]").wait_for()
    page.locator(f"#result-{first.code}[data-kind=answered]").wait_for()
    call_from_the_form(page, "13800000033")
    page.locator("#call-area [data-kind=live]").wait_for()
    second = Call.objects.latest("created_at")
    assert second.called == "13800000033"

    # Or stop following it and call anyway: the live call is no longer followed, not ended.
    call_from_the_form(page, "13800000034")
    page.get_by_role("button", name="Stop following it and call anyway").click()
    page.locator("#call-area:has-text('13800000034') [data-kind=live]").wait_for()
    second.refresh_from_db()
    assert second.unfollowed_at is not None and second.state != 3
    assert Call.objects.count() == 3


@pytest.mark.parametrize(
    "outcome, kind, tone, title, fixer",
    [
        ("customer_hangup", "answered", "ok", r"Answered, talked for (about )?0:0[1-4]", None),
        ("customer_no_answer", "not_answered", "warn", "The customer did not answer", "No one"),
        ("agent_leg_failed", "not_answered", "bad", "Your phone could not be reached", "You"),
    ],
)
def test_a_call_that_ends_reads_as_ended(
    page, live_server, manager, tenant, slow_sim, outcome, kind, tone, title, fixer
):
    from calls.aicc.reasons import decode

    use(tenant, slow_sim)
    scenario(slow_sim, called="13800000035", outcome=outcome)
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    call_from_the_form(page, "13800000035")
    card = page.locator(f"#call-area [data-kind={kind}]")
    card.wait_for(timeout=15_000)
    # htmx gives the swapped card its new classes when the swap settles: wait for that.
    expect(card).not_to_have_class(re.compile(r"htmx-settling"))
    text = card.inner_text()
    assert tone in card.get_attribute("class").split()
    assert {"ok", "warn", "bad", "live", "unknown"} & set(card.get_attribute("class").split()) == {
        tone
    }
    assert re.search(title, card.locator("h2").inner_text())
    # Nothing of a live call is left: no "placed", no ringing, no following.
    for live_words in ("Call placed", "Ringing", "AICC rings your phone", "Stop following"):
        assert live_words not in text
    assert card.locator(".poll").count() == 0
    if fixer:  # decoded as failures before placement are: what to do, who can fix it
        reason = decode("outcome", Call.objects.get().outcome_code)
        assert f"What to do: {reason.next_step}" in text
        assert re.search(rf"Who can fix it\s+{fixer}", text)
    assert card.get_by_role("link", name="Call again").count() == 1
    page.screenshot(path=str(ARTIFACTS / f"call-ended-{outcome}.png"))


def test_without_javascript_the_result_page_reloads_itself_until_the_call_ends(
    page_without_js, live_server, manager, tenant, slow_sim
):
    page = page_without_js
    use(tenant, slow_sim)
    scenario(slow_sim, called="13800000036", outcome="customer_no_answer")  # 2.55 s long
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    loads = []
    page.on("load", lambda: loads.append(page.url))
    call_from_the_form(page, "13800000036")  # a plain form POST, then the result page
    page.wait_for_url("**/call/?last=*")
    refresh = page.locator("meta[http-equiv=refresh]")
    assert page.locator("#call-area [data-kind=live]").count() == 1
    assert refresh.count() == 1 and refresh.get_attribute("content") == "2"
    page.locator("#call-area [data-kind=not_answered]").wait_for(timeout=15_000)
    reloads = len(loads)
    assert reloads >= 2  # the result page, then at least one reload of itself
    assert refresh.count() == 0  # ended: it stops
    page.wait_for_timeout(3_000)
    assert len(loads) == reloads
    assert "The customer did not answer" in page.locator("#call-area").inner_text()


def test_without_javascript_the_bar_is_a_link_to_the_call(
    page_without_js, live_server, manager, tenant, slow_sim
):
    page = page_without_js
    use(tenant, slow_sim)
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    call_from_the_form(page, "13800000037")
    page.wait_for_url("**/call/?last=*")
    page.goto(f"{live_server.url}/t/{tenant.code}/calls/")
    link = page.locator("#live-bar a", has_text="Call to 13800000037")
    link.click()
    page.wait_for_url(f"**/call/?last={Call.objects.get().code}")
    assert page.locator("#call-area [data-kind]").count() == 1


def settled_focus(page, expected: str, timeout_ms: int = 3000):
    """Wait (on a busy machine the swap settles late) until the focus is on `expected`; fail
    with where it is otherwise."""
    try:
        page.wait_for_function(
            "(id) => document.activeElement && document.activeElement.id === id",
            arg=expected,
            timeout=timeout_ms,
        )
    except Exception:
        pass
    assert focused(page) == expected


def focused(page):
    """What has the keyboard focus: its id or tag, or "body" when nothing has."""
    return page.evaluate(
        "() => { const a = document.activeElement;"
        " return !a || a === document.body ? 'body' : (a.id || a.tagName.toLowerCase()); }"
    )


def test_the_keyboard_focus_is_never_dropped(page, live_server, manager, tenant, slow_sim):
    use(tenant, slow_sim)
    scenario(slow_sim, called="13800000038", outcome="customer_no_answer")
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    # A wrong number: the form comes back with the error, the focus on the field.
    page.get_by_label("Customer's number").fill("call me")
    page.get_by_label("Customer's number").press("Enter")
    page.get_by_text("Use digits only").wait_for()
    assert focused(page) == "id_called"

    # Call, by keyboard: the focus stays on the Call button while the card comes.
    page.get_by_label("Customer's number").fill("13800000038")
    page.get_by_role("button", name="Call", exact=True).focus()
    page.keyboard.press("Enter")
    page.locator("#call-area [data-kind=live]").wait_for()
    assert focused(page) != "body"
    call = Call.objects.get()

    # On the live card while it changes, and when it ends: the focus stays on its Details link.
    page.locator(f"#details-{call.code}").focus()
    page.locator(f"#leg-{call.code}", has_text="Ringing the customer").wait_for()
    assert focused(page) == f"details-{call.code}"
    page.locator(f"#result-{call.code}[data-kind=not_answered]").wait_for(timeout=15_000)
    page.wait_for_timeout(100)
    assert focused(page) == f"details-{call.code}"

    # "Yes, call again": the question goes, the focus goes to the new card's heading.
    page.get_by_role("button", name="Call", exact=True).click()
    # The question's form is htmx's once its swap has settled (an Enter before that submits it
    # as a plain form: the whole page loads, the focus on the number field, as without JS).
    page.get_by_role("button", name="Yes, call again").wait_for()
    expect(page.locator("#call-area")).not_to_have_class(re.compile("htmx-settling"))
    page.get_by_role("button", name="Yes, call again").focus()
    page.keyboard.press("Enter")
    page.locator("#call-area [data-kind=live]").wait_for()
    second = Call.objects.latest("created_at")
    assert second.pk != call.pk
    settled_focus(page, f"title-{second.code}")
