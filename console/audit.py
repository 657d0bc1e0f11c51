"""Recording who changed what: one AuditEntry per change, with {field: [before, after]}.

Secret fields never get their values recorded, only the word "changed" (or "cleared"), so the
audit log can be shown to supervisors and exported without leaking credentials.
"""

from django.utils.translation import gettext_lazy as _

from console.models import AuditEntry, Tenant

SECRET_FIELDS = frozenset({"app_secret", "password", "token", "shared_key"})
CHANGED = "changed"

# Every action the console records, with its label for the audit page's filter.
ACTIONS = {
    "settings.change": _("Settings changed"),
    "credentials.change": _("Credentials changed"),
    "softphone.add": _("Softphone added"),
    "softphone.change": _("Softphone changed"),
    "softphone.disable": _("Softphone disabled"),
    "softphone.enable": _("Softphone enabled"),
    "softphone.import": _("Softphones imported"),
    "member.create": _("User created"),
    "member.add": _("Member added"),
    "member.invite": _("Invitation sent"),
    "member.uninvite": _("Invitation withdrawn"),
    "member.join": _("Invitation accepted"),
    "member.signup": _("Account created from an invitation"),
    "member.decline": _("Invitation declined"),
    "member.role": _("Role changed"),
    "member.remove": _("Member removed"),
    "callbacks.token": _("Callback address renewed"),
    "callbacks.key": _("Callback shared key changed"),
    "two_factor.on": _("Two-factor sign-in turned on"),
    "two_factor.off": _("Two-factor sign-in turned off"),
    "two_factor.codes": _("New recovery codes made"),
    "two_factor.reset": _("Two-factor sign-in reset"),
    "webhook.add": _("Webhook endpoint added"),
    "webhook.change": _("Webhook endpoint changed"),
    "webhook.rotate": _("Webhook secret rotated"),
    "webhook.remove": _("Webhook endpoint removed"),
    "webhook.resend": _("Webhook event sent again"),
    "webhook.disable": _("Webhook endpoint disabled after failing"),
    "api_token.issue": _("API token issued"),
    "api_token.revoke": _("API token revoked"),
    "customer.add": _("Customer added"),
    "customer.change": _("Customer changed"),
    "customer.remove": _("Customer deleted"),
    "customer.import": _("Customers imported"),
    "call_list.add": _("Call list created"),
    "call_list.change": _("Call list changed"),
    "call_list.pause": _("Call list paused"),
    "call_list.resume": _("Call list resumed"),
    "call_list.import": _("Call list entries imported"),
    "call_list.assign": _("Call list entries assigned"),
    "disposition.add": _("Disposition added"),
    "disposition.change": _("Disposition changed"),
    "disposition.move": _("Disposition moved"),
    "disposition.archive": _("Disposition archived"),
    "disposition.restore": _("Disposition brought back"),
    "wrapup.add": _("Call wrapped up"),
    "wrapup.change": _("Wrap-up changed"),
    "wrapup.comment": _("Comment on a wrap-up"),
    "follow_up.schedule": _("Follow-up scheduled"),
    "follow_up.reschedule": _("Follow-up rescheduled"),
    "follow_up.cancel": _("Follow-up cancelled"),
    "follow_up.done": _("Follow-up done"),
    "call.override": _("Called anyway past a guardrail"),
    "dnc.add": _("Number added to the do-not-call list"),
    "dnc.remove": _("Number taken off the do-not-call list"),
    "dnc.import": _("Do-not-call list imported"),
    "guardrails.change": _("Guardrails changed"),
}


def _plain(value):
    """A JSON-friendly value for the log."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(obj, fields) -> dict:
    """The current values of `fields`. Secret fields keep only whether they are set."""
    return {
        f: bool(getattr(obj, f)) if f in SECRET_FIELDS else _plain(getattr(obj, f)) for f in fields
    }


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields that differ; secrets become "changed"."""
    out = {}
    for field, old in before.items():
        new = after.get(field)
        if old != new:
            out[field] = CHANGED if field in SECRET_FIELDS else [old, new]
    for field, new in after.items():
        if field not in before:
            out[field] = CHANGED if field in SECRET_FIELDS else [None, new]
    return out


def record(
    *, tenant: Tenant, actor, action: str, target: str = "", changes: dict | None = None
) -> AuditEntry:
    assert action in ACTIONS, f"add {action!r} to console.audit.ACTIONS"
    changes = {
        k: CHANGED if k in SECRET_FIELDS and v != CHANGED else v for k, v in (changes or {}).items()
    }
    return AuditEntry.objects.create(
        tenant=tenant, actor=actor, action=action, target=target[:200], changes=changes
    )
