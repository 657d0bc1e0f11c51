"""Call lists in a real browser (issue 19): a supervisor imports a list and gives its entries to
a customer manager, who works three of them through "Call next", wrapping up each call; the
wrap-ups decide the entries' fates (done, closed, in retry)."""

import pytest

from lists.models import CallList, ListEntry
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "number,name,context,priority\n"
    "13800000091,Li Lei,Contract ends in May,3\n"
    "13800000092,Han Meimei,Asked about the new plan,2\n"
    "13800000093,Wang Fang,Renewal,1\n"
)


def test_a_supervisor_imports_and_assigns_a_manager_works_three_entries(
    page, live_server, supervisor, manager, tenant, simctl, tmp_path
):
    simctl.scenario(called="13800000093", outcome="customer_no_answer")
    log_in(page, live_server, "sam")
    page.wait_for_url(f"**/t/{tenant.code}/**")
    page.goto(f"{live_server.url}/t/{tenant.code}/lists/new/")
    page.get_by_label("Name").fill("Renewals May")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/import/")
    csv_file = tmp_path / "renewals.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    page.get_by_label("CSV or XLSX file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Import").click()
    report = page.locator("#import-report")
    report.wait_for()
    assert "3 entries imported." in report.inner_text()
    report.get_by_role("link", name="Assign").click()
    page.get_by_label("Entries now with").select_option(label="The pool (anyone in it)")
    page.get_by_label("Give them to").select_option(label="Bob")
    page.get_by_role("button", name="Assign").click()
    page.locator("#progress").wait_for()
    assert "3 entries given." in page.content()
    cl = CallList.objects.get()
    assert ListEntry.objects.filter(list=cl, assigned_to=manager).count() == 3

    page.context.clear_cookies()
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    page.get_by_role("link", name="Call next").first.click()
    for name, disposition in (("Li Lei", "Interested"), ("Han Meimei", "Not interested")):
        page.locator("#take-next").click()
        entry = page.locator("#entry")
        entry.wait_for()
        assert name in entry.inner_text()
        page.locator("#customer-card").wait_for(state="attached")
        page.locator("#entry-call").click()
        form = page.locator("#last-call select[name=disposition]")
        form.wait_for()  # answered and ended (the simulator plays calls at 1/100)
        form.select_option(label=disposition)
        page.locator("#last-call").get_by_role("button", name="Save wrap-up").click()
        page.locator("#last-call [id^=wrapped-]").wait_for()
    # The third: no answer, wrapped up by itself.
    page.locator("#take-next").click()
    assert "Wang Fang" in page.locator("#entry").inner_text()
    page.locator("#entry-call").click()
    page.locator("#last-call [id^=wrapped-]").wait_for()
    assert "No answer" in page.locator("#last-call").inner_text()
    page.locator("#take-next").click()
    page.locator("#nothing-due").wait_for()

    fates = dict(ListEntry.objects.filter(list=cl).values_list("name", "status"))
    assert fates == {"Li Lei": "done", "Han Meimei": "closed", "Wang Fang": "retry"}
    assert set(ListEntry.objects.values_list("attempts", flat=True)) == {1}
