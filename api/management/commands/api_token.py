"""API tokens from the command line, for scripts and set-up (audited, with no actor):

    manage.py api_token create --tenant acme --user bob [--name CRM] [--expires-days 90]
    manage.py api_token list --tenant acme
    manage.py api_token revoke --tenant acme aicc_AbCdEfGh

`create` prints the new token alone on standard output (it is shown this once); `revoke` takes
the token's prefix as `list` shows it (or the whole token).
"""

from django.core.management.base import BaseCommand, CommandError

from api import tokens
from api.models import ApiToken
from console.models import Membership, Tenant


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a token and print it (shown once).")
        create.add_argument("--tenant", required=True, help="The tenant's short name (slug).")
        create.add_argument("--user", required=True, help="The person's username.")
        create.add_argument("--name", default="command line", help="What it is for.")
        create.add_argument("--expires-days", type=int, default=None)
        listing = sub.add_parser("list", help="The tenant's tokens (never the tokens themselves).")
        listing.add_argument("--tenant", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("--tenant", required=True)
        revoke.add_argument("prefix", help="The prefix `list` shows, e.g. aicc_AbCdEfGh.")

    def handle(self, *args, action, **options):
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant {options['tenant']!r}.")
        getattr(self, f"_{action}")(tenant, options)

    def _create(self, tenant, options):
        membership = (
            Membership.objects.select_related("tenant", "user")
            .filter(tenant=tenant, user__username=options["user"])
            .first()
        )
        if membership is None:
            raise CommandError(f"{options['user']!r} is not a member of {tenant.slug!r}.")
        days = options["expires_days"]
        if days is not None and not (1 <= days <= tokens.MAX_EXPIRY_DAYS):
            raise CommandError(f"--expires-days must be 1 to {tokens.MAX_EXPIRY_DAYS}.")
        issued = tokens.issue(
            membership=membership, name=options["name"], expires_days=days, actor=None
        )
        self.stderr.write(
            f"Token {issued.record.prefix}… for {membership.user.username} "
            f"({membership.get_role_display()}) in {tenant.slug}; shown only now:"
        )
        self.stdout.write(issued.token)

    def _list(self, tenant, options):
        for t in tokens.tokens_of(tenant):
            self.stdout.write(
                "\t".join(
                    [
                        t.prefix,
                        t.state(),
                        t.membership.user.username,
                        t.membership.role,
                        t.name,
                        f"created {t.created_at:%Y-%m-%d %H:%M}",
                        f"expires {t.expires_at:%Y-%m-%d %H:%M}" if t.expires_at else "no expiry",
                        f"last used {t.last_used_at:%Y-%m-%d %H:%M}"
                        if t.last_used_at
                        else "never used",
                    ]
                )
            )

    def _revoke(self, tenant, options):
        prefix = options["prefix"][: tokens.SHOWN].rstrip("…")
        found = list(
            ApiToken.objects.filter(tenant=tenant, prefix=prefix).select_related(
                "membership__user", "tenant"
            )
        )
        if len(found) != 1:
            raise CommandError(f"No single token {prefix!r} in {tenant.slug!r} ({len(found)}).")
        if tokens.revoke(token=found[0], actor=None):
            self.stdout.write(f"Revoked {prefix}.")
        else:
            self.stdout.write(f"{prefix} was already revoked.")
