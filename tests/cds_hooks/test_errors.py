"""Errors as the spec lists them, always in the JSON error shape, never an HTML page or a
traceback: 400 with the path, 404, 412 (test_fetch), 413, 415, 429 and 503 with Retry-After.
A property test over the request body never gets a 500."""

import copy
import json
import os

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from options.cds_hooks.models import CdsCallAudit
from tests.failure_helpers import database_down

from .helpers import PATIENT_VIEW, Ehr, call, request_of, service_url


def _json_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == status and body["errors"]
    return body["errors"]


@pytest.mark.parametrize("change, path", [
    (lambda r: r.pop("hookInstance"), "hookInstance"),
    (lambda r: r.update(hook="order-sign"), "hook"),
    (lambda r: r.update(context=[]), "context"),
    (lambda r: r["context"].pop("patientId"), "context.patientId"),
    (lambda r: r.update(prefetch=[]), "prefetch"),
    (lambda r: r.update(fhirServer="ftp://x"), "fhirServer"),
    (lambda r: r["prefetch"].update(patient={"resourceType": "Nonsense"}),
     "prefetch.patient.resourceType"),
    (lambda r: r["prefetch"]["observations"]["entry"][0]["resource"]["valueQuantity"].update(
        value="eighty-five"), "prefetch.observations.entry[0].resource.valueQuantity.value"),
    (lambda r: r["prefetch"]["conditions"]["entry"][0]["resource"].update(
        clinicalStatus="active"), "prefetch.conditions.entry[0].resource.clinicalStatus"),
], ids=["no-hookInstance", "wrong-hook", "context-not-object", "no-patientId",
        "prefetch-not-object", "fhirServer-not-http", "unknown-resource", "bad-decimal",
        "status-not-concept"])
def test_a_malformed_request_is_a_400_naming_the_path(client, cds_ehr, published_ruleset,
                                                       change, path):
    request = request_of("V01")
    change(request)
    errors = _json_error(call(client, cds_ehr, PATIENT_VIEW, request), 400)
    assert path in [e["path"] for e in errors]
    assert CdsCallAudit.objects.get().outcome == "invalid"


def test_an_unknown_service_is_a_404(client, cds_ehr):
    _json_error(call(client, cds_ehr, "bonecare-nothing", request_of("V01")), 404)


@pytest.mark.parametrize("path", ["/cds-services/a/b/c", "/cds-services/x/feedback/y"])
def test_unknown_addresses_under_cds_services_are_json(client, db, path):
    _json_error(client.post(path, data="{}", content_type="application/json"), 404)


def test_a_body_that_is_not_json_is_a_415(client, cds_ehr):
    url = service_url(PATIENT_VIEW)
    response = client.post(url, data="hook=patient-view", content_type="text/plain",
                           HTTP_AUTHORIZATION=f"Bearer {cds_ehr.token(url)}")
    _json_error(response, 415)


def test_a_body_too_large_is_a_413(client, cds_ehr, settings):
    settings.BONECARE_CDS_MAX_BODY_BYTES = 1000
    _json_error(call(client, cds_ehr, PATIENT_VIEW, request_of("V01")), 413)


def test_over_the_rate_is_a_429_with_retry_after(client, cds_ehr, published_ruleset,
                                                 settings):
    settings.BONECARE_CDS_THROTTLE_RATE = "2/min"
    for _ in range(2):
        assert call(client, cds_ehr, PATIENT_VIEW, request_of("V01")).status_code == 200
    response = call(client, cds_ehr, PATIENT_VIEW, request_of("V01"))
    _json_error(response, 429)
    assert 0 < int(response["Retry-After"]) <= 60


def test_without_a_published_ruleset_it_is_a_503(client, cds_ehr):
    _json_error(call(client, cds_ehr, PATIENT_VIEW, request_of("V01")), 503)


def test_a_lost_database_is_a_503_with_retry_after(client, cds_ehr, published_ruleset):
    url = service_url(PATIENT_VIEW)
    token = cds_ehr.token(url)
    with database_down():
        response = client.post(url, data=json.dumps(request_of("V01")),
                               content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}")
    _json_error(response, 503)
    assert response["Retry-After"]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=20)
KEYS = ("hook", "hookInstance", "context", "prefetch", "fhirServer", "fhirAuthorization")
PREFETCH_KEYS = ("patient", "conditions", "observations", "allergies")


@st.composite
def mutated_requests(draw):
    """A shared example with some of its parts replaced by arbitrary JSON."""
    request = copy.deepcopy(request_of("V01"))
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=3, unique=True)):
        request[key] = draw(JSON)
    if isinstance(request.get("prefetch"), dict):
        for key in draw(st.lists(st.sampled_from(PREFETCH_KEYS), max_size=2, unique=True)):
            request["prefetch"][key] = draw(JSON)
        bundle = request["prefetch"].get("observations")
        if isinstance(bundle, dict) and bundle.get("entry") and draw(st.booleans()):
            bundle["entry"][0]["resource"]["valueQuantity"] = draw(JSON)
    return request


# A fixed seed in the suite; CDS_HYPOTHESIS_EXAMPLES=400 for a longer, random run.
EXAMPLES = os.environ.get("CDS_HYPOTHESIS_EXAMPLES")


@hypothesis_settings(max_examples=int(EXAMPLES or 60), deadline=None, derandomize=not EXAMPLES,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])
@given(body=mutated_requests())
def test_no_request_body_gets_a_500(client, cds_ehr, published_ruleset, body):
    response = call(client, cds_ehr, PATIENT_VIEW, body)
    assert response.status_code in (200, 400, 412), response.content
    assert response["Content-Type"] == "application/json"


def test_forged_tokens_do_not_spend_an_ehrs_allowance(client, cds_ehr, published_ruleset,
                                                      settings):
    settings.BONECARE_CDS_THROTTLE_RATE = "2/min"
    forger = Ehr(iss=cds_ehr.iss)  # names the EHR's issuer, signs with another key
    for _ in range(3):
        assert call(client, forger, PATIENT_VIEW, request_of("V01")).status_code == 401
    assert [call(client, cds_ehr, PATIENT_VIEW, request_of("V01")).status_code
            for _ in range(3)] == [200, 200, 429]
