"""Create (idempotently) a demo tenant wired to the local AICC simulator, with one admin, one
supervisor and two customer managers with softphones. Prints the logins."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from console.models import Membership, SoftphoneMapping, Tenant

DEMO_PASSWORD = "demo-pass-2026"
PEOPLE = [
    # username, full name, role, softphone, calling number
    ("admin", "Ada Admin", Membership.Role.ADMIN, "", ""),
    ("supervisor", "Sue Supervisor", Membership.Role.SUPERVISOR, "", ""),
    ("manager1", "Max Manager", Membership.Role.MANAGER, "10001", "13900000001"),
    ("manager2", "Mia Manager", Membership.Role.MANAGER, "10002", ""),
]


class Command(BaseCommand):
    help = "Create the demo tenant and users (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--simulator-url", default="http://127.0.0.1:8099")

    @transaction.atomic
    def handle(self, *args, simulator_url, **options):
        tenant, _ = Tenant.objects.update_or_create(
            slug="demo",
            defaults={
                "name": "Demo Company",
                "aicc_base_url": simulator_url,
                "aicc_token_url": "",
                "app_key": "demo-app-key",
                "access_codes": "4001234567\n4001234568",
                "softphone_ranges": "10001-10010",
            },
        )
        if tenant.app_secret != "demo-app-secret":
            tenant.app_secret = "demo-app-secret"
            tenant.save(update_fields=["app_secret"])
        for username, full_name, role, softphone, calling in PEOPLE:
            first, last = full_name.split(" ", 1)
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            Membership.objects.update_or_create(tenant=tenant, user=user, defaults={"role": role})
            if softphone and not tenant.softphones.filter(user=user).exists():
                SoftphoneMapping.objects.create(
                    tenant=tenant, user=user, softphone=softphone, calling_number=calling
                )
        self.stdout.write(f"Demo tenant '{tenant.name}' uses the AICC simulator at {simulator_url}")
        self.stdout.write(f"Logins (password for each: {DEMO_PASSWORD}):")
        for username, _name, role, softphone, _calling in PEOPLE:
            extra = f", softphone {softphone}" if softphone else ""
            self.stdout.write(f"  {username:<11} {role.label}{extra}")
