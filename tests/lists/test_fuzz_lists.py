"""Fuzz (issue 19): every hostile value in each field of the call lists' forms (new, edit,
import, assign, pause, call next), plain and htmx, and in each cell of an imported row: never a
server error or a logged traceback. The net and its values are tests/test_fuzz.py's."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import test_fuzz
from tests.lists.factories import add_entry, make_list
from tests.test_fuzz import HOSTILE, SWEEP, VALUE, _check

clients, tracebacks = test_fuzz.clients, test_fuzz.tracebacks  # its fixtures

pytestmark = pytest.mark.django_db

LIST_FIELDS = ("name", "description", "owner", "starts_on", "ends_on", "max_attempts",
               "retry_minutes", "members")  # fmt: skip
COLUMNS = ("number", "name", "company", "context", "due start", "due end", "priority",
           "manager", "Region")  # fmt: skip


@pytest.fixture
def forms(tenant, manager):
    cl = make_list(tenant, members=[manager])
    entry = add_entry(cl)
    lst = f"lists/{cl.code}/"
    return [
        ("supervisor", "post", "lists/new/", LIST_FIELDS),
        ("supervisor", "post", lst + "edit/", LIST_FIELDS),
        ("supervisor", "post", lst + "import/", ("text",)),
        ("supervisor", "post", lst + "assign/", ("source", "to", "count")),
        ("admin", "post", lst + "pause/", ("paused",)),
        ("manager", "post", "lists/next/", ("list",)),
        ("manager", "get", "lists/next/", ("list", "last", "empty")),
        ("manager", "post", f"lists/entries/{entry.code}/skip/", ("x",)),
    ]


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_list_forms_never_fail(data, clients, tenant, forms, simctl, tracebacks):
    role, method, path, fields = data.draw(st.sampled_from(forms))
    chosen = data.draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
    values = {name: data.draw(VALUE) for name in chosen}
    url = f"/t/{tenant.code}/{path}"
    response = getattr(clients[role], method)(url, values)
    _check(response, f"{role} {method.upper()} {url} {values!r}", tracebacks)
    if method == "post":
        response = clients[role].post(url, values, headers={"HX-Request": "true"})
        _check(response, f"{role} htmx POST {url} {values!r}", tracebacks)


def test_every_list_field_takes_every_hostile_value(clients, tenant, forms, simctl, tracebacks):
    for role, method, path, fields in forms:
        url = f"/t/{tenant.code}/{path}"
        for name in fields:
            for value in SWEEP:
                response = getattr(clients[role], method)(url, {name: value})
                _check(response, f"{role} {method.upper()} {url} {name}={value!r}", tracebacks)


def test_every_cell_of_an_imported_row_takes_every_hostile_value(clients, tenant, forms,
                                                                  tracebacks):  # fmt: skip
    url = f"/t/{tenant.code}/{forms[2][2]}"
    for i, _column in enumerate(COLUMNS):
        for value in HOSTILE:
            cells = ["13800001234", "Li", "", "", "", "", "", "", ""]
            cells[i] = '"' + value.replace('"', '""') + '"'
            text = ",".join(COLUMNS) + "\n" + ",".join(cells) + "\n"
            response = clients["supervisor"].post(url, {"text": text})
            _check(response, f"import {_column}={value!r}", tracebacks)
            # The import itself answered: its page, its problems (422), or the list imported.
            assert response.status_code in (200, 302, 422), (_column, value, response.status_code)
