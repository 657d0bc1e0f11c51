"""/api/v1/call-lists (issue 19): create and read lists, import and read entries, and call next
for a token's customer manager; problem+json for what is refused; tenants never meet."""

import json

import pytest

from lists.models import CallList, ListEntry
from tests.lists.factories import add_entry, make_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, bearer):
    def call(method, token, path, body=None, **headers):
        kwargs = {"headers": {**bearer(token), **headers}}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call


def test_a_supervisor_creates_a_list_and_imports_entries(
    api, tenant, supervisor, manager, token_for
):
    token = token_for(supervisor, tenant)
    r = api("post", token, "/call-lists", {"name": "Leads", "pool": ["bob"], "max_attempts": 2})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "Leads" and body["counts"]["total"] == 0 and body["owner"] == "sam"
    list_id = body["id"]
    entries = [
        {"number": "13800001111", "name": "Li Lei", "Region": "North", "priority": 3},
        {"number": "13800002222"},
        {"number": "+8613800001111"},
    ]
    r = api("post", token, f"/call-lists/{list_id}/entries", {"entries": entries})
    assert r.status_code == 201, r.content
    assert r.json()["imported"] == 2 and r.json()["duplicates"] == 1
    r = api("get", token, f"/call-lists/{list_id}/entries?size=1")
    page = r.json()
    assert page["items"][0]["extra"] == {"Region": "North"} and page["items"][0]["priority"] == 3
    r = api("get", token, f"/call-lists/{list_id}/entries?after={page['next_cursor']}")
    assert [e["customer_number"] for e in r.json()["items"]] == ["+8613800002222"]
    assert api("get", token, f"/call-lists/{list_id}").json()["counts"]["open"] == 2
    bad = api("post", token, f"/call-lists/{list_id}/entries", {"entries": [{"number": "12"}]})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert "Line 2:" in bad.json()["errors"]["entries"][0]
    # A manager's token may neither create nor import.
    mtoken = token_for(manager, tenant)
    assert api("post", mtoken, "/call-lists", {"name": "x"}).status_code == 403
    assert (
        api("post", mtoken, f"/call-lists/{list_id}/entries", {"entries": entries}).status_code
        == 403
    )
    assert [x["name"] for x in api("get", mtoken, "/call-lists").json()] == ["Leads"]


def test_call_next_then_call_the_entry(api, tenant, manager, token_for, simctl):
    cl = make_list(tenant, members=[manager])
    entry = add_entry(cl, number="13800000005", name="Han Meimei")
    token = token_for(manager, tenant)
    r = api("post", token, "/call-lists/next", {})
    assert r.status_code == 200 and r.json()["id"] == str(entry.code)
    r = api(
        "post",
        token,
        f"/call-lists/entries/{entry.code}/call",
        {},
        **{"Idempotency-Key": "key-00001"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "placed"
    entry.refresh_from_db()
    assert entry.attempts == 1 and entry.last_call.code.hex == r.json()["id"].replace("-", "")
    assert api("post", token, "/call-lists/next", {}).status_code == 204


def test_another_tenants_lists_and_entries_are_404(api, tenant, other_tenant, manager, supervisor,
                                                   outsider, token_for):  # fmt: skip
    cl = make_list(tenant, members=[manager])
    entry = add_entry(cl)
    token = token_for(outsider, other_tenant)
    assert api("get", token, f"/call-lists/{cl.code}").status_code == 404
    assert api("get", token, f"/call-lists/{cl.code}/entries").status_code == 404
    r = api(
        "post", token, f"/call-lists/{cl.code}/entries", {"entries": [{"number": "13800000001"}]}
    )
    assert r.status_code == 404
    assert api("get", token, "/call-lists").json() == []
    for who in (manager, supervisor):
        mine = token_for(who, tenant)
        other = CallList.objects.create(tenant=other_tenant, name="Theirs")
        assert api("get", mine, f"/call-lists/{other.code}").status_code == 404
        other.delete()
    r = api(
        "post",
        token,
        f"/call-lists/entries/{entry.code}/call",
        {},
        **{"Idempotency-Key": "key-00002"},
    )
    assert r.status_code in (403, 404)  # an admin's token elsewhere: refused before looking
    assert ListEntry.objects.get(pk=entry.pk).attempts == 0
