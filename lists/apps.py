from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "lists"

    def ready(self):
        from calls.services.wrapup import wrapped_up
        from lists.queue import on_wrapped_up

        # A call placed from a list entry decides the entry's fate when it is wrapped up, by its
        # manager or automatically (calls.services.wrapup sends `wrapped_up` for both).
        wrapped_up.connect(on_wrapped_up, dispatch_uid="lists-entry-fate")
