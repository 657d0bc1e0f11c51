"""The exports' X-Export-Rows header (how many calls the streamed file will hold, for the history
page's progress bar) and the page's texts for that bar."""

import html
import re

import pytest

from calls.models import Call
from tests.calls.test_export import calls, read, url, xlsx_url  # noqa: F401 (calls: the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calls")]


def rows(response):
    return int(response["X-Export-Rows"])


def test_the_header_counts_the_calls_under_the_filter(client, supervisor, tenant):
    client.force_login(supervisor)
    for query, expected in [("", 3), ("status=failed", 1), ("status=placed", 2), ("number=999", 0)]:
        for address in (url(tenant, query), xlsx_url(tenant, query)):
            r = client.get(address)
            assert rows(r) == expected, address
            assert "Content-Length" not in r  # streamed: the length is not known in advance
        assert len(read(client.get(url(tenant, query)))) == expected  # the file agrees


def test_a_manager_counts_their_own_calls_only(client, manager, outsider, other_tenant, tenant):
    Call.objects.create(
        tenant=other_tenant, user=outsider, softphone="1", called="13800000009", idempotency_key="o"
    )
    client.force_login(manager)
    assert rows(client.get(url(tenant))) == 2  # not the supervisor's call, not the other tenant's
    assert rows(client.get(xlsx_url(tenant))) == 2
    client.force_login(outsider)
    assert rows(client.get(url(other_tenant))) == 1


def test_the_count_is_one_query_before_the_rows(
    client, supervisor, manager, tenant, django_assert_num_queries
):
    """The count comes before the calls are read, and the export's queries do not grow with its
    calls: membership, the filter's managers and dispositions, the count, the calls, then per
    chunk of 2,000 calls the people, labels and wrap-ups not yet
    known (calls/export_query.py)."""
    from tests.calls.test_export_equivalence import wrapped_calls

    client.force_login(supervisor)
    client.get(url(tenant))  # the session's first use writes to it: not part of the export
    wrapped_calls(tenant, [manager, supervisor], 5)
    expected = 8
    for address in (url(tenant), xlsx_url(tenant)):
        with django_assert_num_queries(expected) as captured:
            b"".join(client.get(address).streaming_content)
        sqls = [q["sql"].upper() for q in captured.captured_queries]
        count = next(i for i, sql in enumerate(sqls) if "COUNT(" in sql)
        select = next(i for i, sql in enumerate(sqls) if "ORDER BY" in sql and "CALLS_CALL" in sql)
        assert count < select
    wrapped_calls(tenant, [manager, supervisor], 60, start=5)  # more of the same: no more queries
    with django_assert_num_queries(expected):
        b"".join(client.get(url(tenant)).streaming_content)


def test_the_history_page_gives_the_progress_bar_its_texts(client, supervisor, tenant):
    client.force_login(supervisor)
    body = client.get(f"/t/{tenant.code}/calls/").content.decode()
    assert 'data-export="csv"' in body and 'data-export="xlsx"' in body
    assert html.escape("{done} of {total} calls", quote=False) in body
    assert 'role="status"' in body.split("data-export-progress", 1)[1]
    zh = client.get(f"/t/{tenant.code}/calls/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    box = zh.split("data-export-progress", 1)[1].split("</div>", 1)[0]
    texts = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', box))
    assert texts["rows"] == "{done} / {total} 条呼叫"
    for key, placeholders in [
        ("label", "{name}"),
        ("bytes", "{size}{total}"),
        ("saved-one", "{name}{n}"),
        ("saved-other", "{name}{n}"),
        ("failed-http", "{status}"),
    ]:
        assert "".join(re.findall(r"\{\w+\}", texts[key])) == placeholders, key
