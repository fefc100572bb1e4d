import json
import logging

import pytest

from guidance.scenarios.compare import scenario_file_mismatches
from options.api.models import ApiCallAudit
from options.consultation.models import Consultation, EvaluationAudit

from .helpers import minimal_assessment, scenario_files

URL = "/api/v1/evaluate"


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_every_shared_scenario_gets_its_expected_advice_through_the_api(
        path, ehr_client, published_ruleset):
    data = json.loads(path.read_text(encoding="utf-8"))
    response = ehr_client.post(URL, data["assessment"], format="json")
    assert response.status_code == 200, response.json()
    assert scenario_file_mismatches(data, response.json()) == []


def test_shared_scenarios_are_there_to_test():
    assert len(scenario_files()) >= 10


def test_evaluate_returns_the_five_options_in_contract_order(ehr_client, published_ruleset):
    body = ehr_client.post(URL, minimal_assessment(), format="json").json()
    assert [o["option"] for o in body["options"]] == [
        "bisphosphonate", "denosumab", "cementoplasty", "vertebroplasty", "kyphoplasty"]
    assert body["ruleset"]["version"] == published_ruleset.version


def test_evaluate_stores_nothing_but_its_audit_row(ehr_client, published_ruleset):
    ehr_client.post(URL, minimal_assessment(patient_ref="RX1-42"), format="json")
    assert Consultation.objects.count() == 0
    assert not EvaluationAudit.objects.exists()
    call = ApiCallAudit.objects.get()
    assert (call.client, call.endpoint, call.status_code, call.outcome, call.patient_ref,
            call.ruleset_version) == (ehr_client.api_client, "POST /api/v1/evaluate", 200,
                                      "ok", "RX1-42", published_ruleset.version)


def test_invalid_lesion_names_the_field_path(ehr_client, published_ruleset):
    assessment = minimal_assessment(lesions=[
        {"site": "pelvis", "lesion_type": "lytic", "pain": "mild"},
        {"site": "spine", "lesion_type": "lytic", "pain": "mild", "collapse": "none",
         "alignment": "normal", "posterolateral": "none"},
    ])
    response = ehr_client.post(URL, assessment, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["title"] == "Invalid assessment"
    assert [e["path"] for e in body["errors"]] == ["lesions[1].level"]
    assert ApiCallAudit.objects.get().outcome == "invalid"


def test_no_published_ruleset_is_503_in_the_error_shape(ehr_client):
    response = ehr_client.post(URL, minimal_assessment(), format="json")
    assert response.status_code == 503
    assert response.json()["title"] == "Service unavailable"


def test_logs_carry_no_clinical_content(ehr_client, published_ruleset, caplog):
    caplog.set_level(logging.DEBUG)
    ehr_client.post(URL, minimal_assessment(patient_ref="9434765919", age_years=77),
                    format="json")
    ehr_client.post(URL, {"cancer_type": "prostate", "patient_ref": "9434765919"},
                    format="json")
    assert "9434765919" not in caplog.text
    assert "prostate" not in caplog.text
