"""The audit log in words: each entry's action, fields and values as the audit page shows them
("Role: Supervisor → Customer manager"), never the codes stored ("member.role", "role",
"supervisor")."""

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from console.audit import ACTIONS, CHANGED
from console.models import AuditEntry, Membership, Tenant

# Fields recorded that are not a Tenant field (whose own verbose names are used).
FIELD_LABELS = {
    "user": gettext_lazy("Customer manager"),
    "softphone": gettext_lazy("Softphone"),
    "calling_number": gettext_lazy("Calling number"),
    "enabled": gettext_lazy("Status"),
    "added": gettext_lazy("Added"),
    "updated": gettext_lazy("Updated"),
    "username": gettext_lazy("Username"),
    "name": gettext_lazy("Name"),
    "email": gettext_lazy("E-mail"),
    "e-mail": gettext_lazy("E-mail"),
    "role": gettext_lazy("Role"),
    "invited": gettext_lazy("Invited by e-mail"),
    "softphones disabled": gettext_lazy("Softphones disabled"),
    "sessions ended": gettext_lazy("Sessions ended"),
    "shared_key": gettext_lazy("Shared key"),
    "person": gettext_lazy("Person"),
    "expires": gettext_lazy("Expires"),
    "company": gettext_lazy("Company"),
    "crm_id": gettext_lazy("CRM id"),
    "notes": gettext_lazy("Notes"),
    "numbers": gettext_lazy("Numbers"),
    # dispositions and wrap-ups (calls.services.dispositions, calls.services.wrapup)
    "label_en": gettext_lazy("Label in English"),
    "label_zh": gettext_lazy("Label in Chinese"),
    "group": gettext_lazy("Group"),
    "auto_outcomes": gettext_lazy("Automatic for these outcomes"),
    "order": gettext_lazy("Order"),
    "archived": gettext_lazy("Archived"),
    "position": gettext_lazy("Position"),
    "disposition": gettext_lazy("Disposition"),
    "note": gettext_lazy("Note"),
    "note_private": gettext_lazy("Private note"),
}
# The fields of member.* and softphone.* entries are never the tenant's own ("name" is a person's).
PERSON_ACTIONS = ("member.", "softphone.", "api_token.", "customer.", "disposition.", "wrapup.")


@dataclass
class Line:
    field: str
    text: str


@dataclass
class Described:
    entry: AuditEntry
    action: str
    lines: list[Line]


def field_label(action: str, field: str) -> str:
    if not action.startswith(PERSON_ACTIONS):
        try:
            return capfirst(Tenant._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            pass
    return str(FIELD_LABELS.get(field, field.replace("_", " ").capitalize()))


def value_text(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if field == "role":
        try:
            return str(Membership.Role(value).label)
        except ValueError:
            return str(value)
    if field == "call_type":
        try:
            return str(Tenant.CallType(value).label)
        except ValueError:
            return str(value)
    if field == "enabled" and isinstance(value, bool):
        return _("enabled") if value else _("disabled")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def change_text(field: str, change) -> str:
    if change == CHANGED:
        return _("changed (not shown)")
    if not isinstance(change, list | tuple) or len(change) != 2:
        return value_text(field, change)
    before, after = change
    if before is None:
        return value_text(field, after)
    return f"{value_text(field, before)} → {value_text(field, after)}"


def describe(entry: AuditEntry) -> Described:
    return Described(
        entry=entry,
        action=str(ACTIONS.get(entry.action, entry.action)),
        lines=[
            Line(field_label(entry.action, field), change_text(field, change))
            for field, change in (entry.changes or {}).items()
        ],
    )
