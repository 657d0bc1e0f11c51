"""The header's navigation (console/nav.py): the links each role sees, in order, the page's own
entry marked, translated, and a manager's follow-ups due."""

import re

import pytest

from calls.models import FollowUp


def links(client, path):
    body = client.get(path).content.decode()
    nav = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', body, re.S).group(1)
    return re.findall(r'<a href="([^"]+)"( aria-current="(?:page|true)")?>([^<]*)', nav)


@pytest.mark.parametrize(
    ("who", "labels"),
    [
        ("manager", ["Call", "Call lists", "Call next", "Follow-ups", "My calls", "Customers"]),
        (
            "supervisor",
            ["Call lists", "Follow-ups", "History", "Customers", "Dashboard", "Live",
             "Settings",
             "Softphones", "People", "Audit log"],
        ),
        (
            "admin",
            ["Call lists", "Follow-ups", "History", "Customers", "Dashboard", "Live",
             "Settings",
             "Softphones", "People", "Webhooks", "Audit log", "API tokens"],
        ),
    ],
)  # fmt: skip
def test_each_role_sees_its_links_with_the_page_marked(client, tenant, request, who, labels):
    client.force_login(request.getfixturevalue(who))
    got = links(client, f"/t/{tenant.code}/calls/")
    assert [label for _, _, label in got] == labels
    assert all(url.startswith(f"/t/{tenant.code}/") for url, _, _ in got)
    marked = [(url, label) for url, mark, label in got if mark]
    assert marked == [(f"/t/{tenant.code}/calls/", labels[4 if who == "manager" else 2])]
    assert 'aria-current="page"' in client.get(f"/t/{tenant.code}/calls/").content.decode()


def test_a_page_under_an_entry_marks_it_true(client, tenant, admin):
    client.force_login(admin)
    got = links(client, f"/t/{tenant.code}/softphones/add/")
    assert [(label, mark) for _, mark, label in got if mark] == [
        ("Softphones", ' aria-current="true"')
    ]


def test_api_tokens_show_to_others_when_the_tenant_lets_them(client, tenant, supervisor):
    client.force_login(supervisor)
    assert "API tokens" not in [label for *_, label in links(client, f"/t/{tenant.code}/calls/")]
    tenant.api_self_service = True
    tenant.save(update_fields=["api_self_service"])
    assert "API tokens" in [label for *_, label in links(client, f"/t/{tenant.code}/calls/")]


def test_the_links_follow_the_language(client, tenant, supervisor):
    client.force_login(supervisor)
    client.cookies["django_language"] = "zh-hans"
    labels = [label for *_, label in links(client, f"/t/{tenant.code}/calls/")]
    assert "历史" in "".join(labels) or "通话记录" in "".join(labels)
    assert "History" not in labels


def test_a_manager_sees_the_follow_ups_due(client, tenant, manager):
    from django.utils import timezone

    client.force_login(manager)
    assert "due" not in str(links(client, f"/t/{tenant.code}/calls/"))
    for _ in range(2):
        FollowUp.objects.create(
            tenant=tenant, assignee=manager, created_by=manager, due_at=timezone.now(),
            called="13800001234",
        )  # fmt: skip
    body = client.get(f"/t/{tenant.code}/calls/").content.decode()
    assert '<span class="badge">2 due</span></a>' in body
