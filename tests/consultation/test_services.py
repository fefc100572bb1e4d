"""evaluate_assessment and consultation_create: the one core every interface calls."""

import pytest

from guidance.models import RuleSet
from guidance.selectors import NoPublishedRuleSet
from options.consultation.models import Consultation, EvaluationAudit, Lesion, PriorTreatment
from options.consultation.services import (
    AssessmentInvalid,
    consultation_create,
    evaluate_assessment,
)
from tests.builders import ANALGESIA_FAILED, assessment, long_bone, scenario, scenario_files, spine


def test_consultation_is_stored_with_its_advice_and_ruleset(published_ruleset, clinician):
    data = assessment(patient_ref="9434765919", lesions=[spine("L1"), long_bone()],
                      prior=[ANALGESIA_FAILED])
    consultation = consultation_create(data=data, channel="form", by=clinician)
    consultation.refresh_from_db()
    assert consultation.ruleset == published_ruleset
    assert consultation.ruleset_version == published_ruleset.version
    assert [o["option"] for o in consultation.result["options"]][0] == "bisphosphonate"
    assert consultation.clinician == clinician
    assert Lesion.objects.filter(consultation=consultation).count() == 2
    assert PriorTreatment.objects.filter(consultation=consultation).count() == 1
    audit = EvaluationAudit.objects.get()
    assert (audit.consultation, audit.outcome, audit.patient_ref) == (consultation, "ok",
                                                                     "9434765919")


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_a_stored_consultation_gives_back_its_assessment(published_ruleset, path):
    data = scenario(path)["assessment"]
    consultation = consultation_create(data=data, channel="api", client_name="ehr")
    again = evaluate_assessment(data=consultation.to_assessment(), channel="cli")
    assert again == consultation.result


def test_invalid_input_saves_nothing_but_its_audit(published_ruleset, clinician):
    data = assessment(lesions=[spine(), spine("T13")])
    with pytest.raises(AssessmentInvalid):
        consultation_create(data=data, channel="form", by=clinician)
    assert Consultation.objects.count() == 0 and Lesion.objects.count() == 0
    assert EvaluationAudit.objects.get().outcome == "invalid"


def test_without_a_published_ruleset_nothing_is_saved(db, clinician):
    with pytest.raises(NoPublishedRuleSet):
        consultation_create(data=assessment(), channel="form", by=clinician)
    assert Consultation.objects.count() == 0


def test_stored_advice_keeps_its_version_after_a_new_publish(published_ruleset, clinician,
                                                             guidance_editor, safety_officer):
    from guidance.services import default_ruleset_data, ruleset_import
    from tests.guidance_builders import publish_reviewed

    consultation = consultation_create(data=assessment(), channel="form", by=clinician)
    newer = ruleset_import(data={**default_ruleset_data(), "version": "2099.1"},
                           by=guidance_editor)
    publish_reviewed(newer, author=guidance_editor, reviewer=safety_officer)
    assert evaluate_assessment(data=assessment(), channel="cli")["ruleset"]["version"] == (
        "2099.1")
    consultation.refresh_from_db()
    assert consultation.ruleset_version == published_ruleset.version
    assert consultation.result["ruleset"]["version"] == published_ruleset.version
    assert RuleSet.objects.get(pk=published_ruleset.pk).state == RuleSet.RETIRED
