from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"

    def ready(self):
        from django.db.models.signals import post_migrate, post_save

        from calls.services.dispositions import defaults_for_new_tenant
        from console.models import Tenant

        # Every tenant starts with the default dispositions, however it is created (the demo
        # seed, Django's admin, a benchmark, the tests' fixtures).
        post_save.connect(defaults_for_new_tenant, sender=Tenant, dispatch_uid="calls-dispositions")
        # SQLite: the number search's trigram index and its triggers (calls/number_search.py),
        # put back after any migration that rebuilt calls_call (which drops its triggers); the same
        # for the dashboard's rollup triggers (calls/rollups.py).
        post_migrate.connect(_number_search, sender=self, dispatch_uid="calls-number-search")


def _number_search(sender, using="default", **kwargs):
    from django.db import connections

    from calls import rollups, sqlite_stats
    from calls.number_search import repair

    repair(connections[using])
    rollups.repair(connections[using])
    sqlite_stats.restore(connections[using])
