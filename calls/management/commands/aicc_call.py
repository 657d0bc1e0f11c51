"""Place one call from the command line with a tenant's stored credentials, follow it to the end,
and print the decoded outcome. Shares every step with the web flow (calls.services)."""

import time
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from calls.models import Call
from calls.numbers import normalise, validate_number
from calls.services import placing
from console.models import Membership, Tenant


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
            mapping.calling_number = normalise(o["caller"])
        try:
            called = validate_number(normalise(o["called"]))
        except ValidationError as e:
            raise CommandError(f"--called: {' '.join(e.messages)}") from None

        placed = placing.call_place(
            membership=membership,
            mapping=mapping,
            called=called,
            call_data=o["call_data"],
            caller_present=normalise(o["caller_present"]),
            idempotency_key=uuid4().hex,
        )
        call = placed.call
        if placed.busy:  # one live call per manager: their softphone carries one call
            self.stdout.write(
                f"not placed: call {call.code} to {call.called} of this softphone's manager is "
                "still live (wait for it to end, or stop following it on the call page)"
            )
            raise CommandError("a call is in progress")
        self.stdout.write(
            f"call {call.code}: {call.get_status_display()} ({call.elapsed_ms or 0:.0f} ms)"
        )
        if call.status != Call.Status.PLACED:
            reason = call.reason()
            self.stdout.write(f"  {reason.source} {reason.code}: {reason.title}")
            self.stdout.write(f"  {reason.explanation}")
            self.stdout.write(f"  next step: {reason.next_step} (who: {reason.fixer.label()})")
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
        outcome = call.outcome()
        if outcome is not None:
            self.stdout.write(f"  outcome: {outcome.code} {outcome.title}")
