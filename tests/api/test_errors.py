import pytest
from django.test import override_settings

from .helpers import minimal_assessment

URL = "/api/v1/evaluate"


def assert_error_shape(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert body["errors"] and all(set(e) == {"path", "message"} for e in body["errors"])
    return body


@pytest.mark.parametrize("body", [
    b"{", b"[]", b"null", b"42", b'"text"', b"\xff\xfe", b"NaN", b"[" * 5000 + b"]" * 5000,
    b'{"cancer_type": "breast", "age_years": 1e999}',
    b'{"cancer_type": "breast", "age_years": ' + b"9" * 500 + b"}",
    b'{"cancer_type": "none", "patient_ref": "a\\u0000b"}',
    b'{"cancer_type": "none", "patient_ref": "\\ud800"}',
    b'{"cancer_type": "none", "lesions": [null, 1, "x", {"site": []}]}',
], ids=["truncated", "list", "null", "number", "string", "not-utf8", "nan", "deep",
        "infinite", "huge-int", "nul-char", "lone-surrogate", "junk-lesions"])
def test_malformed_bodies_are_400_never_500(ehr_client, published_ruleset, body):
    response = ehr_client.generic("POST", URL, body, content_type="application/json")
    assert_error_shape(response, 400)


def test_body_over_the_limit_is_413(ehr_client, published_ruleset):
    with override_settings(BONECARE_API_MAX_BODY_BYTES=100):
        response = ehr_client.post(URL, minimal_assessment(patient_ref="x" * 200),
                                   format="json")
    assert_error_shape(response, 413)


def test_form_encoded_body_is_415(ehr_client, published_ruleset):
    response = ehr_client.post(URL, {"cancer_type": "breast"})
    assert_error_shape(response, 415)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "options"])
def test_wrong_method_is_405(ehr_client, method):
    response = getattr(ehr_client, method)(URL)
    body = assert_error_shape(response, 405)
    assert "POST" in response["Allow"]
    assert body["title"] == "Method not allowed"


def test_unknown_api_address_is_404_in_the_error_shape(ehr_client):
    assert_error_shape(ehr_client.get("/api/v1/nothing-here"), 404)
    assert_error_shape(ehr_client.get("/api/v1/consultations/-1"), 404)


def test_huge_consultation_id_is_404(ehr_client):
    assert_error_shape(ehr_client.get(f"/api/v1/consultations/{10**30}"), 404)


def test_throttled_client_gets_429_with_retry_after(ehr_client, published_ruleset):
    with override_settings(BONECARE_API_THROTTLE_RATE="2/min"):
        statuses = [ehr_client.get("/api/v1/whoami").status_code for _ in range(3)]
        response = ehr_client.get("/api/v1/whoami")
    assert statuses == [200, 200, 429]
    assert_error_shape(response, 429)
    assert int(response["Retry-After"]) >= 1


def test_throttle_counts_each_client_separately(ehr_client, published_ruleset):
    from .helpers import http_for

    other, _, _ = http_for(name="Other EHR", scopes=[])
    with override_settings(BONECARE_API_THROTTLE_RATE="1/min"):
        assert ehr_client.get("/api/v1/whoami").status_code == 200
        assert ehr_client.get("/api/v1/whoami").status_code == 429
        assert other.get("/api/v1/whoami").status_code == 200
