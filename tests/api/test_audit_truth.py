"""The audit never says "ok" for a call whose client got an error, a consultation is never
stored without its audit row, and one Idempotency-Key stores once, also in a race."""

import threading
from collections import Counter

import pytest
from django.db import DatabaseError, OperationalError, connection, connections
from rest_framework.test import APIClient

from options import services
from options.api import services as api_services
from options.api.models import ApiCallAudit, ClientConsultation
from options.models import Consultation, EvaluationAudit, Lesion

from .helpers import minimal_assessment, scenario

URL = "/api/v1/consultations"


@pytest.fixture
def ok_audit_fails(monkeypatch):
    """Make the core's "ok" audit insert fail, as a full disk or a lost connection would."""
    real = services._audit

    def audit(**kwargs):
        if kwargs["outcome"] == "ok":
            raise DatabaseError("could not extend file: No space left on device")
        return real(**kwargs)

    monkeypatch.setattr(services, "_audit", audit)


def test_a_consultation_is_never_stored_without_its_audit_row(published_ruleset,
                                                              ok_audit_fails):
    with pytest.raises(DatabaseError):
        services.consultation_create(data=scenario("V01")["assessment"], channel="form")
    assert not Consultation.objects.exists()
    assert not Lesion.objects.exists()


def test_the_api_stores_nothing_when_the_audit_fails(ehr_client, published_ruleset,
                                                     ok_audit_fails):
    ehr_client.raise_request_exception = False
    response = ehr_client.post(URL, scenario("V01")["assessment"], format="json")
    assert response.status_code == 500
    assert not Consultation.objects.exists()
    assert not EvaluationAudit.objects.filter(outcome="ok").exists()
    assert list(ApiCallAudit.objects.values_list("status_code", "outcome")) == [(500, "error")]


def test_no_ok_evaluation_audit_when_the_call_audit_fails(ehr_client, published_ruleset,
                                                          monkeypatch):
    def call_audit_fails(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("options.api.base.api_call_record", call_audit_fails)
    response = ehr_client.post("/api/v1/evaluate", minimal_assessment(), format="json")
    assert response.status_code == 503
    assert not EvaluationAudit.objects.exists()


def test_an_evaluation_and_its_call_audit_commit_together(ehr_client, published_ruleset):
    ehr_client.post("/api/v1/evaluate", minimal_assessment(patient_ref="P7"), format="json")
    assert EvaluationAudit.objects.get().outcome == "ok"
    assert ApiCallAudit.objects.get().outcome == "ok"


def lost_race(monkeypatch):
    """Make the next key lookup miss, as when the winner commits just after it."""
    real = api_services._owned_by_key
    calls = []

    def first_misses(client, key, digest):
        calls.append(key)
        return None if len(calls) == 1 else real(client, key, digest)

    monkeypatch.setattr(api_services, "_owned_by_key", first_misses)


def test_the_loser_of_an_idempotency_race_replays_the_winner(ehr_client, published_ruleset,
                                                             monkeypatch):
    headers = {"HTTP_IDEMPOTENCY_KEY": "race-1"}
    first = ehr_client.post(URL, minimal_assessment(), format="json", **headers)
    lost_race(monkeypatch)
    second = ehr_client.post(URL, minimal_assessment(), format="json", **headers)
    assert (second.status_code, second["Idempotent-Replayed"]) == (201, "true")
    assert second.json() == first.json()
    assert Consultation.objects.count() == ClientConsultation.objects.count() == 1
    assert EvaluationAudit.objects.filter(outcome="ok").count() == 1
    assert sorted(ApiCallAudit.objects.values_list("outcome", flat=True)) == ["ok", "replayed"]


def test_the_loser_of_a_race_with_another_assessment_gets_409(ehr_client, published_ruleset,
                                                              monkeypatch):
    headers = {"HTTP_IDEMPOTENCY_KEY": "race-2"}
    ehr_client.post(URL, minimal_assessment(), format="json", **headers)
    lost_race(monkeypatch)
    response = ehr_client.post(URL, minimal_assessment(patient_ref="other"), format="json",
                               **headers)
    assert response.status_code == 409
    assert Consultation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_store_once(published_ruleset):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serializes whole transactions)")
    _, token = api_services.api_client_create(name="Racing EHR", scopes=["consultations:write"])
    statuses, start = [], threading.Barrier(4)

    def post():
        http = APIClient()
        http.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        start.wait()
        response = http.post(URL, minimal_assessment(), format="json",
                             HTTP_IDEMPOTENCY_KEY="same-key")
        statuses.append((response.status_code, response.get("Idempotent-Replayed")))
        connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(statuses) == {(201, None): 1, (201, "true"): 3}
    assert Consultation.objects.count() == 1
    assert EvaluationAudit.objects.filter(outcome="ok").count() == 1
