"""Every response carries the configured Content-Security-Policy (django-csp's middleware)."""


def directives(header: str) -> dict[str, list[str]]:
    parts = (d.split() for d in header.split(";") if d.strip())
    return {name: sorted(values) for name, *values in parts}


def test_responses_carry_the_configured_policy(client, db, settings):
    r = client.get("/accounts/login/")
    assert r.status_code == 200
    configured = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives(r["Content-Security-Policy"]) == {
        name: sorted(values) for name, values in configured.items()
    }


def test_a_changed_policy_is_sent(client, db, settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/accounts/login/")["Content-Security-Policy"] == "default-src 'none'"
