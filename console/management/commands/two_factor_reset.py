"""Reset a person's two-factor sign-in from the command line: for someone who lost their phone
and their recovery codes and has no tenant admin to do it on the People page (for example the
only admin). Their app and recovery codes are deleted and all their sessions end; they sign in
with their password and can set it up again. Audited in each of their tenants."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from console.services.two_factor import user_reset


class Command(BaseCommand):
    help = "Turn off a person's two-factor sign-in (lost phone and recovery codes)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.")
        had, ended = user_reset(user)
        state = "was on and is now off" if had else "was already off"
        self.stdout.write(
            f"Two-factor sign-in of {username} {state}; {ended} session(s) ended. They sign in "
            "with their password and can set it up again."
        )
