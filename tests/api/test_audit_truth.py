"""The audit never says "ok" for a call whose client got an error, a consultation is never
stored without its audit row, and one Idempotency-Key stores once, also in a race."""

import threading
from collections import Counter

import pytest
from django.db import DatabaseError, OperationalError, connection, connections
from rest_framework.test import APIClient

from options.api import services as api_services
from options.api.models import ApiCallAudit, ClientConsultation
from options.consultation import services
from options.consultation.models import Consultation, EvaluationAudit, Lesion

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


@pytest.fixture
def ok_call_record_fails(monkeypatch):
    """Make the API's "ok" audit insert fail, as a full disk would."""
    real = api_services.api_call_record

    def record(**kwargs):
        if kwargs["outcome"] == "ok":
            raise DatabaseError("could not extend file: No space left on device")
        return real(**kwargs)

    monkeypatch.setattr("options.api.base.api_call_record", record)


@pytest.mark.parametrize("path", ["/api/v1/evaluate", URL])
def test_the_api_stores_nothing_when_the_audit_fails(ehr_client, published_ruleset,
                                                     ok_call_record_fails, path):
    ehr_client.raise_request_exception = False
    response = ehr_client.post(path, scenario("V01")["assessment"], format="json")
    assert response.status_code == 500
    assert not Consultation.objects.exists()
    assert list(ApiCallAudit.objects.values_list("status_code", "outcome")) == [(500, "error")]


def test_no_audit_row_when_the_database_goes_while_auditing(ehr_client, published_ruleset,
                                                            monkeypatch):
    def call_audit_fails(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("options.api.base.api_call_record", call_audit_fails)
    response = ehr_client.post("/api/v1/evaluate", minimal_assessment(), format="json")
    assert response.status_code == 503
    assert not ApiCallAudit.objects.exists()


def test_an_api_call_leaves_one_audit_row_naming_what_it_caused(ehr_client,
                                                                 published_ruleset):
    body = ehr_client.post(URL, minimal_assessment(patient_ref="P7"), format="json").json()
    call = ApiCallAudit.objects.get()
    assert (call.outcome, call.patient_ref, call.consultation_id, call.ruleset_version) == (
        "ok", "P7", body["id"], published_ruleset.version)
    assert not EvaluationAudit.objects.exists()  # the call's row is the evaluation's record


def test_a_refused_consultation_keeps_its_invalid_audit_row(ehr_client, published_ruleset):
    response = ehr_client.post(URL, minimal_assessment(patient_ref="P8", age=-1), format="json")
    assert response.status_code == 400
    assert list(ApiCallAudit.objects.values_list("status_code", "outcome", "patient_ref")) == [
        (400, "invalid", "P8")]
    assert not Consultation.objects.exists()


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
    assert sorted(ApiCallAudit.objects.values_list("outcome", flat=True)) == [
        "ok", "replayed", "replayed", "replayed"]
