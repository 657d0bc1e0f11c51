from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"

    def ready(self):
        from django.db.models.signals import post_save

        from calls.services.dispositions import defaults_for_new_tenant
        from console.models import Tenant

        # Every tenant starts with the default dispositions, however it is created (the demo
        # seed, Django's admin, a benchmark, the tests' fixtures).
        post_save.connect(defaults_for_new_tenant, sender=Tenant, dispatch_uid="calls-dispositions")
