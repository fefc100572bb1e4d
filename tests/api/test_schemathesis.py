"""Schemathesis drives the live WSGI app from its own OpenAPI schema, default checks on.

Bounded: a few dozen examples per operation, no deadline, so the whole run stays well
under a minute on the CI machine.
"""

import os

import jsonschema
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection

from bonecare.wsgi import application

from .helpers import minimal_assessment

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "40"))
# Fixed examples by default so CI is repeatable; SCHEMATHESIS_RANDOM=true explores afresh.
DERANDOMIZE = os.environ.get("SCHEMATHESIS_RANDOM") != "true"


# Loaded at collection (the schema view needs no database). The lazy from_fixture loader
# is not used: schemathesis 4.32 sets a private pytest attribute that pytest 9 removed.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@schema.hook("filter_query")
def query_the_transport_can_send(context, query):
    """Skip query parameters whose value is an empty list: nothing of them is sent, so the
    API cannot see (let alone reject) them."""
    return not any(value == [] or value is None for value in (query or {}).values())


@pytest.fixture(autouse=True)
def live_app(published_ruleset, ehr_client, settings_for_fuzzing):
    """The running app, with data for every operation to find."""
    # A consultation this client owns, so GET /consultations/{id} can also find one.
    ehr_client.post("/api/v1/consultations", minimal_assessment(), format="json")
    # The real WSGI handler closes "old" connections at each request, which would close the
    # test's transaction; Django's test client disconnects the same receiver (and connects it
    # again after each of its own requests, hence after the post above).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def settings_for_fuzzing(settings):
    settings.BONECARE_API_THROTTLE_RATE = "1000000/min"
    settings.BONECARE_API_ANONYMOUS_RATE = "1000000/min"  # its auth checks come from one address
    return settings


def _json_schema(node):
    """Return OpenAPI 3.0 schema text as JSON Schema: `nullable: true` becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _body_is_valid(case):
    """Whether the body of `case` is valid against its operation's schema after all."""
    raw = schema.raw_schema
    body = raw["paths"][case.operation.path][case.method.lower()]["requestBody"]
    document = {**_json_schema(body["content"]["application/json"]["schema"]),
                "components": _json_schema(raw["components"])}
    return jsonschema.Draft202012Validator(document).is_valid(case.body)


def negative_data_really_rejected(ctx, response, case):
    """Schemathesis's negative_data_rejection, except for a "negative" body that is valid.

    Its mutations of a body inside oneOf variants sometimes give a body that another
    variant accepts (seen: a long-bone lesion judged to violate the flat-bone site enum);
    the API is right to accept that. Checked with jsonschema against the same document.
    """
    negative = {location for location, info in (case.meta.components if case.meta else {}).items()
                if info.mode.is_negative}
    if negative and {location.value for location in negative} == {"body"} and _body_is_valid(
            case):
        return None
    return negative_data_rejection(ctx, response, case)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=DERANDOMIZE,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, ehr_client):
    case.call_and_validate(headers={"Authorization": f"Token {ehr_client.token}"},
                           excluded_checks=[negative_data_rejection],
                           additional_checks=[negative_data_really_rejected])
