"""The customer directory: who may do what, the form's rules, the audit, CSV import and export."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from console.models import AuditEntry
from customers.models import Customer, CustomerNumber
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db


def t(tenant, path=""):
    return f"/t/{tenant.code}/customers/{path}"


def test_a_manager_adds_a_customer_and_it_is_audited(client, manager, tenant):
    client.force_login(manager)
    r = client.post(
        t(tenant, "new/"),
        {"name": "Li Lei", "number": "138-0000-1234", "other_numbers": "+44 20 7946 0958",
         "company": "Acme Ltd", "crm_id": "crm-42", "notes": "Prefers mornings"},
    )  # fmt: skip
    customer = Customer.objects.get()
    assert r.status_code == 302 and r["Location"] == t(tenant, "+8613800001234/")
    assert customer.primary_number == "+8613800001234" and customer.created_by == manager
    assert sorted(customer.numbers.values_list("number", flat=True)) == [
        "+442079460958",
        "+8613800001234",
    ]
    entry = AuditEntry.objects.get(action="customer.add")
    assert entry.actor == manager and entry.target == "Li Lei"
    assert entry.changes["numbers"] == [None, "+8613800001234 +442079460958"]
    # From the call form: back to it, with the number in it.
    r = client.post(t(tenant, "new/"), {"name": "Han", "number": "13900000009", "next": "call"})
    assert r["Location"] == f"/t/{tenant.code}/call/?called=%2B8613900000009"


def test_one_number_is_one_customer_in_any_form(client, manager, tenant):
    make_customer(tenant, "Li Lei", ("+8613800001234",))
    client.force_login(manager)
    for typed in ("+86 138-0000-1234", "8613800001234", "13800001234"):
        r = client.post(t(tenant, "new/"), {"name": "Twin", "number": typed})
        assert r.status_code == 200
        assert "+8613800001234 is already the number of Li Lei." in r.content.decode()
    assert Customer.objects.count() == 1


def test_invalid_numbers_are_refused_with_the_region(client, manager, tenant):
    client.force_login(manager)
    r = client.post(t(tenant, "new/"), {"name": "X", "number": "12345", "other_numbers": "abc"})
    body = r.content.decode()
    assert "“12345” is not a phone number of CN or with a country code." in body
    assert "“abc” is not a phone number" in body
    assert not Customer.objects.exists()


def test_edit_changes_numbers_and_is_audited(client, supervisor, tenant):
    c = make_customer(tenant, "Li Lei", ("+8613800001234", "+8613800005678"))
    client.force_login(supervisor)
    r = client.post(
        t(tenant, f"c/{c.code}/edit/"),
        {"name": "Li Lei", "number": "13800005678", "company": "New Co"},
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.primary_number == "+8613800005678" and c.company == "New Co"
    assert list(c.numbers.values_list("number", flat=True)) == ["+8613800005678"]
    changes = AuditEntry.objects.get(action="customer.change").changes
    assert changes["company"] == ["", "New Co"]
    assert changes["numbers"] == ["+8613800001234 +8613800005678", "+8613800005678"]


def test_who_may_delete_import_and_export(client, manager, supervisor, tenant):
    c = make_customer(tenant)
    client.force_login(manager)
    assert client.get(t(tenant)).status_code == 200
    assert client.get(t(tenant, "new/")).status_code == 200
    assert client.get(t(tenant, f"c/{c.code}/edit/")).status_code == 200
    assert client.post(t(tenant, f"c/{c.code}/delete/")).status_code == 403
    assert client.get(t(tenant, "import/")).status_code == 403
    assert client.get(t(tenant, "export.csv")).status_code == 403
    client.force_login(supervisor)
    r = client.post(t(tenant, f"c/{c.code}/delete/"))
    assert r.status_code == 302 and not Customer.objects.exists()
    assert not CustomerNumber.objects.exists()
    assert AuditEntry.objects.filter(action="customer.remove", target="Li Lei").exists()


def test_search_by_name_company_and_number(client, manager, tenant):
    make_customer(tenant, "Li Lei", ("+8613800001234",), company="Acme")
    make_customer(tenant, "Han Meimei", ("+8613900004321",))
    client.force_login(manager)

    def names(q):
        body = client.get(t(tenant), {"q": q}).content.decode()
        return [n for n in ("Li Lei", "Han Meimei") if n in body]

    assert names("") == ["Li Lei", "Han Meimei"]
    assert names("han") == ["Han Meimei"]
    assert names("acme") == ["Li Lei"]
    assert names("+86 138-0000-1234") == ["Li Lei"]
    assert names("4321") == ["Han Meimei"]


def test_the_directory_pages_by_keyset(client, manager, tenant):
    for i in range(55):
        make_customer(tenant, f"Customer {i:02d}", (f"+86138000{i:05d}",))
    client.force_login(manager)
    r = client.get(t(tenant))
    body = r.content.decode()
    assert "Customer 49" in body and "Customer 50" not in body
    after = r.context["page"].next_cursor
    body = client.get(t(tenant), {"after": after}).content.decode()
    assert "Customer 50" in body and "Customer 54" in body and "Customer 49" not in body
    assert client.get(t(tenant), {"after": "%%%garbage"}).status_code == 200


# ---- CSV import: all or nothing, with line numbers -------------------------------------------


def test_import_adds_and_updates_all_or_nothing(client, supervisor, tenant):
    make_customer(tenant, "Old Name", ("+8613800001234",))
    client.force_login(supervisor)
    text = (
        "name,number,company,crm_id,notes,other_numbers\n"
        "New Name,+86 138-0000-1234,Acme,crm-1,,\n"
        'Han Meimei,13900004321,,,"Notes, with a comma",+44 20 7946 0958;13900004322\n'
    )
    r = client.post(t(tenant, "import/"), {"text": text})
    assert r.status_code == 302
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["Han Meimei", "New Name"]
    han = Customer.objects.get(name="Han Meimei")
    assert han.notes == "Notes, with a comma"
    assert set(han.numbers.values_list("number", flat=True)) == {
        "+8613900004321", "+442079460958", "+8613900004322"
    }  # fmt: skip
    entry = AuditEntry.objects.get(action="customer.import")
    assert entry.changes == {"added": [None, 1], "updated": [None, 1]}


def test_import_reports_every_bad_row_with_its_line_and_imports_nothing(client, supervisor, tenant):
    make_customer(tenant, "Li Lei", ("+8613800001234",))
    make_customer(tenant, "Han Meimei", ("+8613900004321",))
    client.force_login(supervisor)
    text = "\n".join(
        [
            "Good,13700000001",  # 1
            "Bad number,12345",  # 2
            "Again,137 0000 0001",  # 3: the number of line 1
            ",13700000002",  # 4: no name
            "Both,13800001234,,,,13900004321",  # 5: two customers' numbers
            "Short",  # 6
            "x" * 2001 + ",13700000003",  # 7: a cell longer than any notes
        ]
    )
    r = client.post(t(tenant, "import/"), {"text": text})
    body = r.content.decode()
    assert r.status_code == 200
    assert "Nothing was imported: 6 row(s) have problems." in body
    assert "Line 2: “12345” is not a phone number of CN or with a country code." in body
    assert "Line 3: +8613700000001 also appears on line 1." in body
    assert "Line 4: the name is empty." in body
    assert "Line 5: its numbers belong to different customers (Han Meimei, Li Lei)." in body
    assert "Line 6: expected at least two columns: name, number." in body
    assert "Line 7: it is not a CSV row." in body
    assert Customer.objects.count() == 2  # nothing imported
    assert not AuditEntry.objects.filter(action__startswith="customer.").exists()


def test_import_reads_a_gb18030_upload(client, supervisor, tenant):
    client.force_login(supervisor)
    data = "姓名,号码\n李雷,13800001234\n".encode("gb18030")
    upload = SimpleUploadedFile("c.csv", data, content_type="text/csv")
    r = client.post(t(tenant, "import/"), {"file": upload})
    assert r.status_code == 302 and Customer.objects.get().name == "李雷"


def test_export_streams_what_imports_again(client, supervisor, tenant):
    make_customer(tenant, "=Li Lei", ("+8613800001234", "+442079460958"), company="Acme")
    client.force_login(supervisor)
    r = client.get(t(tenant, "export.csv"))
    assert r.status_code == 200 and r.streaming
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name", "number", "company", "crm_id", "notes", "other_numbers"]
    assert rows[1] == ["'=Li Lei", "+8613800001234", "Acme", "", "", "+442079460958"]
    Customer.objects.all().delete()
    r = client.post(t(tenant, "import/"), {"text": text})
    assert r.status_code == 302
    again = Customer.objects.get()
    assert set(again.numbers.values_list("number", flat=True)) == {
        "+8613800001234", "+442079460958"
    }  # fmt: skip
