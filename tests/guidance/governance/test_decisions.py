"""The one store of clinicians' decisions: the result page's and CDS Hooks feedback."""

import pytest
from django.core.exceptions import ValidationError

from options.consultation.decisions import decision_followed, decision_record, option_rule_codes
from options.consultation.models import Decision
from options.consultation.services import consultation_create
from tests.result_helpers import assessment


@pytest.fixture
def consultation(published_ruleset, clinician):
    return consultation_create(data=assessment("V01"), channel="form", by=clinician)


def _status(consultation, option):
    return next(o["status"] for o in consultation.result["options"] if o["option"] == option)


def test_result_page_decision_is_stored_with_the_advice_it_was_about(consultation, clinician):
    codes = option_rule_codes(consultation.result, "bisphosphonate")
    decision = decision_record(
        source="result_page", outcome="mdt_disagrees", option="bisphosphonate",
        rule_codes=codes, ruleset_version=consultation.ruleset_version,
        reason_code="mdt_decision", comment="  Prefers to wait  ",
        consultation=consultation, by=clinician)
    stored = Decision.objects.get(pk=decision.pk)
    assert stored.rule_codes == codes and codes
    assert stored.advised_status == _status(consultation, "bisphosphonate")
    assert stored.followed is False
    assert stored.comment == "Prefers to wait"
    assert stored.by == clinician


def test_cds_hooks_feedback_lands_in_the_same_store(db):
    decision = decision_record(
        source="cds_hooks", outcome="overridden", option="denosumab",
        rule_codes=["DMAB-TA265-02"], ruleset_version="2026.3", reason_code="patient_choice",
        client_name="Test EHR", card_uuid="1b1c8f6e-0000-4000-8000-000000000001")
    assert Decision.objects.get().card_uuid == decision.card_uuid
    assert decision.followed is False


@pytest.mark.parametrize(("changes", "field"), [
    ({"source": "fax"}, "source"),
    ({"outcome": "accepted"}, "outcome"),  # a CDS Hooks outcome from the result page
    ({"outcome": "maybe"}, "outcome"),
    ({"option": "aspirin"}, "option"),
    ({"reason_code": "because"}, "reason_code"),
    ({"rule_codes": "DMAB-TA265-02"}, "rule_codes"),
    ({"rule_codes": [""]}, "rule_codes"),
    ({"ruleset_version": ""}, "ruleset_version"),
    ({"comment": "x" * 2001}, "comment"),
    ({"source": "cds_hooks", "outcome": "accepted"}, "client_name"),
], ids=["source", "outcome-of-other-source", "outcome", "option", "reason", "codes-not-list",
        "blank-code", "version", "long-comment", "cds-without-client"])
def test_bad_values_are_refused_naming_the_field(db, changes, field):
    values = {"source": "result_page", "outcome": "going_ahead", "option": "denosumab",
              "rule_codes": ["DMAB-TA265-02"], "ruleset_version": "2026.3", **changes}
    with pytest.raises(ValidationError) as error:
        decision_record(**values)
    assert field in error.value.message_dict
    assert not Decision.objects.exists()


@pytest.mark.parametrize(("outcome", "status", "followed"), [
    ("going_ahead", "recommended", True),
    ("going_ahead", "consider", True),
    ("going_ahead", "contraindicated", False),
    ("not_going_ahead", "recommended", False),
    ("not_going_ahead", "consider", True),
    ("not_going_ahead", "not_recommended", True),
    ("mdt_disagrees", "recommended", False),
    ("accepted", "", True),
    ("overridden", "", False),
])
def test_followed_means_going_with_the_advice(outcome, status, followed):
    assert decision_followed(outcome=outcome, advised_status=status) is followed
