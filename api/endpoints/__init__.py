"""The API's resources, one module each, mounted in this order (prefix, router). A new
resource is a new module with a `router`, and a line here."""

from api.endpoints import call_lists, calls, customers, do_not_call, followups, reasons, wrapups

ROUTERS = [
    ("", calls.router),
    ("", reasons.router),
    ("", customers.router),
    ("", wrapups.router),
    ("", followups.router),
    ("", call_lists.router),
    ("", do_not_call.router),
]
