"""Place one call from the command line with a tenant's stored credentials, follow it to the end,
and print the decoded outcome. Shares every step with the web flow (calls.services), the input
rules included (calls/call_input.py): a refused value is stored as a failed call and never sent.

Exit status: 0 placed; 1 not placed (refused by the console or by AICC, nothing to check);
3 outcome unknown (a call may have been placed: check before calling again)."""

import time
from uuid import uuid4

from django.core.management.base import BaseCommand, CommandError

from calls.aicc.reasons import Reader
from calls.models import Call
from calls.services import placing
from console.models import Membership, Tenant

# The option that carried each field of calls/call_input.py.
OPTIONS = {
    "softphone": "--softphone",
    "caller": "--caller (or the softphone's calling number)",
    "called": "--called",
    "call_data": "--call-data",
    "caller_present": "--caller-present",
}


class Command(BaseCommand):
    help = "Place one AICC two-way call for a tenant's softphone and follow it until it ends."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="tenant short name (slug)")
        parser.add_argument("--softphone", required=True)
        parser.add_argument("--called", required=True)
        parser.add_argument("--caller", default=None, help="default: the mapping's calling number")
        parser.add_argument("--call-data", default="")
        parser.add_argument("--caller-present", default="")
        parser.add_argument(
            "--follow", type=float, default=120.0, help="seconds to follow the call (0: don't)"
        )

    def handle(self, *args, **o):
        tenant = Tenant.objects.filter(slug=o["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with short name {o['tenant']!r}.")
        mapping = tenant.softphones.select_related("user").filter(softphone=o["softphone"]).first()
        if mapping is None:
            raise CommandError(
                f"Softphone {o['softphone']} is not mapped to anyone in {tenant.slug}."
            )
        membership = (
            Membership.objects.select_related("tenant")
            .filter(tenant=tenant, user=mapping.user)
            .first()
        )
        if membership is None:
            raise CommandError(f"The softphone's user is not a member of {tenant.slug}.")
        if o["caller"] is not None:
            mapping.calling_number = o["caller"]  # this call only; checked like the mapping's

        # Every value goes through the one set of rules inside call_place.
        placed = placing.call_place(
            membership=membership,
            mapping=mapping,
            called=o["called"],
            call_data=o["call_data"],
            caller_present=o["caller_present"],
            idempotency_key=uuid4().hex,
        )
        call = placed.call
        if placed.busy:  # one live call per manager: their softphone carries one call
            self.stdout.write(
                f"not placed: call {call.code} to {call.called} of this softphone's manager is "
                "still live (wait for it to end, or stop following it on the call page)"
            )
            raise CommandError("a call is in progress")
        if placed.wrapup_due:  # the tenant allows no call while answered calls await wrap-up
            self.stdout.write(
                f"not placed: call {call.code} to {call.called} of this softphone's manager "
                "awaits its wrap-up (the manager wraps it up on the call page first)"
            )
            raise CommandError("a wrap-up is pending")
        self.stdout.write(
            f"call {call.code}: {call.get_status_display()} ({call.elapsed_ms or 0:.0f} ms)"
        )
        if call.status != Call.Status.PLACED:
            # Whoever runs this reads about the softphone's owner, not to them.
            reason = call.reason(Reader.OTHERS)
            self.stdout.write(f"  {reason.source} {reason.code}: {reason.title}")
            self.stdout.write(f"  {reason.explanation}")
            if placed.guard is not None and not placed.guard.ok:  # the figures, when it opens
                self.stdout.write(f"  {call.detail}")
            for name, messages in placed.refused.items():
                self.stdout.write(f"  {OPTIONS[name]}: {' '.join(messages)}")
            self.stdout.write(f"  next step: {reason.next_step} (who: {reason.who})")
            if call.status == Call.Status.UNKNOWN:
                raise CommandError(
                    "the outcome is unknown: a call may have been placed", returncode=3
                )
            raise CommandError("the call was not placed")
        self.stdout.write(f"  serial number: {call.serial}")
        deadline = time.monotonic() + o["follow"]
        last_state = None
        while o["follow"] and time.monotonic() < deadline and call.state != 3:
            time.sleep(0.5)
            call = placing.call_refresh_state(call)
            if call.state != last_state:
                self.stdout.write(f"  state {call.state}")
                last_state = call.state
        outcome = call.outcome(Reader.OTHERS)
        if outcome is not None:
            self.stdout.write(f"  outcome: {outcome.code} {outcome.title}")
