"""A tenant's dispositions (what came of a call) and its wrap-up settings: the default set every
tenant starts with, the admin's changes (each audited), and which disposition wraps up a call
that never connected, from its decoded outcome."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify

from calls.aicc.reasons import Reason
from calls.models import Disposition
from console import audit
from console.models import Tenant
from console.prepared import Prepared

CONNECTED, NOT_CONNECTED = Disposition.Kind.CONNECTED, Disposition.Kind.NOT_CONNECTED

# The default set: (key, English, Chinese, group, the outcomes it wraps up by itself). Also in
# calls/migrations/0009 (for the tenants that existed before), as migrations must not import this.
DEFAULTS = (
    ("interested", "Interested", "有意向", CONNECTED, ""),
    ("call_back", "Call back later", "稍后回电", CONNECTED, ""),
    ("not_interested", "Not interested", "无意向", CONNECTED, ""),
    ("wrong_person", "Wrong person / Voicemail", "非本人 / 语音信箱", CONNECTED, ""),
    ("no_answer", "No answer", "无人接听", NOT_CONNECTED, "group:no_answer"),
    # Q.850 17 "user busy" (ITA): AICC's own end reasons have no busy of their own.
    ("busy", "Busy", "忙线", NOT_CONNECTED, "outcome_ita:17"),
    ("invalid_number", "Invalid number", "号码无效", NOT_CONNECTED, "group:number"),
)

# The tenant's wrap-up settings (the admin's Wrap-up page).
WRAPUP_FIELDS = ("wrapup_required", "wrapup_call_while_pending", "wrapup_edit_minutes")
FIELDS = ("label_en", "label_zh", "group", "auto_outcomes")


def create_defaults(tenant: Tenant) -> None:
    Disposition.objects.bulk_create(
        [
            Disposition(
                tenant=tenant,
                key=key,
                label_en=en,
                label_zh=zh,
                group=group,
                order=(i + 1) * 10,
                auto_outcomes=auto,
            )
            for i, (key, en, zh, group, auto) in enumerate(DEFAULTS)
        ],
        ignore_conflicts=True,
    )


def defaults_for_new_tenant(sender, instance: Tenant, created: bool, raw: bool = False, **kw):
    """post_save of Tenant (calls/apps.py): a new tenant gets the default set."""
    if created and not raw:
        create_defaults(instance)


# --- reading ------------------------------------------------------------------------------------


# Prepared (console/prepared.py): the history, the call page's wrap-up and the dashboard read it.
_DISPOSITIONS = Prepared(
    lambda tenant_id: Disposition.objects.filter(tenant_id=tenant_id), tenant_id=int
)


def dispositions_of(tenant: Tenant, *, archived: bool = True) -> list[Disposition]:
    """The tenant's dispositions in their order (without the archived ones: what is offered)."""
    found = _DISPOSITIONS.all(tenant_id=tenant.pk)
    return found if archived else [d for d in found if not d.archived]


def disposition_of(tenant: Tenant, code) -> Disposition:
    from django.http import Http404

    found = Disposition.objects.filter(tenant=tenant, code=code).first()
    if found is None:
        raise Http404
    return found


def disposition_for_outcome(dispositions: list[Disposition], reason: Reason) -> Disposition | None:
    """The active disposition whose automatic outcomes name this outcome's code, else its
    meaning group; None when none does."""
    active = [d for d in dispositions if not d.archived]
    code, group = f"{reason.source}:{reason.code}", f"group:{reason.group.value}"
    for wanted in (code, group):
        for d in active:
            if wanted in d.outcome_list:
                return d
    return None


# --- the admin's changes --------------------------------------------------------------------------


def _snapshot(d: Disposition) -> dict:
    return audit.snapshot(d, (*FIELDS, "order", "archived"))


def _key_for(tenant: Tenant, label: str) -> str:
    base = (slugify(label).replace("-", "_") or "disposition")[:32]
    taken = set(Disposition.objects.filter(tenant=tenant).values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def disposition_add(*, tenant: Tenant, data: dict, actor) -> Disposition:
    """A new disposition at the end of the list (its key from its English label)."""
    with transaction.atomic():
        last = Disposition.objects.filter(tenant=tenant).aggregate(m=Max("order"))["m"] or 0
        d = Disposition(tenant=tenant, order=last + 10, **{f: data[f] for f in FIELDS})
        d.key = _key_for(tenant, d.label_en or d.label_zh)
        try:
            with transaction.atomic():
                d.save()
        except IntegrityError:  # someone took the key a moment ago
            d.key = _key_for(tenant, f"{d.label_en or d.label_zh} {last + 10}")
            d.save()
        audit.record(
            tenant=tenant,
            actor=actor,
            action="disposition.add",
            target=d.label_en or d.label_zh,
            changes=audit.diff({}, _snapshot(d)),
        )
    return d


def disposition_change(*, disposition: Disposition, data: dict, actor) -> dict:
    before = _snapshot(disposition)
    for f in FIELDS:
        setattr(disposition, f, data[f])
    changes = audit.diff(before, _snapshot(disposition))
    if changes:
        with transaction.atomic():
            disposition.save(update_fields=list(FIELDS))
            audit.record(
                tenant=disposition.tenant,
                actor=actor,
                action="disposition.change",
                target=disposition.label_en or disposition.label_zh,
                changes=changes,
            )
    return changes


def disposition_archive(*, disposition: Disposition, archived: bool, actor) -> bool:
    """Archive (no longer offered; kept on its calls) or bring back. True when it changed."""
    if disposition.archived == archived:
        return False
    with transaction.atomic():
        Disposition.objects.filter(pk=disposition.pk).update(archived=archived)
        disposition.archived = archived
        audit.record(
            tenant=disposition.tenant,
            actor=actor,
            action="disposition.archive" if archived else "disposition.restore",
            target=disposition.label_en or disposition.label_zh,
            changes={"archived": [not archived, archived]},
        )
    return True


def disposition_move(*, disposition: Disposition, up: bool, actor) -> bool:
    """Swap it with its neighbour above (or below) in the list. True when it moved."""
    with transaction.atomic():
        ordered = list(Disposition.objects.filter(tenant_id=disposition.tenant_id))
        at = next((i for i, d in enumerate(ordered) if d.pk == disposition.pk), None)
        other = None if at is None else at - 1 if up else at + 1
        if other is None or not 0 <= other < len(ordered):
            return False
        ordered[at], ordered[other] = ordered[other], ordered[at]
        for i, d in enumerate(ordered):
            if d.order != (i + 1) * 10:
                Disposition.objects.filter(pk=d.pk).update(order=(i + 1) * 10)
        audit.record(
            tenant=disposition.tenant,
            actor=actor,
            action="disposition.move",
            target=disposition.label_en or disposition.label_zh,
            changes={"position": [at + 1, other + 1]},
        )
    return True


def wrapup_settings_save(*, tenant: Tenant, data: dict, actor) -> dict:
    """The tenant's wrap-up settings (WRAPUP_FIELDS), audited as a settings change."""
    before = audit.snapshot(tenant, WRAPUP_FIELDS)
    for f in WRAPUP_FIELDS:
        setattr(tenant, f, data[f])
    changes = audit.diff(before, audit.snapshot(tenant, WRAPUP_FIELDS))
    if changes:
        with transaction.atomic():
            tenant.save(update_fields=list(changes))
            audit.record(
                tenant=tenant,
                actor=actor,
                action="settings.change",
                target=tenant.name,
                changes=changes,
            )
    return changes
