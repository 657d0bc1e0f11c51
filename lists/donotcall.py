"""The do-not-call part of a list's import report: which of the imported numbers the tenant
does not want called, and why.

The tenant's do-not-call list is the guardrails' (issue 19, part 2), built beside this app: until
it is wired here, no number is blocked and the import report's do-not-call part stays empty.
"""

from console.models import Tenant


def blocked_numbers(tenant: Tenant, numbers: set[str]) -> dict[str, str]:
    """{E.164 number: the reason it must not be called} for those of `numbers` (E.164) on the
    tenant's do-not-call list. One query, whatever the number of numbers."""
    return {}
