"""Give the demo tenant a realistic call history (a few thousand calls over 30 days), once, with
its after-call story (calls/demo_story.py): wrap-ups, a few saved customers, open follow-ups.

    manage.py seed_history [--tenant demo] [--calls 3000] [--days 30]

Does nothing when the tenant already has calls, so `make run` can call it every time. The calls
the customer answered have recordings in the AICC simulator (calls/aicc/simulator/archive.py).
"""

import random
import secrets
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from calls import demo_story
from calls.aicc.simulator.archive import archived_serial
from calls.models import Call
from console.models import Membership, Tenant
from customers.numbers import to_e164

# (weight, status, reason_source, reason_code, ret_msg, http_status)
RESULTS = [
    (78, "placed", "", "", "success", 200),
    (
        4,
        "failed",
        "createCall",
        "8",
        "The calling number is not in the softphone number range",
        200,
    ),
    (3, "failed", "createCall", "5", "The format of the calling number is incorrect.", 200),
    (2, "failed", "createCall", "1", "Failed to add the outbound call task.", 200),
    (2, "failed", "createCall", "6", "The VDN is unavailable.", 200),
    (2, "failed", "http", "500", "", 500),
    (2, "failed", "transport", "refused", "", None),
    (2, "failed", "token", "401", "", 401),
    (3, "unknown", "transport", "timeout", "", None),
    (2, "unknown", "transport", "interrupted", "", None),
]
# (weight, AICC reasonCode, customer answered, agent answered)
OUTCOMES = [
    (50, "0", True, True),
    (15, "1", True, True),
    (14, "5", False, True),
    (9, "4", False, False),
    (5, "3", False, True),
    (2, "2", False, False),
    (5, None, False, False),  # no outcome known yet
]


@contextmanager
def backdated():
    """Let bulk_create keep the given created_at (auto_now_add would overwrite it)."""
    field = Call._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def backdated_bulk_create(calls: list[Call], batch_size: int = 2000) -> None:
    with backdated():
        Call.objects.bulk_create(calls, batch_size=batch_size)


def _pick(rng: random.Random, table: list[tuple]) -> tuple:
    return rng.choices(table, weights=[row[0] for row in table])[0]


def fake_calls(tenant: Tenant, people: list, n: int, days: int, seed: int = 2026) -> list[Call]:
    rng = random.Random(seed)
    tz = ZoneInfo(tenant.time_zone)
    today = timezone.localdate(timezone=tz)
    calls = []
    for i in range(n):
        user, softphone, caller = rng.choice(people)
        day = today - timedelta(days=rng.randrange(days))
        if day.weekday() >= 5 and rng.random() < 0.7:
            day -= timedelta(days=2)  # fewer calls at weekends
        at = datetime.combine(day, time(8, 30), tzinfo=tz) + timedelta(
            seconds=rng.randrange(9 * 3600)
        )
        at = min(at, timezone.now() - timedelta(minutes=1))
        _w, status, source, code, msg, http = _pick(rng, RESULTS)
        called = "13" + "".join(rng.choice("0123456789") for _ in range(9))
        c = Call(
            tenant=tenant,
            user=user,
            softphone=softphone,
            caller=caller,
            called=called,
            customer_number=to_e164(called, tenant.default_region),
            call_type=tenant.call_type,
            idempotency_key=f"seed-{seed}-{i}",
            created_at=at,
            status=status,
            reason_source=source,
            reason_code=code,
            ret_msg=msg,
            http_status=http,
            elapsed_ms=round(rng.uniform(60, 400), 1),
            answered_at=at + timedelta(milliseconds=300),
        )
        if status == "placed":
            c.serial = str(10**18 + secrets.randbelow(9 * 10**18))
            _w, outcome, customer, agent = _pick(rng, OUTCOMES)
            if outcome is not None:
                _outcome(c, rng, outcome, customer, agent)
            if c.talking_at:  # answered: the simulator has its recording (simulator/archive.py)
                c.serial = archived_serial(tenant.app_key, i)
        calls.append(c)
    return calls


def _outcome(c: Call, rng: random.Random, code: str, customer: bool, agent: bool) -> None:
    t = c.created_at + timedelta(seconds=1)
    c.state, c.outcome_code, c.outcome_source = 3, code, rng.choice(["push", "cdr"])
    c.agent_alerting_at = t if code != "2" else None
    if agent:
        c.agent_talking_at = t + timedelta(seconds=rng.randint(2, 8))
        c.alerting_at = c.agent_talking_at
    end = (c.alerting_at or t) + timedelta(seconds=rng.randint(5, 30))
    if customer:
        c.talking_at = end
        c.talk_seconds = rng.randint(15, 600)
        end = c.talking_at + timedelta(seconds=c.talk_seconds)
        c.released_at = end
    c.agent_released_at = end
    if c.agent_talking_at:
        c.agent_talk_seconds = int((end - c.agent_talking_at).total_seconds())
    c.outcome_at = end + timedelta(seconds=2)


class Command(BaseCommand):
    help = "Seed a demo call history (only when the tenant has no calls yet)."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", default="demo")
        parser.add_argument("--calls", type=int, default=3000)
        parser.add_argument("--days", type=int, default=30)

    @transaction.atomic
    def handle(self, *args, tenant, calls, days, **options):
        t = Tenant.objects.filter(slug=tenant).first()
        if t is None:
            raise CommandError(f"No tenant '{tenant}' (run seed_demo first).")
        if t.calls.exists():
            self.stdout.write(f"Tenant '{t.slug}' already has a call history; nothing seeded.")
            return
        people = [
            (m.user, mapping.softphone, mapping.calling_number)
            for m in t.memberships.filter(role=Membership.Role.MANAGER).select_related("user")
            for mapping in t.softphones.filter(user=m.user)[:1]
        ]
        if not people:
            raise CommandError(f"Tenant '{t.slug}' has no customer manager with a softphone.")
        seeded = fake_calls(t, people, calls, days)
        rng = random.Random(2027)  # the story's own: the calls stay as fake_calls makes them
        demo_story.repeat_customers(t, seeded, rng)
        story = demo_story.wrap_up_calls(t, seeded, rng)
        backdated_bulk_create(seeded)
        managers = list(dict.fromkeys(user for user, _softphone, _caller in people))
        demo_story.save_story(t, seeded, story, managers, rng, timezone.now())
        self.stdout.write(
            f"Seeded {calls} calls over {days} days for tenant '{t.slug}', "
            f"{len(story.wraps)} of them wrapped up."
        )
