def wants_partial(request) -> bool:
    """True for a real htmx fragment request; boosted and history-restore requests want a page."""
    h = getattr(request, "htmx", None)
    return bool(h) and not h.boosted and not h.history_restore_request
