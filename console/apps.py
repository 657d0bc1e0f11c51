from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from console.ratelimit import note_login_failure

        user_login_failed.connect(note_login_failure, dispatch_uid="console-login-failed")
