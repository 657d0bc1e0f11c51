"""Twenty customer managers draw from one pool at once (issue 19, "Speed and safety"): each
entry is handed out once. Real threads, each with its own database connection, on whichever
database the tests run (SQLite here, PostgreSQL with DATABASE_URL=postgres://...)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from console.models import Membership, Tenant
from lists import queue
from lists.models import ListEntry
from tests.conftest import make_user
from tests.lists.factories import add_entry, make_list

pytestmark = pytest.mark.django_db(transaction=True)
MANAGERS, ENTRIES = 20, 300


def test_twenty_managers_drawing_from_one_pool_each_get_different_entries(db):
    tenant = Tenant.objects.create(name="Pool", slug="pool")
    users = [make_user(f"m{i}") for i in range(MANAGERS)]
    for u in users:
        Membership.objects.create(tenant=tenant, user=u, role=Membership.Role.MANAGER)
    cl = make_list(tenant, members=users)
    for _ in range(ENTRIES):
        add_entry(cl)
    got: dict[int, list[int]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(MANAGERS)

    def work(user):
        try:
            m = Membership.objects.select_related("tenant", "user").get(user=user)
            mine = got.setdefault(user.pk, [])
            start.wait()
            while (entry := queue.claim_next(m)) is not None:
                mine.append(entry.pk)
                # Called and finished: the next claim is a new entry.
                ListEntry.objects.filter(pk=entry.pk).update(status="done", queued=False)
        except BaseException as e:  # reported below, with the thread's traceback
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    handed = Counter(pk for entries in got.values() for pk in entries)
    assert [pk for pk, n in handed.items() if n > 1] == []
    assert len(handed) == ENTRIES
    assert sum(1 for entries in got.values() if entries) > 1  # they really drew at once
