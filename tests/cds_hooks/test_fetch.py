"""An absent prefetch is fetched from the EHR's FHIR server with its bearer token (a real
server process here); a timeout, a refusal or no server at all is a 412 naming the key."""

import subprocess
import sys
from pathlib import Path

import pytest

from options.cds_hooks.models import CdsCallAudit

from .helpers import PATIENT_VIEW, bonecare, call, example, request_of

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "fhir-access-token-for-tests"


@pytest.fixture(scope="module")
def fhir_server():
    """The example V34's FHIR data behind http://127.0.0.1:<free port>/fhir."""
    process = subprocess.Popen([sys.executable, "-m", "tests.cds_hooks.fhir_server", "V34",
                                TOKEN], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline())
    yield f"http://127.0.0.1:{port}/fhir"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(autouse=True)
def _short_timeout(settings):
    settings.BONECARE_CDS_FETCH_TIMEOUT_SECONDS = 0.5


def _register(ehr, server):
    """Register the EHR's FHIR server, as an administrator does."""
    ehr.client.fhir_server = server
    ehr.client.save(update_fields=["fhir_server"])


def _without_prefetch(server, *, token=TOKEN, keys=("conditions", "observations")):
    request = request_of("V34")
    for key in keys:
        del request["prefetch"][key]
    if server:
        request["fhirServer"] = server
        request["fhirAuthorization"] = {"access_token": token, "token_type": "Bearer",
                                        "expires_in": 300, "scope": "patient/*.read",
                                        "subject": "bonecare"}
    return request


def test_absent_prefetch_is_fetched_with_the_bearer_token(client, cds_ehr, published_ruleset,
                                                          fhir_server, caplog):
    _register(cds_ehr, fhir_server)
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(fhir_server))
    assert response.status_code == 200, response.content
    (card,) = response.json()["cards"]
    assert bonecare(card)["assessment"] == example("V34")["mapped_assessment"]
    assert TOKEN not in caplog.text


def test_a_fhir_server_that_does_not_answer_in_time_is_a_412(client, cds_ehr,
                                                            published_ruleset, fhir_server):
    slow = fhir_server.replace("/fhir", "/slow/fhir")
    _register(cds_ehr, fhir_server.removesuffix("/fhir"))
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(slow, keys=["conditions"]))
    assert response.status_code == 412
    error = response.json()["errors"][0]
    assert error["path"] == "prefetch.conditions" and "did not answer within" in error["message"]
    assert CdsCallAudit.objects.get().outcome == "precondition"


def test_a_refused_token_is_a_412(client, cds_ehr, published_ruleset, fhir_server):
    _register(cds_ehr, fhir_server)
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(fhir_server, token="bad"))
    assert response.status_code == 412
    assert "answered 401" in response.json()["errors"][0]["message"]


def test_no_fhir_server_is_a_412_naming_each_absent_key(client, cds_ehr, published_ruleset):
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(None))
    assert response.status_code == 412
    assert [e["path"] for e in response.json()["errors"]] == ["prefetch.conditions",
                                                               "prefetch.observations"]


def test_an_unreachable_fhir_server_is_a_412(client, cds_ehr, published_ruleset):
    _register(cds_ehr, "http://127.0.0.1:9")
    request = _without_prefetch("http://127.0.0.1:9/fhir", keys=["allergies"])
    assert call(client, cds_ehr, PATIENT_VIEW, request).status_code == 412


@pytest.mark.parametrize("registered", ["", "http://127.0.0.1:1/fhir"],
                         ids=["none-registered", "another-registered"])
def test_only_the_registered_fhir_server_is_asked(client, cds_ehr, published_ruleset,
                                                  fhir_server, registered):
    _register(cds_ehr, registered)
    response = call(client, cds_ehr, PATIENT_VIEW, _without_prefetch(fhir_server))
    assert response.status_code == 412
    assert "not the FHIR server registered" in response.json()["errors"][0]["message"]


def test_context_only_keys_may_be_absent_without_a_server(client, cds_ehr, published_ruleset):
    request = _without_prefetch(None, keys=["medications", "procedures"])
    assert call(client, cds_ehr, PATIENT_VIEW, request).status_code == 200


def test_null_prefetch_means_no_data_not_absent(client, cds_ehr, published_ruleset):
    request = request_of("V01")
    request["prefetch"]["observations"] = None
    (card,) = call(client, cds_ehr, PATIENT_VIEW, request).json()["cards"]
    assert "creatinine_clearance_ml_min" not in bonecare(card)["assessment"]
