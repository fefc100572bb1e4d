"""Bad input at the API's edge: unknown addresses answer the JSON 404 shape, also to a POST
without a CSRF token, and a chunked body is refused with 411, never read as empty."""

import json

import pytest
from django.test import Client

from options.api.models import ApiCallAudit
from options.consultation.models import EvaluationAudit

from .helpers import minimal_assessment


@pytest.mark.parametrize("path", ["/api/v1/evaluate/", "/api/v1/consultations/",
                                  "/api/v1/nothing", "/api/v2/evaluate", "/api/nothing/"])
def test_a_post_to_an_unknown_api_address_is_the_json_404(db, path):
    response = Client(enforce_csrf_checks=True).post(path, {}, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "title": "Not found", "errors": [
        {"path": "", "message": "No such API address."}]}


def test_a_chunked_body_is_refused_with_411(ehr_client, published_ruleset):
    body = json.dumps(minimal_assessment()).encode()
    # What a WSGI server hands over for Transfer-Encoding: chunked: no Content-Length.
    response = ehr_client.generic("POST", "/api/v1/evaluate", body,
                                  content_type="application/json",
                                  HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH="")
    assert response.status_code == 411
    assert response.json()["title"] == "Length required"
    assert not EvaluationAudit.objects.exists()
    assert ApiCallAudit.objects.get().outcome == "invalid"


def test_a_body_with_its_length_is_read(ehr_client, published_ruleset):
    body = json.dumps(minimal_assessment()).encode()
    response = ehr_client.generic("POST", "/api/v1/evaluate", body,
                                  content_type="application/json")
    assert response.status_code == 200
