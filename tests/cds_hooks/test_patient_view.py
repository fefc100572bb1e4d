"""patient-view cards: cord compression first as its own critical card, then one summary
card naming what stands, with "Open in BoneCare" to a one-hour draft, and the audit row."""

import datetime

from django.utils import timezone

from options.cds_hooks.models import CdsCallAudit, ConsultationDraft, IssuedCard
from options.consultation.models import EvaluationAudit

from .helpers import PATIENT_VIEW, bonecare, call, example, request_of


def _cards(client, ehr, request):
    response = call(client, ehr, PATIENT_VIEW, request)
    assert response.status_code == 200, response.content
    return response.json()["cards"]


def test_v01_summary_card_names_what_stands(client, cds_ehr, published_ruleset):
    (card,) = _cards(client, cds_ehr, request_of("V01"))
    assert card["indicator"] == "info"
    assert card["summary"] == ("Bone: bisphosphonate and denosumab recommended; 3 procedures "
                               "need imaging details")
    assert card["source"]["label"].startswith("BoneCare (NICE ")
    assert card["source"]["url"] == "http://testserver/"
    assert "**Bisphosphonate**: recommended." in card["detail"]
    assert "Cannot decide until this is known: Bone lesions (imaging findings)" in card["detail"]
    (link,) = card["links"]
    assert (link["label"], link["type"]) == ("Open in BoneCare", "absolute")
    key = link["url"].removeprefix("http://testserver/consultations/new/?draft=")
    assert len(key) >= 40 and "/" not in key and "p-v01" not in link["url"]
    assert ConsultationDraft.objects.get(key=key).assessment == bonecare(card)["assessment"]


def test_cord_compression_comes_first_as_its_own_critical_card(client, cds_ehr,
                                                               published_ruleset):
    first, summary = _cards(client, cds_ehr, request_of("V07"))
    assert first["indicator"] == "critical" and "spinal cord compression" in first["summary"]
    assert "MSCC coordinator" in first["detail"]
    assert summary["indicator"] == "critical"


def test_a_contraindicated_option_makes_the_card_a_warning(client, cds_ehr,
                                                            published_ruleset):
    request = request_of("V01")
    request["prefetch"]["observations"]["entry"][1]["resource"]["valueQuantity"]["value"] = 2.0
    (card,) = _cards(client, cds_ehr, request)
    assert card["indicator"] == "warning"
    assert "denosumab contraindicated" in card["summary"]


def test_outside_the_guidance_says_so(client, cds_ehr, published_ruleset):
    (card,) = _cards(client, cds_ehr, request_of("V36"))
    assert card["summary"] == "Bone: outside the NICE guidance BoneCare covers"


def test_without_a_primary_cancer_it_asks_and_still_links(client, cds_ehr, published_ruleset):
    request = request_of("V01")
    request["prefetch"]["conditions"]["entry"].append({"resource": {
        **request["prefetch"]["conditions"]["entry"][0]["resource"], "id": "lung",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "93880001"}]}}})
    (card,) = _cards(client, cds_ehr, request)
    assert card["summary"] == "Bone: BoneCare needs the primary cancer to advise"
    assert bonecare(card)["result"] is None and bonecare(card)["missing"] == ["cancer_type"]
    assert card["links"][0]["label"] == "Open in BoneCare"
    assert CdsCallAudit.objects.get().result_summary == {"needs": ["cancer_type"], }


def test_a_value_the_contract_refuses_is_left_out_and_said_so(client, cds_ehr,
                                                               published_ruleset):
    request = request_of("V01")
    request["prefetch"]["patient"].update({"gender": "male", "birthDate": "2015-01-01"})
    (card,) = _cards(client, cds_ehr, request)
    assessment = bonecare(card)["assessment"]
    assert "age_years" not in assessment and assessment["sex"] == "male"
    assert "Age from the record not used" in " ".join(bonecare(card)["context"])
    assert bonecare(card)["result"]["options"][0]["status"] == "recommended"


def test_one_audit_row_names_the_call_and_what_it_caused(client, cds_ehr, published_ruleset):
    request = request_of("V02")
    request["prefetch"]["patient"]["identifier"] = [
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]
    (card,) = _cards(client, cds_ehr, request)
    audit = CdsCallAudit.objects.get()
    assert (audit.client, audit.service, audit.hook, audit.hook_instance) == (
        cds_ehr.client, PATIENT_VIEW, "patient-view", request["hookInstance"])
    assert (audit.fhir_patient_id, audit.patient_ref, audit.status_code, audit.outcome) == (
        "p-v02", "9434765919", 200, "ok")
    assert audit.ruleset_version == published_ruleset.version
    assert audit.result_summary == {"statuses": example("V02")["expected"], "alerts": [],
                                    "cards": 1}
    assert not EvaluationAudit.objects.exists()  # one row per call, not two
    issued = IssuedCard.objects.get(uuid=card["uuid"])
    assert {o["option"] for o in issued.options} == set(example("V02")["expected"])


def test_a_draft_lasts_one_hour(client, cds_ehr, published_ruleset, clinician_client):
    (card,) = _cards(client, cds_ehr, request_of("V34"))
    url = card["links"][0]["url"]
    page = clinician_client.get(url)
    assert page.status_code == 200
    form = page.content.decode()
    assert 'value="72"' in form and 'value="80"' in form  # weight, creatinine pre-filled
    draft = ConsultationDraft.objects.get()
    assert draft.expires_at - draft.created_at == datetime.timedelta(hours=1)
    draft.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    draft.save()
    assert clinician_client.get(url).status_code == 404


def test_a_draft_opens_only_for_a_signed_in_clinician(client, cds_ehr, published_ruleset,
                                                       guidance_editor):
    (card,) = _cards(client, cds_ehr, request_of("V01"))
    url = card["links"][0]["url"]
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(guidance_editor)
    assert client.get(url).status_code == 403


def test_an_unknown_draft_is_not_found(clinician_client, db):
    assert clinician_client.get("/consultations/new/?draft=x" * 1).status_code == 404
    assert clinician_client.get("/consultations/new/?draft=" + "a" * 43).status_code == 404


def _v20_with_two_cancers(hook="patient-view"):
    """V20 (cord compression on the record) with a second cancer and no link between them:
    the primary cancer is not settled, so no advice can be given."""
    request = request_of("V20", hook=hook)
    entries = request["prefetch"]["conditions"]["entry"]
    entries.append({"resource": {**entries[0]["resource"], "id": "lung", "code": {
        "coding": [{"system": "http://snomed.info/sct", "code": "93880001"}]}}})
    return request


def test_cord_compression_is_said_even_when_the_primary_cancer_is_not(client, cds_ehr,
                                                                      published_ruleset):
    first, question = _cards(client, cds_ehr, _v20_with_two_cancers())
    assert first["indicator"] == "critical" and "spinal cord compression" in first["summary"]
    assert "MSCC coordinator" in first["detail"]
    assert question["summary"] == "Bone: BoneCare needs the primary cancer to advise"


def test_without_cord_compression_an_unsettled_cancer_only_asks(client, cds_ehr,
                                                                published_ruleset):
    request = request_of("V01")
    request["prefetch"]["conditions"]["entry"].append({"resource": {
        **request["prefetch"]["conditions"]["entry"][0]["resource"], "id": "lung",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "93880001"}]}}})
    assert [card["indicator"] for card in _cards(client, cds_ehr, request)] == ["info"]
