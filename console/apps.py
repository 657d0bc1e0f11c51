from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from console import db

        # Connected after Django's own close_old_connections (django.db), so they run after it.
        request_started.connect(db.skip_check_if_just_used, dispatch_uid="console-db-check")
        request_finished.connect(db.note_request_end, dispatch_uid="console-db-check")
