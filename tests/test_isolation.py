"""Tenant isolation, for every URL of the project, found automatically.

The URL patterns are walked recursively, so a page added later is covered without anyone
remembering to add a test. Every pattern must be one of:

* skipped on purpose, by prefix or by name, with the reason written below (SKIP_PREFIXES,
  NO_TENANT, NOT_USER_PAGES);
* a tenant page (a `tenant_code` kwarg): then it must appear in EXPECTED (what each role of the tenant
  gets on a GET of its own page), and every other kwarg needs a factory in FACTORIES.

The checks:

1. every role of `tenant` (admin, supervisor, manager), with the URL filled entirely from
   ANOTHER tenant's objects, gets 404 (405 for a method the view does not take) and never
   200/302/403;
2. the outsider (admin of the other tenant) on `tenant`'s own URLs: the same;
3. a member of `tenant` using their own tenant's URL with another tenant's object (the classic
   insecure-direct-object-reference) gets 404, or the 403 their role gets on the page anyway;
4. the positive table: each role of `tenant` gets the expected status on its own pages.
"""

import re
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from calls.models import Call, FollowUp
from console.models import Invitation, Membership, SoftphoneMapping
from customers.models import Customer, CustomerNumber
from guardrails.models import DoNotCall
from hooks.models import Delivery, Endpoint
from lists.models import CallList, ListEntry

pytestmark = pytest.mark.django_db

# ---- what is skipped, and why -----------------------------------------------------------------

SKIP_PREFIXES = {
    "django-admin/": "Django's admin: superusers only, with its own permission checks.",
    "i18n/": "Language switch (set_language): no tenant data.",
    "accounts/": "Django auth pages (login, logout, password change/reset) and the person's own "
    "two-factor pages (its sign-in step, setup, recovery codes): no tenant data.",
    "static/": "Static files (only served by runserver): no tenant data.",
    "api/v1/": "The REST API: no login and no tenant in the URL, the bearer token decides both. "
    "Walked below (test_api_*): every role's token against another tenant's calls.",
}
NO_TENANT = {
    "home": "Redirects to the user's own current tenant; takes no tenant from the URL.",
    "healthz": "Load-balancer health check: answers only whether the database is up.",
    "favicon": "Redirects to the icon among the static files: no tenant data.",
    "call-link": "Deep link /call/?called=...: redirects to the user's own tenant's call page.",
    "invitation": "An invitation link: the secret token in the URL names it (test_invitations.py).",
    "invitation-open": "The invitation whose token is in the session (test_invitations.py).",
    "api-not-found": "Any other path under /api/v1/: a 404 problem, whoever asks.",
}
NOT_USER_PAGES = {
    "aicc-connect-event": "Pushed by AICC, authenticated by the secret token in the URL, not a login.",
    "aicc-release-event": "Pushed by AICC, authenticated by the secret token in the URL, not a login.",
}

# ---- what each role of the tenant gets on a GET of its own page ------------------------------

A, S, M = "admin", "supervisor", "manager"
POST_DENIED = "post_denied"  # for POST-only pages: the roles a POST answers 403


def post_only(*denied):
    """A page that takes only POST: `denied` roles get 403 whatever the method (the role is
    checked first), the others 405 on a GET."""
    return {**{r: 403 if r in denied else 405 for r in (A, S, M)}, POST_DENIED: set(denied)}


EXPECTED = {
    # console (tenant administration)
    "tenant-home": {A: 302, S: 302, M: 302},  # each role lands on its own start page
    "tenant-settings": {A: 200, S: 200, M: 403},  # supervisors read only (POST 403)
    "tenant-settings-test": post_only(S, M),
    "softphones": {A: 200, S: 200, M: 403},
    "softphone-add": {A: 200, S: 403, M: 403},
    "softphones-import": {A: 200, S: 403, M: 403},
    "softphones-export": {A: 200, S: 200, M: 403},
    "softphones-allocated": {A: 200, S: 200, M: 403},
    "softphone-health": {A: 200, S: 403, M: 403},
    "softphone-edit": {A: 200, S: 403, M: 403},
    "softphone-toggle": post_only(S, M),
    "people": {A: 200, S: 200, M: 403},
    "people-create": {A: 200, S: 403, M: 403},
    "people-invite": post_only(S, M),
    "invitation-withdraw": post_only(S, M),
    "person-role": post_only(S, M),
    "person-remove": {A: 200, S: 403, M: 403},  # GET: the confirmation page
    "person-two-factor-reset": post_only(S, M),
    "audit": {A: 200, S: 200, M: 403},
    # hooks (outbound webhooks: the tenant admin's only)
    "webhooks": {A: 200, S: 403, M: 403},
    "webhook-add": {A: 200, S: 403, M: 403},
    "webhook-detail": {A: 200, S: 403, M: 403},
    "webhook-rotate": post_only(S, M),
    "webhook-remove": post_only(S, M),
    "webhook-resend": post_only(S, M),
    # calls
    "call": {A: 403, S: 403, M: 200},
    "call-status": {A: 200, S: 200, M: 200},
    "call-unfollow": post_only(A, S),  # a customer manager stops following their own call
    "history": {A: 200, S: 200, M: 200},  # managers see their own calls
    "history-export": {A: 200, S: 200, M: 200},
    "history-export-xlsx": {A: 200, S: 200, M: 200},
    "history-callbacks": {A: 200, S: 403, M: 403},
    "call-detail": {A: 200, S: 200, M: 200},
    "call-refresh": post_only(),
    # The test call's made-up serial has no recording in the simulator (retCode 5): the page is
    # reached and says so with a 404; managers are turned away before that.
    "call-recording": {A: 404, S: 404, M: 403},
    "dashboard": {A: 200, S: 200, M: 403},
    "wallboard": {A: 200, S: 200, M: 403},
    # customers: every role reads and edits the directory; supervisors and admins also delete,
    # import and export; the timeline is every role's (what it shows depends on the role); the
    # call form's customer card is the call form's (managers only)
    "customers": {A: 200, S: 200, M: 200},
    "customer-new": {A: 200, S: 200, M: 200},
    "customer-edit": {A: 200, S: 200, M: 200},
    "customer-delete": {A: 200, S: 200, M: 403},
    "customers-import": {A: 200, S: 200, M: 403},
    "customers-export": {A: 200, S: 200, M: 403},
    "customer-timeline": {A: 200, S: 200, M: 200},
    "call-customer-card": {A: 403, S: 403, M: 200},
    # after-call work: a customer manager wraps up their own call, supervisors and admins comment,
    # admins change the dispositions and settings (supervisors read them)
    "call-wrapup": post_only(A, S),
    "call-wrapup-comment": post_only(M),
    "wrapup-settings": {A: 200, S: 200, M: 403},  # supervisors read only (POST 403)
    "disposition-add": post_only(S, M),
    "disposition-edit": {A: 200, S: 403, M: 403},
    "disposition-action": post_only(S, M),
    # follow-ups: a manager's own, the tenant's for supervisors and admins
    "follow-ups": {A: 200, S: 200, M: 200},
    "follow-up-new": {A: 200, S: 200, M: 200},
    "follow-up-edit": {A: 200, S: 200, M: 200},
    "follow-up-cancel": post_only(),
    "follow-up-done": post_only(),
    # call lists (issue 19): supervisors and admins set them up; managers see theirs and call next
    "call-lists": {A: 200, S: 200, M: 200},
    "call-list-new": {A: 200, S: 200, M: 403},
    "call-list": {A: 200, S: 200, M: 403},
    "call-list-edit": {A: 200, S: 200, M: 403},
    "call-list-import": {A: 200, S: 200, M: 403},
    "call-list-assign": {A: 200, S: 200, M: 403},
    "call-list-pause": post_only(M),
    "call-list-export": {A: 200, S: 200, M: 403},
    "call-next": {A: 403, S: 403, M: 200},
    "call-list-entry-call": post_only(A, S),
    "call-list-entry-skip": post_only(A, S),
    # guardrails: admins change the rules (supervisors read them); supervisors and admins keep
    # the do-not-call list (managers add to it from a wrap-up)
    "guardrails-settings": {A: 200, S: 200, M: 403},  # supervisors read only (POST 403)
    "dnc": {A: 200, S: 200, M: 403},
    "dnc-import": {A: 200, S: 200, M: 403},
    "dnc-export": {A: 200, S: 200, M: 403},
    "dnc-remove": post_only(M),
    # api (the tenant allows no self-service in these tests: admins only)
    "api-tokens": {A: 200, S: 403, M: 403},
    "api-token-revoke": post_only(S, M),
}


def may_be_403(name, role) -> bool:
    """Whether this role is turned away from this page anyway (so 403 reveals nothing)."""
    expected = EXPECTED.get(name, {})
    return expected.get(role) == 403 or role in expected.get(POST_DENIED, ())


# ---- building URLs ----------------------------------------------------------------------------


def walk(patterns, prefix="", converters=None):
    """(route, name, {kwarg: converter}) for every endpoint, nested includes flattened."""
    for p in patterns:
        route = prefix + str(p.pattern)
        conv = dict(converters or {})
        if not isinstance(p.pattern, RoutePattern):
            conv["<regex>"] = None  # regex patterns cannot be filled in automatically
        else:
            conv.update(p.pattern.converters)
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, route, conv)
        elif isinstance(p, URLPattern):
            yield route, p.name, conv


def all_endpoints():
    return list(walk(get_resolver().url_patterns))


def tenant_pages():
    pages, problems = [], []
    for route, name, conv in all_endpoints():
        if any(route.startswith(prefix) for prefix in SKIP_PREFIXES):
            continue
        if name in NOT_USER_PAGES:
            continue
        if "tenant_code" not in conv:
            if name not in NO_TENANT:
                problems.append(
                    f"{route!r} (name {name!r}) has no `tenant_code` kwarg: add it to NO_TENANT in "
                    "tests/test_isolation.py with the reason it needs no tenant check."
                )
            continue
        if "<regex>" in conv or not name:
            problems.append(f"{route!r}: give it a name and a path() route, so it can be tested.")
            continue
        pages.append((route, name, conv))
    return pages, problems


def fill(route: str, conv: dict, values: dict) -> str:
    def one(match):
        kwarg = match.group(1)
        return conv[kwarg].to_url(values[kwarg])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", one, route)


# One factory per URL kwarg: given a tenant and its people, the value for one of its objects.
FACTORIES = {
    "tenant_code": lambda world, t: t.code,
    "call_code": lambda world, t: world.call(t).code,
    "mapping_code": lambda world, t: world.mapping(t).code,
    "member_code": lambda world, t: t.memberships.order_by("id").first().code,
    "invitation_code": lambda world, t: world.invitation(t).code,
    "endpoint_code": lambda world, t: world.endpoint(t).code,
    "delivery_id": lambda world, t: world.delivery(t).pk,
    "token_code": lambda world, t: world.api_token(t).code,
    "customer_code": lambda world, t: world.customer(t).code,
    # A number that is a customer of that tenant only (the timeline of a number nothing of the
    # tenant knows is a 404).
    "number": lambda world, t: world.customer(t).primary_number,
    "disposition_code": lambda world, t: t.dispositions.order_by("id").first().code,
    "follow_up_code": lambda world, t: world.follow_up(t).code,
    "list_code": lambda world, t: world.call_list(t).code,
    "entry_code": lambda world, t: world.list_entry(t).code,
    "dnc_code": lambda world, t: world.dnc(t).code,
}


class World:
    """Objects of both tenants, made on demand."""

    def __init__(self, people):
        self.people = people  # tenant pk -> a customer manager of it

    def call(self, tenant):
        return Call.objects.get_or_create(
            tenant=tenant,
            idempotency_key=f"iso-{tenant.pk}",
            defaults={
                "user": self.people[tenant.pk],
                "softphone": "10001",
                "called": "13800000000",
                "status": Call.Status.PLACED,
                "serial": "1234567890123",
            },
        )[0]

    def follow_up(self, tenant):
        return FollowUp.objects.get_or_create(
            tenant=tenant,
            called="13800000009",
            defaults={
                "assignee": self.people[tenant.pk],
                "due_at": timezone.now() + timedelta(hours=1),
                "note": f"iso-{tenant.pk}",
                "source_call": self.call(tenant),
            },
        )[0]

    def call_list(self, tenant):
        found = CallList.objects.filter(tenant=tenant).first()
        if found is None:
            found = CallList.objects.create(tenant=tenant, name=f"List {tenant.pk}")
            found.members.add(self.people[tenant.pk])
        return found

    def list_entry(self, tenant):
        return ListEntry.objects.get_or_create(
            tenant=tenant,
            list=self.call_list(tenant),
            number="13800000008",
            defaults={"customer_number": "+8613800000008", "available_at": timezone.now()},
        )[0]

    def invitation(self, tenant):
        return Invitation.objects.get_or_create(
            tenant=tenant,
            email=f"invited-{tenant.pk}@example.com",
            defaults={
                "role": Membership.Role.MANAGER,
                "token_hash": f"iso-{tenant.pk}",
                "created_at": timezone.now(),
                "expires_at": timezone.now() + timedelta(days=1),
            },
        )[0]

    def mapping(self, tenant):
        return SoftphoneMapping.objects.filter(tenant=tenant).order_by("id").first()

    def endpoint(self, tenant):
        return Endpoint.objects.get_or_create(
            tenant=tenant,
            url=f"https://hooks.example.com/{tenant.pk}",
            defaults={"events": ["call.placed"], "secret": "whsec_aXNv"},
        )[0]

    def delivery(self, tenant):
        return Delivery.objects.get_or_create(
            tenant=tenant,
            endpoint=self.endpoint(tenant),
            event_id=f"evt_iso{tenant.pk}",
            defaults={"event_type": "call.placed", "body": "{}", "created_at": timezone.now()},
        )[0]

    def customer(self, tenant):
        number = f"+86139{tenant.pk:08d}"
        customer, created = Customer.objects.get_or_create(
            tenant=tenant, primary_number=number, defaults={"name": f"Customer {tenant.pk}"}
        )
        if created:
            CustomerNumber.objects.create(tenant=tenant, customer=customer, number=number)
        return customer

    def dnc(self, tenant):
        return DoNotCall.objects.get_or_create(
            tenant=tenant, number=f"+86137{tenant.pk:08d}", defaults={"reason": f"iso-{tenant.pk}"}
        )[0]

    def api_token(self, tenant):
        found = ApiToken.objects.filter(tenant=tenant).first()
        if found is not None:
            return found
        membership = tenant.memberships.get(user=self.people[tenant.pk])
        return tokens.issue(membership=membership, name="iso", expires_days=None, actor=None).record


def values_for(world, conv, tenant, objects_tenant=None):
    values = {}
    for kwarg in conv:
        factory = FACTORIES.get(kwarg)
        if factory is None:
            pytest.fail(
                f"URL kwarg {kwarg!r} has no factory: add one to FACTORIES in "
                "tests/test_isolation.py that returns the value for an object of a given tenant."
            )
        values[kwarg] = factory(
            world, tenant if kwarg == "tenant_code" else objects_tenant or tenant
        )
    return values


@pytest.fixture
def world(tenant, other_tenant, admin, supervisor, manager, outsider):
    other_manager = Membership.objects.create(
        tenant=other_tenant,
        user=manager.__class__.objects.create_user("olga-iso"),
        role=Membership.Role.MANAGER,
    ).user
    SoftphoneMapping.objects.create(tenant=other_tenant, user=other_manager, softphone="10005")
    return World({tenant.pk: manager, other_tenant.pk: other_manager})


def answers(client, url):
    return client.get(url).status_code, client.post(url).status_code


# ---- the tests --------------------------------------------------------------------------------


def test_every_url_is_classified():
    pages, problems = tenant_pages()
    missing = sorted({name for _r, name, _c in pages} - set(EXPECTED))
    if missing:
        problems.append(
            f"pages missing from EXPECTED in tests/test_isolation.py: {missing}; add what "
            "admin, supervisor and manager get on a GET of their own tenant's page."
        )
    assert not problems, "\n".join(problems)
    assert len(pages) >= 15  # the walk really found the console's pages


@pytest.mark.parametrize("role", ["admin", "supervisor", "manager"])
def test_members_get_404_on_another_tenants_urls(client, request, world, other_tenant, role):
    client.force_login(request.getfixturevalue(role))
    wrong = []
    for route, name, conv in tenant_pages()[0]:
        url = fill(route, conv, values_for(world, conv, other_tenant))
        got = answers(client, url)
        if not set(got) <= {404, 405} or 404 not in got:
            wrong.append(f"{name} {url}: GET {got[0]}, POST {got[1]}")
    assert not wrong, f"{role} of one tenant reached another tenant's pages:\n" + "\n".join(wrong)


def test_outsider_gets_404_on_this_tenants_urls(client, world, outsider, tenant):
    client.force_login(outsider)
    wrong = []
    for route, name, conv in tenant_pages()[0]:
        url = fill(route, conv, values_for(world, conv, tenant))
        got = answers(client, url)
        if not set(got) <= {404, 405} or 404 not in got:
            wrong.append(f"{name} {url}: GET {got[0]}, POST {got[1]}")
    assert not wrong, "an outsider reached this tenant's pages:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ["admin", "supervisor", "manager"])
def test_own_tenant_url_with_another_tenants_object_is_404(
    client, request, world, tenant, other_tenant, role
):
    client.force_login(request.getfixturevalue(role))
    wrong = []
    for route, name, conv in tenant_pages()[0]:
        if set(conv) == {"tenant_code"}:
            continue  # no object in the URL
        url = fill(route, conv, values_for(world, conv, tenant, objects_tenant=other_tenant))
        allowed = {404, 405} | ({403} if may_be_403(name, role) else set())
        got = answers(client, url)
        if not set(got) <= allowed:
            wrong.append(f"{name} {url}: GET {got[0]}, POST {got[1]}")
    assert not wrong, f"{role} reached another tenant's object:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ["admin", "supervisor", "manager"])
def test_each_role_gets_the_expected_answer_on_its_own_pages(
    client, request, world, tenant, role, simctl
):
    client.force_login(request.getfixturevalue(role))
    wrong = []
    for route, name, conv in tenant_pages()[0]:
        if name not in EXPECTED:
            continue  # reported by test_every_url_is_classified
        url = fill(route, conv, values_for(world, conv, tenant))
        status = client.get(url).status_code
        if status != EXPECTED[name][role]:
            wrong.append(f"{name} {url}: expected {EXPECTED[name][role]}, got {status}")
    assert not wrong, f"{role} on their own tenant's pages:\n" + "\n".join(wrong)


# ---- people: another tenant's users by username, id and e-mail --------------------------------


def test_another_tenants_people_are_out_of_reach(client, world, admin, tenant, other_tenant):
    """Every form or filter of `tenant` that names a person (by username, id or e-mail) treats
    another tenant's user exactly as a user who does not exist: no membership, mapping or row, and
    not one of their details on the page. The one thing a username reveals is that it is taken
    (creating a login must refuse it, as every sign-up form does)."""
    theirs = world.people[other_tenant.pk]  # a customer manager of the other tenant
    theirs.first_name, theirs.last_name, theirs.email = "Olga", "Secretname", "olga@other.example"
    theirs.save()
    client.force_login(admin)
    t = f"/t/{tenant.code}"

    def same(path, field, real, ghost, data=None, get=False, fmt="{}"):
        """The page for the other tenant's `real` person equals the page for the unknown `ghost`
        once each is replaced by a placeholder (`fmt` makes the field's value from it)."""
        pages = []
        for who in (real, ghost):
            payload = {**(data or {}), field: fmt.format(who)}
            r = client.get(path, payload) if get else client.post(path, payload)
            text = r.content.decode()
            if who.isdigit():  # an id such as "5" also occurs in UUIDs and codes: values only
                text = re.sub(rf'(?<=[=" ]){who}(?=["& ])', "WHO", text)
            else:
                text = text.replace(who, "WHO")
            text = re.sub(r'csrfmiddlewaretoken" value="[^"]+"|"x-csrftoken": "[^"]+"', "", text)
            pages.append((r.status_code, text))
        assert pages[0] == pages[1], f"{path} {field} answers another tenant's user differently"
        assert "Secretname" not in pages[0][1] and "olga@other.example" not in pages[0][1]

    # By username: a softphone mapping, an import row, the audit filter.
    same(f"{t}/softphones/add/", "user", "olga-iso", "ghost-iso", {"softphone": "10009"})
    same(f"{t}/softphones/import/", "text", "olga-iso", "ghost-iso", fmt="{},10009")
    same(f"{t}/audit/", "actor", "olga-iso", "ghost-iso", get=True)
    # By e-mail: an import row.
    same(f"{t}/softphones/import/", "text", "olga@other.example", "ghost@x.example", fmt="{},10009")
    # By id: the history's customer manager filter.
    same(f"{t}/calls/", "manager", str(theirs.pk), "999999", get=True)
    # By e-mail: the invitation (the message names the address the admin typed, nothing else).
    r = client.post(f"{t}/people/invite/", {"email": "olga@other.example", "role": "admin"})
    page = client.get(r.url).content.decode()
    assert "Secretname" not in page and "olga-iso" not in page
    # Creating a login with their username: refused, without their details.
    r = client.post(f"{t}/people/new/", {"username": "olga-iso", "role": "admin", "password": "x"})
    assert "That username is taken" in r.content.decode()
    assert "Secretname" not in r.content.decode()
    assert not Membership.objects.filter(tenant=tenant, user=theirs).exists()
    assert not SoftphoneMapping.objects.filter(tenant=tenant, user=theirs).exists()


# ---- the API: the token decides the tenant ---------------------------------------------------

API_CALL_URLS = ("/api/v1/calls/{code}",)


def api_endpoints():
    """Every API operation (path, methods), from the schema: a new endpoint is walked too."""
    from api.v1 import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return {path: set(ops) for path, ops in schema["paths"].items()}


@pytest.mark.parametrize("role", ["admin", "supervisor", "manager"])
def test_api_tokens_of_every_role_get_404_for_another_tenants_calls(
    client, request, world, tenant, other_tenant, role
):
    """Each role's token, against the other tenant's calls: 404 on every path that names a call,
    and nothing of theirs in any list."""
    token = tokens.issue(
        membership=tenant.memberships.get(user=request.getfixturevalue(role)),
        name="iso",
        expires_days=None,
        actor=None,
    ).token
    headers = {"Authorization": f"Bearer {token}"}
    theirs = world.call(other_tenant)
    endpoints = api_endpoints()
    wrong = []
    for path, methods in endpoints.items():
        if "{call_id}" not in path:
            continue
        url = path.replace("{call_id}", str(theirs.code))
        for method in methods:
            r = getattr(client, method)(url, headers=headers)
            if r.status_code != 404 or r["Content-Type"] != "application/problem+json":
                wrong.append(f"{method.upper()} {url}: {r.status_code}")
    for path, methods in endpoints.items():
        if "{" in path or "get" not in methods:
            continue
        body = client.get(path, headers=headers).content.decode()
        if str(theirs.code) in body or theirs.serial in body:
            wrong.append(f"GET {path} lists another tenant's call")
        if theirs.serial:  # by its serial, the history's exact filter
            found = client.get(path, {"serial": theirs.serial}, headers=headers).content.decode()
            if str(theirs.code) in found:
                wrong.append(f"GET {path}?serial= finds another tenant's call")
    assert any("{call_id}" in p for p in endpoints)
    assert not wrong, f"{role}'s token reached another tenant's calls:\n" + "\n".join(wrong)


def test_api_token_of_another_tenant_reaches_nothing_here(client, world, outsider, tenant):
    """The outsider (admin of the other tenant) with their own token: this tenant's call is 404,
    and no list shows it; a token never takes a tenant from the request."""
    other = outsider.memberships.get()
    token = tokens.issue(membership=other, name="iso", expires_days=None, actor=None).token
    headers = {"Authorization": f"Bearer {token}"}
    ours = world.call(tenant)
    r = client.get(f"/api/v1/calls/{ours.code}", headers=headers)
    assert r.status_code == 404
    r = client.get(f"/api/v1/calls?tenant={tenant.pk}&tenant_code={tenant.code}", headers=headers)
    assert r.status_code == 200 and str(ours.code) not in r.content.decode()


def test_api_manager_token_sees_only_their_own_calls(client, world, tenant, manager, supervisor):
    colleague = manager.__class__.objects.create_user("mia-iso")
    tenant.memberships.create(user=colleague, role=Membership.Role.MANAGER)
    theirs = Call.objects.create(
        tenant=tenant, user=colleague, softphone="10002", called="13800000001",
        idempotency_key="iso-colleague", status=Call.Status.PLACED, serial="99",
    )  # fmt: skip
    mine = world.call(tenant)
    m_token = tokens.issue(
        membership=tenant.memberships.get(user=manager), name="m", expires_days=None, actor=None
    ).token
    s_token = tokens.issue(
        membership=tenant.memberships.get(user=supervisor), name="s", expires_days=None, actor=None
    ).token
    as_manager = {"Authorization": f"Bearer {m_token}"}
    as_supervisor = {"Authorization": f"Bearer {s_token}"}
    assert client.get(f"/api/v1/calls/{theirs.code}", headers=as_manager).status_code == 404
    assert client.get(f"/api/v1/calls/{mine.code}", headers=as_manager).status_code == 200
    listed = client.get("/api/v1/calls", headers=as_manager).content.decode()
    assert str(mine.code) in listed and str(theirs.code) not in listed
    assert client.get(f"/api/v1/calls/{theirs.code}", headers=as_supervisor).status_code == 200


@pytest.mark.parametrize("role", ["admin", "supervisor", "manager"])
def test_api_tokens_of_every_role_get_404_for_another_tenants_customers(
    client, request, world, tenant, other_tenant, role
):
    """Each role's token, against the other tenant's customer: 404 on every path that names a
    customer, whatever the method, and nothing of theirs in any list or search."""
    token = tokens.issue(
        membership=tenant.memberships.get(user=request.getfixturevalue(role)),
        name="iso",
        expires_days=None,
        actor=None,
    ).token
    headers = {"Authorization": f"Bearer {token}"}
    theirs = world.customer(other_tenant)
    endpoints = api_endpoints()
    wrong = []
    for path, methods in endpoints.items():
        if "{customer_id}" not in path:
            continue
        url = path.replace("{customer_id}", str(theirs.code))
        for method in methods:
            body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
            r = getattr(client, method)(url, headers=headers, **body)
            if r.status_code != 404 or r["Content-Type"] != "application/problem+json":
                wrong.append(f"{method.upper()} {url}: {r.status_code}")
    listed = client.get("/api/v1/customers", headers=headers).content.decode()
    found = client.get(
        "/api/v1/customers", {"q": theirs.primary_number}, headers=headers
    ).content.decode()
    if str(theirs.code) in listed + found or theirs.name in listed + found:
        wrong.append("GET /api/v1/customers lists another tenant's customer")
    assert any("{customer_id}" in p for p in endpoints)
    assert not wrong, f"{role}'s token reached another tenant's customer:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ["admin", "supervisor", "manager"])
def test_api_tokens_of_every_role_get_404_for_another_tenants_follow_ups(
    client, request, world, tenant, other_tenant, role
):
    """Each role's token, against the other tenant's follow-up: 404 problem on every path that
    names one, whatever the method, and nothing of it in any list."""
    token = tokens.issue(
        membership=tenant.memberships.get(user=request.getfixturevalue(role)),
        name="iso",
        expires_days=None,
        actor=None,
    ).token
    headers = {"Authorization": f"Bearer {token}"}
    theirs = world.follow_up(other_tenant)
    endpoints = api_endpoints()
    wrong = []
    for path, methods in endpoints.items():
        if "{follow_up_id}" not in path:
            continue
        url = path.replace("{follow_up_id}", str(theirs.code))
        for method in methods:
            r = getattr(client, method)(
                url, {"status": "done"}, content_type="application/json", headers=headers
            )
            if r.status_code != 404 or r["Content-Type"] != "application/problem+json":
                wrong.append(f"{method.upper()} {url}: {r.status_code}")
    for path, methods in endpoints.items():
        if "{" in path or "get" not in methods:
            continue
        if str(theirs.code) in client.get(path, headers=headers).content.decode():
            wrong.append(f"GET {path} lists another tenant's follow-up")
    assert any("{follow_up_id}" in p for p in endpoints)
    assert FollowUp.objects.get(pk=theirs.pk).status == "open"
    assert not wrong, f"{role}'s token reached another tenant's follow-up:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ["admin", "supervisor", "manager"])
def test_api_tokens_of_every_role_get_404_for_another_tenants_call_lists(
    client, request, world, tenant, other_tenant, role
):
    """Each role's token, against the other tenant's call list and entry: 404 problem on every
    path that names one, whatever the method, and nothing of them in any list."""
    token = tokens.issue(
        membership=tenant.memberships.get(user=request.getfixturevalue(role)),
        name="iso",
        expires_days=None,
        actor=None,
    ).token
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "iso-key-0001"}
    theirs, entry = world.call_list(other_tenant), world.list_entry(other_tenant)
    endpoints = api_endpoints()
    wrong = []
    for path, methods in endpoints.items():
        if "{list_id}" not in path and "{entry_id}" not in path:
            continue
        url = path.replace("{list_id}", str(theirs.code)).replace("{entry_id}", str(entry.code))
        body = {"entries": [{"number": "13800000001"}]}
        for method in methods:
            r = getattr(client, method)(url, body, content_type="application/json", headers=headers)
            # A supervisor's or admin's token may not call at all: 403 before any lookup.
            allowed = {404} | ({403} if role != "manager" and url.endswith("/call") else set())
            if r.status_code not in allowed or r["Content-Type"] != "application/problem+json":
                wrong.append(f"{method.upper()} {url}: {r.status_code}")
    r = client.post(
        "/api/v1/call-lists/next",
        {"list_id": str(theirs.code)},
        content_type="application/json",
        headers=headers,
    )
    if r.status_code not in (403, 404):
        wrong.append(f"POST /api/v1/call-lists/next with their list: {r.status_code}")
    for path, methods in endpoints.items():
        if "{" in path or "get" not in methods:
            continue
        html = client.get(path, headers=headers).content.decode()
        if str(theirs.code) in html or str(entry.code) in html:
            wrong.append(f"GET {path} lists another tenant's call list")
    assert any("{list_id}" in p for p in endpoints)
    assert ListEntry.objects.get(pk=entry.pk).attempts == 0
    assert ListEntry.objects.filter(list=theirs).count() == 1
    assert not wrong, f"{role}'s token reached another tenant's call list:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ["admin", "supervisor", "manager"])
def test_api_tokens_of_every_role_never_reach_another_tenants_do_not_call_list(
    client, request, world, tenant, other_tenant, role
):
    """Each role's token, against the other tenant's listed number: 404 (or the 403 the role
    gets anyway) on every path that names a number, nothing of theirs listed, and adding the
    same number here lists it here only."""
    token = tokens.issue(
        membership=tenant.memberships.get(user=request.getfixturevalue(role)),
        name="iso",
        expires_days=None,
        actor=None,
    ).token
    headers = {"Authorization": f"Bearer {token}"}
    theirs = world.dnc(other_tenant)
    endpoints = api_endpoints()
    wrong = []
    for path, methods in endpoints.items():
        if "{number}" not in path:
            continue
        url = path.replace("{number}", theirs.number)
        for method in methods:
            r = getattr(client, method)(url, headers=headers)
            if r.status_code not in (403, 404) or (role != "manager" and r.status_code != 404):
                wrong.append(f"{method.upper()} {url}: {r.status_code}")
    listed = client.get("/api/v1/do-not-call", {"number": theirs.number}, headers=headers)
    if listed.status_code == 200 and theirs.number in listed.content.decode():
        wrong.append("GET /api/v1/do-not-call lists another tenant's number")
    assert any("{number}" in p for p in endpoints)
    assert not wrong, f"{role}'s token reached another tenant's do-not-call list:\n" + "\n".join(
        wrong
    )
    assert DoNotCall.objects.filter(tenant=other_tenant, number=theirs.number).exists()
