"""The history's manager filter: its options written once per language and set of managers
(calls.history_filter.ManagerOptions), the chosen one marked per request, a value checked by a
dict lookup: the same page, the same errors, any change to the managers shown at once."""

import re

import pytest
from django import forms
from django.utils import translation
from django.utils.html import escape

from calls.history_filter import HistoryFilter, ManagerField, ManagerOptions, _written_options
from console.models import Membership
from tests.calls.test_history import mk, serials_or_codes, url
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def manager_select(body: str) -> str:
    return re.search(r'<select name="manager".*?</select>', body, re.S).group(0)


def selected(body: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', manager_select(body))


def page(client, tenant, query="", **headers) -> str:
    r = client.get(url(tenant, query), **headers)
    assert r.status_code == 200
    return r.content.decode()


def add_manager(tenant, username, **names):
    user = make_user(username, **names)
    Membership.objects.create(tenant=tenant, user=user, role=Membership.Role.MANAGER)
    return user


def test_the_chosen_manager_is_marked_and_filters(client, supervisor, manager, tenant):
    dan = add_manager(tenant, "dan", first_name="Dan")
    mine, dans = mk(tenant, manager, 2), mk(tenant, dan, 1)
    client.force_login(supervisor)
    assert selected(page(client, tenant)) == [""]  # "Everyone"
    for who, calls in ((dan, dans), (manager, mine)):
        body = page(client, tenant, f"manager={who.pk}")
        assert selected(body) == [str(who.pk)]
        assert set(serials_or_codes(body)) == {str(c.code) for c in calls}
    # The options themselves are untouched by a request's mark (the cached HTML is shared).
    assert selected(page(client, tenant)) == [""]


def test_a_manager_added_renamed_or_removed_shows_at_once(client, supervisor, manager, tenant):
    client.force_login(supervisor)
    assert "Bob</option>" in manager_select(page(client, tenant))  # the options now cached
    dan = add_manager(tenant, "dan", first_name="Dan")
    assert f'<option value="{dan.pk}">Dan</option>' in manager_select(page(client, tenant))
    dan.first_name, dan.last_name = "Daniel", "Ng"
    dan.save()
    select = manager_select(page(client, tenant, f"manager={dan.pk}"))
    assert f'<option value="{dan.pk}" selected>Daniel Ng</option>' in select
    assert ">Dan</option>" not in select
    Membership.objects.filter(user=dan).update(role=Membership.Role.SUPERVISOR)
    body = page(client, tenant, f"manager={dan.pk}")
    assert f'value="{dan.pk}"' not in manager_select(body)
    assert f"Select a valid choice. {dan.pk} is not one of the available choices." in body


@pytest.mark.parametrize("value", ["abc", "999999", " 1", "1.0", '"><b>x</b>'])
def test_a_bad_value_is_refused_as_before(client, supervisor, manager, tenant, value):
    mk(tenant, manager, 2)
    client.force_login(supervisor)
    r = client.get(url(tenant), {"manager": value})
    body = r.content.decode()
    assert r.status_code == 200
    shown = forms.TypedChoiceField(choices=[(1, "x")]).error_messages["invalid_choice"] % {
        "value": value
    }
    assert f'<ul class="errorlist"><li>{escape(shown)}</li>' in body
    assert 'aria-invalid="true"' in manager_select(body)
    assert selected(body) == []  # nothing marked: the select shows its first option
    assert len(serials_or_codes(body)) == 2  # the invalid filter is ignored
    assert "<b>x</b>" not in body


def test_another_tenants_manager_is_refused(client, supervisor, manager, tenant, other_tenant):
    theirs = add_manager(other_tenant, "olga", first_name="Olga")
    mk(other_tenant, theirs, 2)
    mk(tenant, manager, 1)
    client.force_login(supervisor)
    body = page(client, tenant, f"manager={theirs.pk}")
    assert f"Select a valid choice. {theirs.pk} is not one of the available choices." in body
    assert "Olga" not in body and f'value="{theirs.pk}"' not in manager_select(body)
    assert len(serials_or_codes(body)) == 1  # this tenant's call only
    # Olga managing both tenants: chosen in each, each showing only its own calls.
    Membership.objects.create(tenant=tenant, user=theirs, role=Membership.Role.MANAGER)
    body = page(client, tenant, f"manager={theirs.pk}")
    assert selected(body) == [str(theirs.pk)] and serials_or_codes(body) == []


def test_the_options_follow_the_language(client, supervisor, manager, tenant):
    client.force_login(supervisor)
    assert ">Everyone</option>" in manager_select(page(client, tenant))
    zh = manager_select(page(client, tenant, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert ">所有人</option>" in zh and ">Everyone</option>" not in zh


def test_the_options_are_written_once_per_language_and_managers(supervisor, manager, tenant):
    from calls.history_filter import manager_options

    _written_options.cache_clear()
    with translation.override("en"):
        first = manager_options(tenant)
        assert manager_options(tenant) is first
    with translation.override("zh-hans"):
        assert manager_options(tenant) is not first
    add_manager(tenant, "dan")
    with translation.override("en"):
        again = manager_options(tenant)
        assert again is not first and "dan" in again.html


@pytest.mark.parametrize("value", [None, "", "2", "3", "4", "abc", "02", '2"', "-1"])
def test_the_field_answers_as_djangos_typed_choice_field(value):
    """ManagerField (options written once, a dict lookup) against the TypedChoiceField it
    replaces: the same cleaned value or error, and the same HTML as Django's own templates."""
    managers = [(2, "Zoë <b>&</b>"), (3, 'Say "hi"'), (4, "Bob")]
    ours = ManagerField(required=False, coerce=int, empty_value=None)
    ours.offer(ManagerOptions(managers))
    theirs = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, choices=[("", "Everyone"), *managers]
    )

    def outcome(field):
        try:
            return ("ok", field.clean(value))
        except forms.ValidationError as e:
            return ("error", e.messages)

    assert outcome(ours) == outcome(theirs)

    class Ours(forms.Form):
        manager = ours

    class Theirs(forms.Form):
        manager = theirs

    data = None if value is None else {"manager": value}
    html = str(Ours(data)["manager"])
    assert re.sub(r">\s+<", "><", html) == re.sub(r">\s+<", "><", str(Theirs(data)["manager"]))


def test_the_form_takes_plain_pairs_too(manager):
    """The API passes (id, name) pairs (console.selectors.manager_choices)."""
    form = HistoryFilter({"manager": str(manager.pk)}, managers=[(manager.pk, "Bob")])
    assert form.is_valid() and form.cleaned_data["manager"] == manager.pk
    form = HistoryFilter({"manager": str(manager.pk + 1)}, managers=[(manager.pk, "Bob")])
    assert not form.is_valid() and "manager" in form.errors
