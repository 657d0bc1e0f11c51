"""Softphone mappings: list, add, edit, enable/disable, CSV import/export, AICC allocation."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from console.models import AuditEntry, SoftphoneMapping

pytestmark = pytest.mark.django_db


def url(tenant, rest=""):
    return f"/t/{tenant.code}/softphones/{rest}"


def mapping_of(user):
    return SoftphoneMapping.objects.get(user=user)


# ---- list --------------------------------------------------------------------------------


def test_it_works(client, admin, manager, tenant):
    client.force_login(admin)
    r = client.get(url(tenant))
    assert r.status_code == 200
    body = r.content.decode()
    assert "10001" in body and "13900000001" in body and "Bob" in body and "enabled" in body


def test_supervisor_can_read_the_list_but_not_add(client, supervisor, manager, tenant):
    client.force_login(supervisor)
    r = client.get(url(tenant))
    assert r.status_code == 200 and "Add a mapping" not in r.content.decode()
    assert client.get(url(tenant, "add/")).status_code == 403
    assert (
        client.post(url(tenant, "add/"), {"user": "bob", "softphone": "10002"}).status_code == 403
    )


def test_manager_gets_403(client, manager, tenant):
    client.force_login(manager)
    assert client.get(url(tenant)).status_code == 403
    assert client.get(url(tenant, "export.csv")).status_code == 403


def test_outsider_gets_404_also_for_their_own_mapping_under_this_tenant(
    client, outsider, other_manager, manager, tenant, other_tenant
):
    client.force_login(outsider)
    assert client.get(url(tenant)).status_code == 404
    # Their own tenant's mapping, addressed through this tenant's URL: still 404.
    theirs = mapping_of(other_manager)
    assert client.get(url(tenant, f"{theirs.code}/")).status_code == 404
    # And this tenant's mapping through their own tenant's URL: 404 too.
    ours = mapping_of(manager)
    assert client.get(url(other_tenant, f"{ours.code}/")).status_code == 404
    assert client.post(url(other_tenant, f"{ours.code}/toggle/")).status_code == 404
    assert SoftphoneMapping.objects.get(pk=ours.pk).enabled


def test_list_query_count(client, admin, manager, manager2, tenant, django_assert_num_queries):
    client.force_login(admin)
    client.get(url(tenant))  # warm up: stores the current tenant in the session
    # session+user+membership+tenant (one query), mappings+users, user's memberships (tenant switcher)
    with django_assert_num_queries(3):
        client.get(url(tenant))


# ---- add and edit ------------------------------------------------------------------------


def test_admin_maps_a_softphone(client, admin, manager2, tenant, simctl):
    client.force_login(admin)
    r = client.post(
        url(tenant, "add/"),
        {"user": "mia", "softphone": "100 02", "calling_number": "+86 139 0000 0002"},
    )
    assert r.status_code == 302
    m = mapping_of(manager2)
    assert (m.softphone, m.calling_number, m.enabled) == ("10002", "13900000002", True)
    entry = AuditEntry.objects.get(action="softphone.add")
    assert entry.target == "10002" and entry.changes["user"] == [None, "mia"]
    page = client.get(r["Location"]).content.decode()
    assert "mapped to Mia" in page and "not among the softphones" not in page


def test_a_number_aicc_did_not_allocate_is_saved_with_a_warning(
    client, admin, manager2, tenant, simctl
):
    client.force_login(admin)
    r = client.post(url(tenant, "add/"), {"user": "mia", "softphone": "20002"}, follow=True)
    assert mapping_of(manager2).softphone == "20002"
    assert "not among the softphones AICC allocated" in r.content.decode()


def test_mapping_a_softphone_aicc_reports_as_paused_warns(client, admin, manager2, tenant, simctl):
    """The simulator's 10008 is paused (queryPhone status 1)."""
    client.force_login(admin)
    r = client.post(url(tenant, "add/"), {"user": "mia", "softphone": "10008"}, follow=True)
    body = r.content.decode()
    assert mapping_of(manager2).softphone == "10008"
    assert "AICC reports softphone 10008 as paused (not registered)" in body
    assert 'class="warning"' in body


def test_a_registered_softphone_gets_no_warning(client, admin, manager2, tenant, simctl):
    client.force_login(admin)
    r = client.post(url(tenant, "add/"), {"user": "mia", "softphone": "10007"}, follow=True)
    assert "paused" not in r.content.decode() and 'class="warning"' not in r.content.decode()


def test_importing_paused_or_unallocated_softphones_warns(
    client, admin, manager2, tenant, make_manager, simctl
):
    make_manager("nina")
    client.force_login(admin)
    text = "mia,10010\nnina,20003\n"
    body = client.post(url(tenant, "import/"), {"text": text}, follow=True).content.decode()
    assert "2 added" in body
    assert "AICC reports softphone 10010 as paused" in body
    assert "20003 is not among the softphones AICC allocated" in body


def test_add_form_is_prefilled_from_the_allocation_link(client, admin, tenant):
    client.force_login(admin)
    r = client.get(url(tenant, "add/") + "?softphone=10007")
    assert 'value="10007"' in r.content.decode()


@pytest.mark.parametrize(
    "softphone, message",
    [
        ("10a01", "digits only"),
        ("1" * 33, "at most 32 digits"),
        ("10001", "already mapped to Bob (bob)"),
    ],
)
def test_bad_numbers_are_explained_next_to_the_field(
    client, admin, manager, manager2, tenant, softphone, message
):
    client.force_login(admin)
    r = client.post(
        url(tenant, "add/"), {"user": "mia", "softphone": softphone}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert message in body and "<html" not in body and 'id="id_softphone_error"' in body
    assert not SoftphoneMapping.objects.filter(user=manager2).exists()


def test_numbers_outside_the_ranges_are_refused(client, admin, manager2, tenant):
    tenant.softphone_ranges = "10001-10010"
    tenant.save(update_fields=["softphone_ranges"])
    client.force_login(admin)
    r = client.post(url(tenant, "add/"), {"user": "mia", "softphone": "10011"})
    assert "outside this tenant&#x27;s softphone ranges (10001-10010)" in r.content.decode()


def test_a_manager_has_one_active_softphone(client, admin, manager, tenant):
    client.force_login(admin)
    r = client.post(url(tenant, "add/"), {"user": "bob", "softphone": "10003"})
    assert "already has softphone 10001; disable it first" in r.content.decode()
    assert SoftphoneMapping.objects.filter(user=manager).count() == 1


def test_only_customer_managers_of_this_tenant_can_be_mapped(
    client, admin, supervisor, other_manager, tenant
):
    client.force_login(admin)
    for username in ("sam", "olga"):
        r = client.post(url(tenant, "add/"), {"user": username, "softphone": "10004"})
        assert r.status_code == 200 and 'id="id_user_error"' in r.content.decode()
    assert not SoftphoneMapping.objects.filter(tenant=tenant).exists()


def test_edit_changes_the_number_and_audits_it(client, admin, manager, tenant, simctl):
    m = mapping_of(manager)
    client.force_login(admin)
    assert 'value="10001"' in client.get(url(tenant, f"{m.code}/")).content.decode()
    r = client.post(
        url(tenant, f"{m.code}/"), {"user": "bob", "softphone": "10003", "calling_number": ""}
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert (m.softphone, m.calling_number) == ("10003", "")
    entry = AuditEntry.objects.get(action="softphone.change")
    assert entry.changes == {
        "softphone": ["10001", "10003"],
        "calling_number": ["13900000001", ""],
    }


def test_htmx_save_redirects_the_whole_page(client, admin, manager, tenant, simctl):
    m = mapping_of(manager)
    client.force_login(admin)
    r = client.post(
        url(tenant, f"{m.code}/"),
        {"user": "bob", "softphone": "10001"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and r["HX-Redirect"] == url(tenant)


# ---- enable / disable --------------------------------------------------------------------


def test_disable_returns_the_row(client, admin, manager, tenant):
    m = mapping_of(manager)
    client.force_login(admin)
    r = client.post(url(tenant, f"{m.code}/toggle/"), headers={"HX-Request": "true"})
    body = r.content.decode()
    assert r.status_code == 200 and body.lstrip().startswith("<tr") and "disabled" in body
    assert not mapping_of(manager).enabled
    assert AuditEntry.objects.get(action="softphone.disable").changes == {"enabled": [True, False]}


def test_enable_is_refused_when_the_manager_has_another_active_softphone(
    client, admin, manager, tenant
):
    old = mapping_of(manager)
    old.enabled = False
    old.save()
    SoftphoneMapping.objects.create(tenant=tenant, user=manager, softphone="10009")
    client.force_login(admin)
    r = client.post(url(tenant, f"{old.code}/toggle/"), follow=True)
    assert "already has softphone 10009" in r.content.decode()
    assert not SoftphoneMapping.objects.get(pk=old.pk).enabled


def test_toggle_rejects_get(client, admin, manager, tenant):
    client.force_login(admin)
    assert client.get(url(tenant, f"{mapping_of(manager).code}/toggle/")).status_code == 405


# ---- CSV import and export -----------------------------------------------------------------


def test_import_adds_every_row(client, admin, manager2, tenant, make_manager):
    make_manager("nina", email="nina@example.com")
    client.force_login(admin)
    text = "Username or e-mail,Softphone,Calling number\nmia,10002,\nNINA@example.com,100-03,139 0000 0003\n"
    r = client.post(url(tenant, "import/"), {"text": text}, follow=True)
    assert "2 added" in r.content.decode()
    got = dict(
        SoftphoneMapping.objects.filter(tenant=tenant).values_list("user__username", "softphone")
    )
    assert got == {"mia": "10002", "nina": "10003"}
    assert AuditEntry.objects.filter(action="softphone.add").count() == 2
    assert AuditEntry.objects.filter(action="softphone.import").count() == 1


def test_import_reports_each_bad_row_and_imports_nothing(
    client, admin, manager, manager2, supervisor, tenant, make_manager
):
    make_manager("nina")
    client.force_login(admin)
    text = "\n".join(
        [
            "mia,10002",  # line 1: fine (no header)
            "nobody,10003",  # line 2: unknown user
            "sam,10004",  # line 3: a supervisor
            "nina,12ab",  # line 4: not digits
            "nina,10001",  # line 5: taken by bob
            "nina,10002",  # line 6: repeats line 1's number
        ]
    )
    upload = SimpleUploadedFile("m.csv", text.encode(), content_type="text/csv")
    r = client.post(url(tenant, "import/"), {"file": upload})
    body = r.content.decode()
    assert r.status_code == 200 and "Nothing was imported" in body
    for line in (2, 3, 4, 5, 6):
        assert f"Line {line}:" in body
    assert "Line 1:" not in body
    assert "already mapped to Bob (bob)" in body and "also appears on line 1" in body
    assert not SoftphoneMapping.objects.filter(user=manager2).exists()


def test_import_reads_bare_carriage_returns_and_refuses_overlong_cells(
    client, admin, manager2, tenant, make_manager
):
    """Lines ending in a bare CR (old spreadsheet programs) are rows; a cell past any sane
    length, or past the csv module's own limit, is a row error, never a server error (security
    finding 5)."""
    make_manager("nina")
    client.force_login(admin)
    r = client.post(url(tenant, "import/"), {"text": "mia,10002\rnina,10003\r"}, follow=True)
    assert r.status_code == 200 and "2 added" in r.content.decode()
    for text in ("mia," + "1" * 200_000, "x" * 255 + ",10004"):
        r = client.post(url(tenant, "import/"), {"text": text})
        body = r.content.decode()
        assert r.status_code == 200 and "Line 1:" in body and "not a CSV row" in body


def test_an_export_imports_again_unchanged(client, admin, manager, tenant):
    client.force_login(admin)
    r = client.get(url(tenant, "export.csv"))
    assert r["Content-Type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())  # Excel reads the names as UTF-8
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["username", "softphone", "calling_number"]
    assert rows[1][:4] == ["bob", "10001", "13900000001", "yes"]
    upload = SimpleUploadedFile("s.csv", r.content, content_type="text/csv")
    r = client.post(url(tenant, "import/"), {"file": upload}, follow=True)
    assert "0 added, 0 updated, 1 unchanged" in r.content.decode()


def test_import_reads_a_file_saved_by_a_chinese_spreadsheet(client, admin, tenant, make_manager):
    make_manager("li")
    client.force_login(admin)
    text = "用户名,软电话,主叫号码\nli,10005,13900000005\n"
    upload = SimpleUploadedFile("m.csv", text.encode("gbk"), content_type="text/csv")
    r = client.post(url(tenant, "import/"), {"file": upload}, follow=True)
    assert "1 added" in r.content.decode()
    assert SoftphoneMapping.objects.get(tenant=tenant, user__username="li").softphone == "10005"


def test_import_is_admin_only(client, supervisor, tenant):
    client.force_login(supervisor)
    assert client.post(url(tenant, "import/"), {"text": "bob,10001"}).status_code == 403


# ---- allocated by AICC ---------------------------------------------------------------------


def test_allocated_list_shows_status_and_owner(client, admin, manager, tenant, simctl):
    client.force_login(admin)
    r = client.get(url(tenant, "allocated/"))
    body = r.content.decode()
    assert r.status_code == 200
    assert "10010" in body and "Night shift (paused)" in body and "paused" in body
    assert "registered" in body and "Bob" in body
    assert "?softphone=10002" in body  # a free one, ready to assign
    assert "Sim@" not in body  # the SIP password never shows


def test_allocated_list_failure_is_decoded(client, admin, tenant, simctl):
    simctl.scenario(interface="queryPhone", fault="reset")
    client.force_login(admin)
    r = client.get(url(tenant, "allocated/"))
    assert r.status_code == 200 and "The list could not be fetched" in r.content.decode()
