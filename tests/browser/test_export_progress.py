"""A long export in the browser: the history's "Export CSV" shows how far the download is (a
<progress> and "n of N calls", from the X-Export-Rows header and the lines received), can be
cancelled, and saves the file under its own name; without JavaScript the link downloads as it
always did. At phone width, so that the progress box is seen to fit."""

import csv
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls.management.commands.seed_history import backdated_bulk_create
from calls.models import Call
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
N = 6000  # above the page's data-from (5,000): the progress box is shown
WIDTH = 375
# A cell with a line end and quotes inside: one call, though two lines of the file.
TWO_LINES = 'first line\n"second" line'


@pytest.fixture
def many_calls(tenant, manager):
    now = timezone.now()
    backdated_bulk_create(
        [
            Call(
                tenant=tenant,
                user=manager,
                softphone="10001",
                called=f"138{i:08d}",
                idempotency_key=f"p{i}",
                created_at=now,
                status="failed",
                reason_source="createCall",
                reason_code="8",
                ret_msg=TWO_LINES if i % 100 == 0 else "not in range",
            )
            for i in range(N)
        ],
        batch_size=2000,
    )


def slow_network(page, bytes_per_second):
    """Chromium's own throttling (DevTools protocol): the file arrives over a few seconds."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": bytes_per_second,
            "uploadThroughput": -1,
        },
    )


def open_history(page, live_server, tenant, username):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(page, live_server, username)
    page.goto(f"{live_server.url}/t/{tenant.code}/calls/")
    page.wait_for_load_state("networkidle")


def test_export_csv_shows_its_progress_and_saves_the_file(
    page, live_server, supervisor, manager, tenant, many_calls, tmp_path
):
    open_history(page, live_server, tenant, "sam")
    slow_network(page, 400_000)  # the ~1.5 MB file takes a few seconds
    box = page.locator("#export-progress")
    bar = box.locator("progress")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="Export CSV").click()
        expect(bar).to_be_visible()
        expect(box.locator(".export-label")).to_have_text(re.compile(r"^Exporting calls-.*\.csv$"))
        # Part of the way: some calls counted, not all, and said in words beside the bar.
        page.wait_for_function(
            "() => { const b = document.querySelector('#export-progress progress');"
            " return b && b.value > 0 && b.value < b.max; }"
        )
        assert bar.evaluate("b => b.max") == N
        expect(box.locator(".export-count")).to_have_text(re.compile(r"^[\d,]+ of 6,000 calls$"))
        # The box fits a phone: nothing scrolls sideways, the bar and Cancel are on screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        for part in (bar, box.get_by_role("button", name="Cancel export")):
            right = part.evaluate("e => e.getBoundingClientRect().right")
            assert 0 < right <= WIDTH
    saved = download.value
    assert re.fullmatch(r"calls-\d{8}-\d{4}\.csv", saved.suggested_filename)
    path = tmp_path / saved.suggested_filename
    saved.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == N
    assert sum(r["aicc_message"] == TWO_LINES for r in rows) == N // 100
    status = box.get_by_role("status")
    expect(status).to_have_text(f"Saved {saved.suggested_filename} (6,000 calls).")
    expect(bar).to_be_hidden()


def test_a_long_export_can_be_cancelled(page, live_server, supervisor, manager, tenant, many_calls):
    open_history(page, live_server, tenant, "sam")
    slow_network(page, 100_000)
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    link = page.get_by_role("link", name="Export CSV")
    link.click()
    cancel = page.get_by_role("button", name="Cancel export")
    expect(cancel).to_be_visible()
    cancel.click()
    expect(page.locator("#export-progress").get_by_role("status")).to_have_text(
        "Export cancelled. Nothing was saved."
    )
    expect(page.locator("#export-progress progress")).to_be_hidden()
    expect(link).to_be_focused()  # Cancel went away: the focus goes back to the link
    page.wait_for_timeout(500)
    assert downloads == []


@pytest.mark.allow_console_errors("status of 500")
def test_a_failed_export_says_so(page, live_server, supervisor, tenant):
    open_history(page, live_server, tenant, "sam")
    page.route("**/calls/export.csv*", lambda route: route.fulfill(status=500, body="boom"))
    page.get_by_role("link", name="Export CSV").click()
    expect(page.locator("#export-progress").get_by_role("status")).to_have_text(
        "The export failed: the console answered with error 500. Nothing was saved. Try again; "
        "if it keeps failing, tell whoever runs the console."
    )


def test_a_small_export_is_saved_without_the_bar(page, live_server, supervisor, manager, tenant):
    Call.objects.create(
        tenant=tenant, user=manager, softphone="10001", called="13800000001", idempotency_key="s"
    )
    open_history(page, live_server, tenant, "sam")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export XLSX").click()
    name = download.value.suggested_filename
    assert re.fullmatch(r"calls-\d{8}-\d{4}\.xlsx", name)
    expect(page.locator("#export-progress").get_by_role("status")).to_have_text(
        f"Saved {name} (1 call)."
    )
    expect(page.locator("#export-progress progress")).to_be_hidden()


def test_without_javascript_the_link_downloads_as_before(
    page_without_js, live_server, supervisor, manager, tenant, tmp_path
):
    page = page_without_js
    Call.objects.create(
        tenant=tenant, user=manager, softphone="10001", called="13800000001", idempotency_key="s"
    )
    open_history(page, live_server, tenant, "sam")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    path = tmp_path / "export.csv"
    download.value.save_as(path)
    assert len(list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))) == 1


def test_an_export_after_signing_out_says_to_sign_in_again(page, live_server, supervisor, tenant):
    open_history(page, live_server, tenant, "sam")
    page.context.clear_cookies()  # the session ended (expired, or signed out in another tab)
    page.get_by_role("link", name="Export CSV").click()
    expect(page.locator("#export-progress").get_by_role("status")).to_have_text(
        "The export could not start: you may have been signed out. Reload the page, sign in "
        "again if asked, and export again."
    )


def test_an_export_too_big_for_the_page_goes_to_the_browsers_own_download(
    page, live_server, supervisor, manager, tenant, many_calls, tmp_path
):
    """Above data-stream-max (200,000 calls on the page; 5,999 here) the page would hold too much
    in memory: the browser downloads the link itself, and the page says so."""
    open_history(page, live_server, tenant, "sam")
    page.locator("#export-progress").evaluate("box => { box.dataset.streamMax = '5999'; }")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="Export CSV").click()
    saved = download.value
    path = tmp_path / saved.suggested_filename
    saved.save_as(path)
    assert re.fullmatch(r"calls-\d{8}-\d{4}\.csv", saved.suggested_filename)
    assert len(list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))) == N
    expect(page.locator("#export-progress").get_by_role("status")).to_have_text(
        "This export has 6,000 calls: your browser is downloading it directly (its downloads "
        "list shows the progress). It can take a few minutes."
    )
    expect(page.locator("#export-progress progress")).to_be_hidden()


def test_a_second_export_while_one_runs_is_told_to_wait(
    page, live_server, supervisor, manager, tenant, many_calls
):
    open_history(page, live_server, tenant, "sam")
    slow_network(page, 100_000)
    page.get_by_role("link", name="Export CSV").click()
    expect(page.locator("#export-progress progress")).to_be_visible()
    page.get_by_role("link", name="Export XLSX").click()
    expect(page.locator("#export-progress").get_by_role("status")).to_have_text(
        "An export is already under way: wait until it is saved before you start another."
    )
    page.get_by_role("button", name="Cancel export").click()
