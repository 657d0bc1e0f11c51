"""A net that stays (issue 15): random and hostile values thrown at every form, filter, import
and callback endpoint, as every role, through the whole stack. Any server error, or any log record
carrying a traceback, fails the test. Bounded and deterministic: a systematic sweep (each field
alone with each SWEEP value) and Hypothesis with derandomize=True (random combinations, and random
JSON and form bodies for the callbacks); about 20 s on the 2-core machine."""

import json
import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls.models import OutcomeSync
from console.models import Membership

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "9" * 30,
    "1e400",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "\x00",
    "\r",
    "a\rb,10001",
    '"unterminated,1',
    "<script>alert(1)</script>",
    "'; DROP TABLE calls; --",
    "%s%s%s",
    "{code}",
    "😀" * 3,
    "\u202e\u2028",
    "x" * 5000,
    "fixer:admin",
    "createCall:8",
    "http://169.254.169.254/",
    "https://10.0.0.1",
    "Asia/Shanghai",
    "admin",
    "manager",
    "bob",
    "13800000000",
]
# Text the browser could send: any character but a lone surrogate (no encoding carries one).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
VALUE = st.one_of(st.sampled_from(HOSTILE), TEXT)

# The values each field gets in the systematic sweep (the random half draws from all of them).
SWEEP = ["", "-1", "9" * 30, "1e400", "0001-01-01", "9999-12-31", "2026-02-30", "\x00", "\r",
         "a\rb,10001", '"unterminated,1', "<script>alert(1)</script>", "x" * 5000, "😀" * 3,
         "https://10.0.0.1"]  # fmt: skip
FILTERS = ("date_from", "date_to", "number", "match", "status", "reason", "manager", "serial",
           "size", "after", "before", "disposition", "has_note")  # fmt: skip
SETTINGS_FIELDS = ("name", "aicc_base_url", "aicc_token_url", "app_key", "app_secret",
                   "clear_secret", "call_type", "is_trial", "trial_trustlist", "access_codes",
                   "anonymization_enabled", "softphone_ranges", "called_min_digits", "token_lifetime",
                   "time_zone", "two_factor_required", "default_region", "customer_calls_shared",
                   "colleague_warning_minutes", "wallboard_warn_minutes",
                   "wallboard_alert_minutes")  # fmt: skip
# (role, method, path under the tenant, fields)
ENDPOINTS = [
    ("manager", "post", "call/", ("called", "call_data", "caller_present", "idempotency_key", "confirm")),
    ("manager", "get", "call/", ("called", "data", "present", "last", "follow_up")),
    ("manager", "post", "call/", ("called", "follow_up", "idempotency_key")),
    ("manager", "get", "follow-ups/", ("overdue_after", "today_after", "upcoming_after")),
    ("supervisor", "get", "follow-ups/", ("assignee", "upcoming_after")),
    ("manager", "get", "follow-ups/new/", ("called", "source_call")),
    ("manager", "post", "follow-ups/new/", ("called", "due_date", "due_time", "note",
        "source_call")),
    ("supervisor", "post", "follow-ups/new/", ("called", "due_date", "due_time", "note",
        "assignee", "source_call")),
    ("manager", "get", "calls/", (*FILTERS, "days")),
    ("supervisor", "get", "calls/", FILTERS),
    ("supervisor", "get", "calls/export.csv", FILTERS),
    ("supervisor", "get", "calls/export.xlsx", FILTERS),
    ("supervisor", "get", "dashboard/", ("days",)),
    ("admin", "get", "audit/", ("action", "actor", "before")),
    ("admin", "post", "settings/", SETTINGS_FIELDS),
    ("admin", "post", "settings/test/", SETTINGS_FIELDS),  # tests the form's values
    ("admin", "post", "softphones/add/", ("user", "softphone", "calling_number")),
    ("admin", "post", "softphones/import/", ("text",)),
    ("admin", "post", "people/invite/", ("email", "role")),
    ("admin", "post", "people/new/", ("username", "first_name", "last_name", "email", "role",
        "password")),
    ("admin", "post", "calls/callbacks/", ("action", "shared_key")),
    ("admin", "post", "webhooks/add/", ("url", "description", "events", "enabled")),
    ("manager", "get", "customers/", ("q", "after")),
    ("manager", "post", "customers/new/", ("name", "number", "other_numbers", "company", "crm_id",
        "notes", "next")),
    ("supervisor", "post", "customers/import/", ("text",)),
    ("manager", "get", "call/customer/", ("called",)),
    ("manager", "get", "customers/+8613800001234/", ("after",)),
    ("admin", "post", "settings/wrap-up/", ("wrapup_required", "wrapup_call_while_pending",
        "wrapup_edit_minutes")),
    ("admin", "post", "settings/wrap-up/add/", ("label_en", "label_zh", "group", "auto_groups",
        "auto_codes")),
    ("manager", "post", "call/", ("called", "idempotency_key", "override_reason")),
    ("admin", "post", "settings/guardrails/", ("calls_per_day", "calls_per_week",
        "calling_hours_on", "holidays", "override_roles", "hours_0", "hours_6")),
    ("supervisor", "get", "settings/do-not-call/", ("q",)),
    ("supervisor", "post", "settings/do-not-call/", ("number", "reason", "until")),
    ("supervisor", "post", "settings/do-not-call/import/", ("text",)),
]  # fmt: skip


class _Tracebacks(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def tracebacks():
    handler = _Tracebacks()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


@pytest.fixture
def clients(admin, supervisor, manager):
    out = {}
    for role, user in (("admin", admin), ("supervisor", supervisor), ("manager", manager)):
        c = Client(raise_request_exception=False)
        c.force_login(user)
        out[role] = c
    return out


def _check(response, what, tracebacks):
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.streaming:
        b"".join(response.streaming_content)
    assert not tracebacks, f"{what}: {[r.getMessage() for r in tracebacks]}"


@settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_forms_and_filters_never_fail(data, clients, tenant, simctl, tracebacks):
    role, method, path, fields = data.draw(st.sampled_from(ENDPOINTS))
    chosen = data.draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
    values = {name: data.draw(VALUE) for name in chosen}
    url = f"/t/{tenant.code}/{path}"
    client = clients[role]
    response = getattr(client, method)(url, values)
    _check(response, f"{role} {method.upper()} {url} {values!r}", tracebacks)
    if method == "post":  # also as an htmx request
        response = client.post(url, values, headers={"HX-Request": "true"})
        _check(response, f"{role} htmx POST {url} {values!r}", tracebacks)


def test_every_field_takes_every_hostile_value(clients, tenant, simctl, tracebacks):
    """Each field alone with each hostile value: the systematic half of the net."""
    for role, method, path, fields in ENDPOINTS:
        if (role, path) == ("manager", "calls/"):
            continue  # the supervisor's sweep of the same filters covers it
        url = f"/t/{tenant.code}/{path}"
        for name in fields:
            for value in SWEEP:
                response = getattr(clients[role], method)(url, {name: value})
                _check(response, f"{role} {method.upper()} {url} {name}={value!r}", tracebacks)


def test_people_forms_never_fail_on_another_members_row(clients, tenant, tracebacks):
    member = Membership.objects.filter(tenant=tenant, role="manager").first()
    for value in HOSTILE:
        r = clients["admin"].post(f"/t/{tenant.code}/people/{member.code}/role/", {"role": value})
        _check(r, f"role {value!r}", tracebacks)


# The person's own two-factor pages (no tenant in the URL): (path, field, needs two-factor on).
TWO_FACTOR_FORMS = [
    ("/accounts/two-factor/setup/", "next", False),
    ("/accounts/two-factor/confirm/", "code", False),
    ("/accounts/two-factor/codes/", "codes-proof", True),
    ("/accounts/two-factor/off/", "off-proof", True),
]


def test_two_factor_forms_never_fail(db, admin, manager, tracebacks, settings):
    """Every hostile value in each two-factor form, and in the code step of signing in (with
    the per-person limit raised, so every value reaches the check)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import PASSWORD

    settings.TWO_FACTOR_FAILURES_PER_USER = settings.LOGIN_FAILURES_PER_CLIENT = 10_000
    TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    StaticDevice.objects.create(user=manager, name="codes").token_set.create(token="abcdefgh")
    for path, field, on in TWO_FACTOR_FORMS:
        client = Client(raise_request_exception=False)
        client.force_login(manager if on else admin)
        if not on:
            client.post("/accounts/two-factor/setup/")  # an app being set up
        for value in HOSTILE:
            _check(client.post(path, {field: value}), f"POST {path} {field}={value!r}", tracebacks)
            if field == "next":
                _check(client.get(path, {field: value}), f"GET {path} next={value!r}", tracebacks)
    client = Client(raise_request_exception=False)
    client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    for value in HOSTILE:
        r = client.post("/accounts/login/two-factor/", {"code": value})
        _check(r, f"code step {value!r}", tracebacks)
        assert r.status_code == 200, f"code step {value!r}: {r.status_code}"


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT, st.sampled_from(HOSTILE)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=10,
)
EVENT_KEYS = ("callSerialNo", "releaseReason", "reasonCode", "talkDuration", "startTime",
              "endTime", "talkingTime", "state", "timestamp", "nonce", "signature")  # fmt: skip


@settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.dictionaries(st.one_of(st.sampled_from(EVENT_KEYS), TEXT), JSON_VALUE, max_size=8),
    kind=st.sampled_from(["release", "connect"]),
    as_form=st.booleans(),
)
def test_callback_events_never_fail(body, kind, as_form, tenant, tracebacks, db):
    sync = OutcomeSync.objects.get_or_create(tenant=tenant)[0]
    client = Client(raise_request_exception=False)
    url = f"/t/{tenant.code}/aicc/{sync.token}/{kind}/"
    if as_form:
        form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        response = client.post(url, form)
    else:
        response = client.post(url, json.dumps(body), content_type="application/json")
    _check(response, f"{kind} {body!r}", tracebacks)


def test_wrap_up_and_comment_forms_never_fail(clients, tenant, manager, tracebacks):
    """Each field of the wrap-up form (with its follow-up part) and of the supervisors' comment,
    alone, with every hostile value, on an ended call: plain and htmx posts (their paths carry
    the call, so they are not in ENDPOINTS)."""
    from tests.calls.test_wrapup import end, placed

    call = end(placed(tenant, manager))
    base = f"/t/{tenant.code}/calls/{call.code}/wrap-up/"
    forms = [
        ("manager", base, ("disposition", "note", "follow_up-due_date", "follow_up-due_time",
                           "follow_up-note", "back")),
        ("supervisor", base + "comments/", ("text", "back")),
    ]  # fmt: skip
    for role, url, fields in forms:
        for name in fields:
            for value in SWEEP:
                for headers in ({}, {"HX-Request": "true"}):
                    r = clients[role].post(url, {name: value}, headers=headers)
                    _check(r, f"{role} POST {url} {name}={value!r} {headers}", tracebacks)
    # With a disposition offered, so the follow-up part's values reach the services.
    chosen = tenant.dispositions.get(key="call_back").pk
    soon = (timezone.now() + timedelta(days=30)).date().isoformat()
    for value in SWEEP:
        for part in ({"follow_up-due_date": value, "follow_up-due_time": "10:00"},
                     {"follow_up-due_date": soon, "follow_up-due_time": value},
                     {"follow_up-due_date": soon, "follow_up-due_time": "10:00",
                      "follow_up-note": value}):  # fmt: skip
            r = clients["manager"].post(base, {"disposition": chosen, **part})
            _check(r, f"manager POST {base} {part!r}", tracebacks)
    from calls.models import FollowUp

    assert FollowUp.objects.filter(source_call=call).exists()  # the services were reached
