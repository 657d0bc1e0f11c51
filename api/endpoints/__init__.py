"""The API's resources, one module each, mounted in this order (prefix, router). A new
resource is a new module with a `router`, and a line here."""

from api.endpoints import calls, followups, reasons

ROUTERS = [
    ("", calls.router),
    ("", reasons.router),
    ("", followups.router),
]
