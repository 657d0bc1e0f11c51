"""The history's and the follow-ups list's rows are written in Python (calls/history_rows.py,
calls/followup_rows.py): every value there is escaped, and the rows say what the template said."""

from datetime import timedelta

from django.contrib.auth.models import User

from calls.models import Disposition, WrapUpState
from customers.models import Customer, CustomerNumber
from tests.followups.conftest import make_call, make_follow_up

HOSTILE = '<script>alert("x")</script>&'


def test_history_rows_escape_names_labels_and_numbers(client, tenant, manager, supervisor):
    User.objects.filter(pk=manager.pk).update(first_name=HOSTILE)
    customer = Customer.objects.create(tenant=tenant, name=HOSTILE)
    CustomerNumber.objects.create(tenant=tenant, customer=customer, number="+8613800000000")
    label = Disposition.objects.filter(tenant=tenant).first()
    Disposition.objects.filter(pk=label.pk).update(label_en=HOSTILE)
    make_call(
        tenant, manager, customer_number="+8613800000000", serial="<b>1</b>",
        wrapup_state=WrapUpState.DONE, disposition_id=label.pk, has_note=True,
    )  # fmt: skip
    client.force_login(supervisor)
    html = client.get(f"/t/{tenant.code}/calls/").content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "<script>" not in rows
    # The manager, the customer's name, the disposition.
    assert rows.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;") == 3
    assert "&lt;b&gt;1&lt;/b&gt;" in rows and "(note)" in rows
    assert f'href="/t/{tenant.code}/customers/+8613800000000/"' in rows


def test_follow_up_rows_escape_notes_and_keep_line_breaks(client, tenant, manager):
    call = make_call(tenant, manager)
    make_follow_up(
        tenant, manager, due_in=timedelta(hours=-1), note=f"first {HOSTILE}\nsecond",
        called="13800000001", source_call=call,
    )  # fmt: skip
    client.force_login(manager)
    html = client.get(f"/t/{tenant.code}/follow-ups/").content.decode()
    assert "<script>" not in html
    assert "first &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;<br>second" in html
    assert 'name="csrfmiddlewaretoken" value="' in html and "Mark done" in html
    assert f'/t/{tenant.code}/calls/{call.code}/"' in html  # the call it follows
