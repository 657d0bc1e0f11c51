"""The demo history's after-call story (`manage.py seed_history`, so `make run` shows it): a few
saved customers called again and again, the wrap-ups of the ended calls (dispositions that match
how each call ended, a few notes, one of them private) and open follow-ups of the customer
managers, overdue, due today and due tomorrow.

Deterministic (its own random.Random, apart from the calls' own), and quick: the wrap-ups and
their first changes are two bulk inserts whatever the number of calls. Nothing is audited and no
webhook is sent: this is history, not something someone did just now."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from calls.aicc.reasons import Group
from calls.call_status import answered
from calls.models import Call, Disposition, FollowUp, WrapUp, WrapUpChange, WrapUpState
from calls.services.dispositions import disposition_for_outcome, dispositions_of
from console.models import Tenant
from customers.models import Customer, CustomerNumber
from customers.numbers import to_e164

# name, company, the numbers they are called on (the first is their primary one), CRM id, notes
CUSTOMERS = [
    ("Li Lei", "Acme Trading", ("13800001234", "13700001234"), "crm-1001", "Prefers mornings."),
    ("Han Meimei", "Blue Sky Logistics", ("13900005678",), "crm-1002", ""),
    ("Wang Fang", "Wang & Sons", ("13600002468",), "", "Speaks English too."),
    ("Zhang Wei", "", ("13500001357",), "crm-1004", ""),
    ("Chen Jing", "Pearl River Foods", ("13300009876",), "", ""),
]
REPEAT_SHARE = 0.04  # of the calls: to one of CUSTOMERS (so their timelines tell a story)
# What came of an answered call: (key, weight), among the connected dispositions.
CONNECTED = [("interested", 30), ("call_back", 25), ("not_interested", 30), ("wrong_person", 15)]
NOTE_SHARE = 0.15  # of the wrapped-up answered calls: with a note
NOTES = [
    "Wants the offer by e-mail.",
    "Asked for the price list; send it today.",
    "Busy this week, call again on Monday.",
    "Happy with the last delivery.",
    "Not the decision maker: ask for the purchasing manager.",
    "Compared us with a competitor; price matters most.",
    "客户希望下周再联系。",
    "已发送报价单，等待回复。",
]
PRIVATE_NOTE = "Mentioned a dispute with their bank: keep it between us."
FOLLOW_UP_NOTES = ["Send the quote.", "Confirm the delivery date.", "Ask about the contract."]


@dataclass
class Story:
    """What `seed_history` inserts besides the calls: the wrap-ups by the index of their call."""

    wraps: dict[int, tuple[WrapUp, dict]] = field(default_factory=dict)


def repeat_customers(tenant: Tenant, calls: list[Call], rng: random.Random) -> None:
    """Send a share of the calls to the demo's customers (before the calls are inserted)."""
    numbers = [n for _c, _co, nums, _id, _n in CUSTOMERS for n in nums]
    for call in calls:
        if rng.random() < REPEAT_SHARE:
            call.called = rng.choice(numbers)
            call.customer_number = to_e164(call.called, tenant.default_region)


def wrap_up_calls(tenant: Tenant, calls: list[Call], rng: random.Random) -> Story:
    """Decide each ended call's wrap-up and mirror it on the call (before the calls are
    inserted): an answered call wrapped up by its manager, a call never connected automatically
    from its outcome, or flagged when the manager's own phone was not reached."""
    ds = dispositions_of(tenant, archived=False)
    by_key = {d.key: d for d in ds}
    connected = [(by_key[k], w) for k, w in CONNECTED if k in by_key] or [
        (d, 1) for d in ds if d.group == Disposition.Kind.CONNECTED
    ]
    story = Story()
    private_left = 1
    for i, call in enumerate(calls):
        if call.status != Call.Status.PLACED or call.state != 3 or not call.outcome_code:
            continue
        at = (call.outcome_at or call.created_at) + timedelta(seconds=rng.randint(20, 300))
        if answered(call):
            if not connected:
                continue
            disposition = rng.choices([d for d, _w in connected], [w for _d, w in connected])[0]
            note, private = "", False
            if rng.random() < NOTE_SHARE:
                note = rng.choice(NOTES)
                if private_left and call.customer_number and _is_demo_customer(call):
                    note, private, private_left = PRIVATE_NOTE, True, 0
            wrap = WrapUp(
                tenant=tenant, disposition=disposition, note=note, note_private=private,
                author=call.user, wrapped_at=at, updated_at=at,
            )  # fmt: skip
            call.wrapup_state, call.has_note = WrapUpState.DONE, bool(note)
        else:
            outcome = call.outcome()
            if outcome.group == Group.CALLER_PHONE:
                call.wrapup_state = WrapUpState.PHONE
                continue
            disposition = disposition_for_outcome(ds, outcome)
            if disposition is None:
                continue
            wrap = WrapUp(
                tenant=tenant, disposition=disposition, automatic=True, wrapped_at=at,
                updated_at=at,
            )  # fmt: skip
            call.wrapup_state = WrapUpState.AUTO
        call.disposition = disposition
        after = {
            "disposition": disposition.pk,
            "note": wrap.note,
            "note_private": wrap.note_private,
        }
        story.wraps[i] = (wrap, after)
    return story


def _is_demo_customer(call: Call) -> bool:
    return call.called in {n for _c, _co, nums, _id, _n in CUSTOMERS for n in nums}


def save_story(
    tenant: Tenant, calls: list[Call], story: Story, managers: list, rng: random.Random, now
) -> None:
    """Insert the wrap-ups (the calls are inserted, with their keys), the demo's customers and
    the managers' open follow-ups."""
    wraps = []
    for i, (wrap, _after) in story.wraps.items():
        wrap.call = calls[i]
        wraps.append(wrap)
    WrapUp.objects.bulk_create(wraps, batch_size=2000)
    WrapUpChange.objects.bulk_create(
        [
            WrapUpChange(
                wrap_up=wrap, actor=wrap.author, at=wrap.wrapped_at, before={}, after=after
            )
            for wrap, after in story.wraps.values()
        ],
        batch_size=2000,
    )
    _customers(tenant)
    _follow_ups(tenant, calls, managers, rng, now)


def _customers(tenant: Tenant) -> None:
    region = tenant.default_region
    taken = set(CustomerNumber.objects.filter(tenant=tenant).values_list("number", flat=True))
    for name, company, numbers, crm_id, notes in CUSTOMERS:
        e164 = [to_e164(n, region) for n in numbers]
        if not all(e164) or taken.intersection(e164):
            continue  # a customer of the tenant's already has one of the numbers
        customer = Customer.objects.create(
            tenant=tenant, name=name, company=company, crm_id=crm_id, notes=notes,
            primary_number=e164[0],
        )  # fmt: skip
        CustomerNumber.objects.bulk_create(
            [CustomerNumber(tenant=tenant, customer=customer, number=n) for n in e164]
        )


def _follow_ups(
    tenant: Tenant, calls: list[Call], managers: list, rng: random.Random, now: datetime
) -> None:
    """Open follow-ups of the first customer manager (one overdue since yesterday, one due later
    today, one due tomorrow) and one of each other manager due today, each on a demo customer,
    from their last call to them when there is one."""
    tz = ZoneInfo(tenant.time_zone)
    today = now.astimezone(tz).date()
    tomorrow = datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)
    later_today = now + (tomorrow - now) / 2  # after now, before midnight, whenever it runs
    if not managers:
        return
    due = [
        (managers[0], datetime.combine(today - timedelta(days=1), time(16), tzinfo=tz)),
        (managers[0], later_today),
        (managers[0], datetime.combine(today + timedelta(days=1), time(10), tzinfo=tz)),
    ] + [(m, later_today) for m in managers[1:]]
    for n, (user, due_at) in enumerate(due):
        called = CUSTOMERS[n % len(CUSTOMERS)][2][0]
        number = to_e164(called, tenant.default_region)
        source = max(
            (c for c in calls if c.user_id == user.pk and c.customer_number == number),
            key=lambda c: c.created_at,
            default=None,
        )
        FollowUp.objects.create(
            tenant=tenant, called=called, customer_number=number, due_at=due_at,
            note=FOLLOW_UP_NOTES[n % len(FOLLOW_UP_NOTES)] if rng.random() < 0.8 else "",
            assignee=user, created_by=user, source_call=source,
        )  # fmt: skip
