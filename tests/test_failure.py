"""While the database is unavailable every address answers 503 in its caller's shape, with
Retry-After, and logs one line: no traceback, nothing of the request body."""

import logging

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from options.api.models import ApiCallAudit
from options.consultation.models import Consultation, EvaluationAudit
from options.failure import AvailabilityMiddleware
from options.http.pages import server_error
from tests.api.helpers import minimal_assessment
from tests.failure_helpers import REFUSED, database_down, every_log_record

SECRET_REF = "PATIENT-REF-NOT-FOR-LOGS"


def assert_one_plain_log_line(records):
    """One warning-or-worse line, without a traceback or the patient reference."""
    loud = [r for r in records if r.levelno >= logging.WARNING]
    assert len(loud) == 1, [r.getMessage() for r in loud]
    assert loud[0].exc_info is None
    assert "Database unavailable" in loud[0].getMessage()
    assert SECRET_REF not in loud[0].getMessage()


def assert_api_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert (body["status"], body["title"]) == (503, "Service unavailable")
    assert body["errors"][0]["path"] == ""


@pytest.fixture
def pages(settings, clinician_client):
    """A signed-in clinician's browser, served as in production (DEBUG off)."""
    settings.DEBUG = False
    clinician_client.raise_request_exception = False
    return clinician_client


@pytest.mark.parametrize("path", ["/api/v1/evaluate", "/api/v1/consultations"])
def test_api_answers_503_in_the_error_shape(ehr_client, published_ruleset, caplog, path):
    with every_log_record(caplog) as records, database_down():
        response = ehr_client.post(path, minimal_assessment(patient_ref=SECRET_REF),
                                   format="json")
    assert_api_503(response)
    assert_one_plain_log_line(records)


def test_api_failure_while_auditing_is_503_and_stores_nothing(ehr_client, published_ruleset,
                                                            caplog, monkeypatch):
    def audit_fails(**kwargs):
        raise OperationalError(REFUSED)

    monkeypatch.setattr("options.api.base.api_call_record", audit_fails)
    with every_log_record(caplog) as records:
        response = ehr_client.post("/api/v1/consultations",
                                   minimal_assessment(patient_ref=SECRET_REF), format="json")
    assert_api_503(response)
    assert_one_plain_log_line(records)
    assert not Consultation.objects.exists()
    assert not EvaluationAudit.objects.exists()
    assert not ApiCallAudit.objects.exists()


def test_a_page_answers_a_plain_503_when_the_session_cannot_load(pages, caplog):
    with every_log_record(caplog) as records, database_down():
        response = pages.get("/consultations/new/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert b"BoneCare is unavailable just now" in response.content
    assert_one_plain_log_line(records)


def test_the_calculator_endpoint_answers_503_in_json(pages, caplog):
    with every_log_record(caplog) as records, database_down():
        response = pages.post("/consultations/derive/", {"weight_kg": 70},
                              content_type="application/json")
    assert_api_503(response)
    assert_one_plain_log_line(records)


def test_a_failure_in_a_page_view_is_a_503_page(caplog):
    request = RequestFactory().get("/consultations/")
    middleware = AvailabilityMiddleware(lambda request: None)
    with every_log_record(caplog) as records:
        response = middleware.process_exception(request, OperationalError(REFUSED))
    assert response.status_code == 503
    assert b"BoneCare is unavailable just now" in response.content
    assert_one_plain_log_line(records)


def test_other_errors_stay_plain_500s(rf):
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/consultations/"))
    assert response.status_code == 500


def test_the_503_page_renders_without_the_database(db, django_assert_num_queries):
    request = RequestFactory().get("/consultations/new/")
    with django_assert_num_queries(0):
        response = AvailabilityMiddleware(None).process_exception(request,
                                                                  OperationalError(REFUSED))
    assert response.status_code == 503


def test_recovery_replaces_a_broken_connection_at_the_next_request(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
