"""Create (idempotently) a demo tenant wired to the local AICC simulator, with one admin, one
supervisor and two customer managers with softphones. Prints the logins.

With --console-url and --simulator-config it also writes the simulator's configuration: the demo
account pushes its connect and release events to the demo tenant's callback URLs on that console
(as a real AICC does once an admin enters them), so every call gets its outcome with nobody
watching (`make run`)."""

import json
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

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
        parser.add_argument(
            "--console-url",
            default="",
            help="where the simulator reaches this console (e.g. http://127.0.0.1:8000)",
        )
        parser.add_argument(
            "--simulator-config",
            default="",
            help="write the simulator's configuration (JSON) here, with the callback URLs",
        )

    @transaction.atomic
    def handle(self, *args, simulator_url, console_url="", simulator_config="", **options):
        if bool(console_url) != bool(simulator_config):
            raise CommandError("--console-url and --simulator-config go together")
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
        if simulator_config:
            write_simulator_config(tenant, console_url, Path(simulator_config))
            self.stdout.write(f"The simulator pushes call events to {console_url}")
        self.stdout.write(f"Logins (password for each: {DEMO_PASSWORD}):")
        for username, _name, role, softphone, _calling in PEOPLE:
            extra = f", softphone {softphone}" if softphone else ""
            self.stdout.write(f"  {username:<11} {role.label}{extra}")


def write_simulator_config(tenant: Tenant, console_url: str, path: Path) -> None:
    """The simulator's demo account (the tenant's app key and secret) with the tenant's callback
    URLs. Events are unsigned, as AICC sends them to URLs entered in its configuration pages."""
    from calls.services.outcomes import sync_row

    parts = urlsplit(console_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CommandError(f"--console-url must be an http(s) URL, not {console_url!r}")
    host = parts.hostname
    if host in ("0.0.0.0", "::"):  # noqa: S104 - listening everywhere: reach it on loopback
        host = "127.0.0.1" if host == "0.0.0.0" else "[::1]"  # noqa: S104
    elif ":" in host:
        host = f"[{host}]"
    base = f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")
    token = sync_row(tenant).token

    def url(kind: str) -> str:
        name = f"aicc-{kind}-event"
        return base + reverse(name, kwargs={"tenant_code": tenant.code, "token": token})

    account = {
        "app_key": tenant.app_key,
        "app_secret": tenant.app_secret,
        "connect_callback_url": url("connect"),
        "release_callback_url": url("release"),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"accounts": [account]}, indent=2) + "\n")
    path.chmod(0o600)  # it holds the demo's app secret and callback token
