"""`manage.py seed_demo_lists`: the demo tenant's call list and do-not-call entry (`make run`, after
seed_demo and seed_history), so "Call next" and the guardrails have something to show. Idempotent:
a second run changes nothing."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from console.models import Tenant
from guardrails.models import DoNotCall
from guardrails.services import dnc_add
from lists.models import CallList
from lists.services import list_create, list_import

LIST_NAME = "Renewals this week"
ROWS = [
    ["Number", "Name", "Company", "Context", "Priority", "Contract end"],
    ["13800001234", "Li Lei", "Acme Trading", "Contract ends Friday; offer 10% for 2 years.", "2",
     "2026-12-04"],
    ["13900005678", "Han Meimei", "Blue Sky Logistics", "Asked about the new rates.", "1",
     "2026-12-10"],
    ["13600002468", "Wang Fang", "Wang & Sons", "Renewal letter sent last week.", "", "2026-12-12"],
    ["13812340001", "Zhao Lei", "", "New lead from the trade fair.", "", ""],
    ["13812340002", "Sun Li", "Pearl River Foods", "Wants a call after 14:00.", "", ""],
    ["13812340003", "Qian Yu", "", "Asked not to be called: left out at import.", "", ""],
]  # fmt: skip
DO_NOT_CALL = ("13812340003", "Asked not to be called again (demo).")


class Command(BaseCommand):
    help = "Seed the demo tenant's call list and do-not-call entry (make run)."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", default="demo")

    def handle(self, *args, **options):
        tenant = Tenant.objects.get(slug=options["tenant"])
        members = User.objects.filter(memberships__tenant=tenant).order_by("username")
        supervisor = members.filter(memberships__role="supervisor").first()
        if not DoNotCall.objects.filter(tenant=tenant).exists():
            dnc_add(tenant=tenant, number=DO_NOT_CALL[0], reason=DO_NOT_CALL[1], actor=supervisor)
        if CallList.objects.filter(tenant=tenant, name=LIST_NAME).exists():
            return
        managers = members.filter(memberships__role="manager")
        data = {
            "name": LIST_NAME,
            "description": "Customers whose contract ends soon: renew before it does.",
            "owner": supervisor,
            "starts_on": None,
            "ends_on": None,
            "max_attempts": 3,
            "retry_minutes": 60,
        }
        call_list = list_create(tenant=tenant, data=data, members=managers, actor=supervisor)
        report = list_import(call_list=call_list, rows=ROWS, actor=supervisor)
        self.stdout.write(
            f"Call list '{LIST_NAME}': {report.imported} entries for "
            f"{', '.join(m.username for m in managers)}; {report.do_not_call_count} left out "
            "(do-not-call)."
        )
