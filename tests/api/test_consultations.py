import pytest

from options.api.models import ApiCallAudit, ClientConsultation
from options.consultation.models import Consultation

from .helpers import minimal_assessment, scenario

URL = "/api/v1/consultations"


def test_consultation_is_stored_with_its_advice_and_read_back(ehr_client, published_ruleset):
    assessment = scenario("V01")["assessment"] | {"patient_ref": "RX1-7"}
    created = ehr_client.post(URL, assessment, format="json")
    assert created.status_code == 201
    body = created.json()
    assert created["Location"] == f"{URL}/{body['id']}"
    assert body["assessment"] == assessment
    assert body["ruleset_version"] == published_ruleset.version
    assert ehr_client.get(f"{URL}/{body['id']}").json() == body
    consultation = Consultation.objects.get()
    assert consultation.api_client_name == "Test EHR"
    assert ClientConsultation.objects.get().client == ehr_client.api_client


def test_write_and_its_audit_are_in_one_transaction(ehr_client, published_ruleset):
    body = ehr_client.post(URL, minimal_assessment(patient_ref="P1"), format="json").json()
    call = ApiCallAudit.objects.get()
    assert (call.consultation_id, call.patient_ref, call.outcome) == (body["id"], "P1", "ok")


def test_invalid_consultation_stores_nothing_but_audits(ehr_client, published_ruleset):
    response = ehr_client.post(URL, {"cancer_type": "prostate", "bone_metastases": True,
                                     "sex": "male", "pregnant": True}, format="json")
    assert response.status_code == 400
    assert {e["path"] for e in response.json()["errors"]} == {"pregnant", "sex"}
    assert Consultation.objects.count() == 0
    assert ApiCallAudit.objects.get().outcome == "invalid"


def test_retry_with_the_same_key_returns_the_first_answer(ehr_client, published_ruleset):
    first = ehr_client.post(URL, minimal_assessment(), format="json",
                            HTTP_IDEMPOTENCY_KEY="key-1")
    again = ehr_client.post(URL, minimal_assessment(), format="json",
                            HTTP_IDEMPOTENCY_KEY="key-1")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert Consultation.objects.count() == 1
    assert ApiCallAudit.objects.filter(outcome="replayed").count() == 1


def test_same_key_with_a_different_assessment_is_409(ehr_client, published_ruleset):
    ehr_client.post(URL, minimal_assessment(), format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    response = ehr_client.post(URL, minimal_assessment(age_years=50), format="json",
                               HTTP_IDEMPOTENCY_KEY="key-1")
    assert response.status_code == 409
    assert response.json()["title"] == "Conflict"
    assert Consultation.objects.count() == 1


def test_without_a_key_each_post_stores_a_consultation(ehr_client, published_ruleset):
    for _ in range(2):
        ehr_client.post(URL, minimal_assessment(), format="json")
    assert Consultation.objects.count() == 2


def test_keys_belong_to_their_client(ehr_client, published_ruleset):
    from .helpers import http_for

    other, _, _ = http_for(name="Other EHR", scopes=["consultations:write"])
    mine = ehr_client.post(URL, minimal_assessment(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    theirs = other.post(URL, minimal_assessment(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert mine.json()["id"] != theirs.json()["id"]


@pytest.mark.parametrize("key", ["", "has space", "x" * 256], ids=["empty", "space", "long"])
def test_malformed_idempotency_key_is_400(ehr_client, published_ruleset, key):
    response = ehr_client.post(URL, minimal_assessment(), format="json",
                               HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "Idempotency-Key"


def test_list_is_paginated_filtered_and_only_the_clients_own(ehr_client, published_ruleset,
                                                             settings):
    from .helpers import http_for

    settings.BONECARE_API_PAGE_SIZE = 20
    other, _, _ = http_for(name="Other EHR", scopes=["consultations:write"])
    other.post(URL, minimal_assessment(patient_ref="P1"), format="json")
    for ref in ["P1"] * 22 + ["P2"]:
        ehr_client.post(URL, minimal_assessment(patient_ref=ref), format="json")
    page1 = ehr_client.get(URL, {"patient_ref": "P1"}).json()
    assert page1["count"] == 22
    assert len(page1["results"]) == 20
    page2 = ehr_client.get(page1["next"]).json()
    assert len(page2["results"]) == 2
    ids = [c["id"] for c in page1["results"] + page2["results"]]
    assert ids == sorted(ids, reverse=True)
    assert ehr_client.get(URL).json()["count"] == 23


def test_list_rejects_a_malformed_patient_ref(ehr_client, published_ruleset):
    response = ehr_client.get(URL, {"patient_ref": "x" * 65})
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "patient_ref"


def test_page_out_of_range_is_404(ehr_client, published_ruleset):
    assert ehr_client.get(URL, {"page": 5}).status_code == 404
