"""A property-based run of the API's own OpenAPI schema (Schemathesis), in-process against the
WSGI application, bounded and deterministic: every operation with generated valid and invalid
requests, as a customer manager's token (so POST /calls places calls on the simulator) and as a
supervisor's. No answer may be a server error, or break the schema (status code, content type,
headers, body)."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import tokens
from calls.models import Call
from tests.api.conftest import membership_of

# Invalid requests are generated too; that each is refused is not checked here (unknown query
# parameters are ignored, as most APIs do, and the token is always sent): what is checked is
# that nothing, valid or not, gets a server error or an answer outside the schema.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db):
    """The schema as the application serves it. Requests go through the real WSGI handler, whose
    request signals would close the test's database connection (inside its transaction): they
    are held off as Django's test client does."""
    from console.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _token(user, tenant, manager):
    tenant.api_rate_per_minute = 100_000  # the limit has its own tests
    tenant.save()
    for i in range(3):  # something to list, and a failure's reason to decode
        Call.objects.create(
            tenant=tenant, user=manager, softphone="10001", called=f"1380000000{i}",
            idempotency_key=f"schema-{i}", status="failed" if i else "placed",
            reason_source="createCall" if i else "", reason_code="8" if i else "",
        )  # fmt: skip
    issued = tokens.issue(
        membership=membership_of(user, tenant), name="schema", expires_days=None, actor=None
    )
    return issued.token


@pytest.fixture
def manager_token(tenant, manager, simctl):
    return _token(manager, tenant, manager)


@pytest.fixture
def supervisor_token(tenant, manager, supervisor, simctl):
    return _token(supervisor, tenant, manager)


schema = schemathesis.pytest.from_fixture("api_schema")
BOUNDED = settings(
    max_examples=25,
    derandomize=True,  # the same requests on every run
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@BOUNDED
def test_the_api_keeps_its_schema_for_a_manager(case, manager_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {manager_token}"}, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_the_api_keeps_its_schema_for_a_supervisor(case, supervisor_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {supervisor_token}"}, checks=CHECKS)


def test_answers_of_placed_and_failed_calls_keep_the_schema(api_schema, manager_token, simctl):
    """Generated numbers are seldom valid ones: the answers of a placed call (201, then 200 for
    its key again), of a call AICC refused, and of the call read back, each checked against the
    schema as above."""
    simctl.scenario(called="13800000008", retCode="8")
    auth = {"Authorization": f"Bearer {manager_token}"}
    post = api_schema["/api/v1/calls"]["POST"]
    answers = []
    for called, key in (("13800000000", "schema-a-1"), ("13800000000", "schema-a-1"),
                        ("13800000008", "schema-b-1")):  # fmt: skip
        # One live call per manager: the calls before this one (the property runs' too) ended.
        if key == "schema-b-1" or not answers:
            Call.objects.update(state=3)
        case = post.Case(body={"called": called}, headers={"Idempotency-Key": key})
        answers.append(case.call_and_validate(headers=auth, checks=CHECKS))
    assert [r.status_code for r in answers] == [201, 200, 201]
    assert answers[2].json()["reason"]["code"] == "8"
    one = api_schema["/api/v1/calls/{call_id}"]["GET"].Case(
        path_parameters={"call_id": answers[0].json()["id"]}
    )
    assert one.call_and_validate(headers=auth, checks=CHECKS).json()["status"] == "placed"
