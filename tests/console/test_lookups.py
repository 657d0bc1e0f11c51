"""AnyOf (console/lookups.py): the ORM's `pk__in`, with the values as one parameter."""

import pytest
from django.contrib.auth.models import User
from django.db.models import F

from console.lookups import AnyOf

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return [User.objects.create(username=f"u{i}") for i in range(5)]


@pytest.mark.parametrize("pick", [[], [0], [1, 3], [0, 1, 2, 3, 4]])
def test_it_selects_what_pk_in_selects(users, pick):
    ids = [users[i].pk for i in pick]
    got = User.objects.filter(AnyOf(F("id"), ids)).order_by("pk")
    assert list(got) == list(User.objects.filter(pk__in=ids).order_by("pk"))
    assert [u.username for u in got] == [f"u{i}" for i in pick]


def test_unknown_and_repeated_ids_are_harmless(users):
    ids = [users[2].pk, users[2].pk, 10**12]
    assert list(User.objects.filter(AnyOf(F("id"), ids))) == [users[2]]


def test_it_is_one_parameter_however_many_ids(users):
    ids = range(users[0].pk - 1000, users[-1].pk + 1000)  # (ids go on between tests)
    found = User.objects.filter(AnyOf(F("id"), ids))
    sql, params = found.query.sql_with_params()
    assert len(params) == 1 and sql.count("%s") == 1
    assert list(found.order_by("pk")) == users


def test_values_must_be_whole_numbers():
    with pytest.raises(ValueError):
        User.objects.filter(AnyOf(F("id"), ["1 OR 1=1"]))
