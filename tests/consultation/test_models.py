"""Model behaviour the rest of the system relies on."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from guidance.models import GuidanceDocument, RuleSet
from options.consultation.models import Consultation, Lesion, PriorTreatment, TreatmentOption
from options.vocab import OPTIONS

pytestmark = pytest.mark.django_db


def make_consultation(**fields):
    """Save a consultation with a placeholder result; fields override the defaults."""
    defaults = {"cancer_type": "breast", "result": {}, "ruleset_version": "test-1"}
    return Consultation.objects.create(**(defaults | fields))


def test_to_assessment_round_trips_the_contract_in_position_order():
    consultation = make_consultation(
        patient_ref="ref-1",
        age_years=67,
        bone_metastases=True,
        mscc_signs=False,
        creatinine_clearance_ml_min=54.5,
        corrected_calcium_mmol_l=2.31,
        dental_assessment_done=True,
        lesions_recorded=True,
        prior_treatments_recorded=True,
    )
    # Saved out of order: the assessment follows position, not insertion.
    Lesion.objects.create(
        consultation=consultation,
        position=1,
        site="lower_limb",
        lesion_type="lytic",
        pain="mechanical",
        cortical_involvement="over_two_thirds",
        fracture=False,
    )
    Lesion.objects.create(
        consultation=consultation,
        position=0,
        site="spine",
        level="T12",
        lesion_type="mixed",
        pain="moderate",
        collapse="under_50",
        alignment="normal",
        posterolateral="unilateral",
    )
    PriorTreatment.objects.create(
        consultation=consultation,
        position=1,
        treatment="radiotherapy",
        response="inadequate",
        weeks_ago=6,
    )
    PriorTreatment.objects.create(
        consultation=consultation, position=0, treatment="opioid", response="ongoing"
    )

    assert consultation.to_assessment() == {
        "patient_ref": "ref-1",
        "age_years": 67,
        "cancer_type": "breast",
        "bone_metastases": True,
        "mscc_signs": False,
        "creatinine_clearance_ml_min": 54.5,
        "corrected_calcium_mmol_l": 2.31,
        "dental_assessment_done": True,
        "lesions": [
            {
                "site": "spine",
                "level": "T12",
                "lesion_type": "mixed",
                "pain": "moderate",
                "collapse": "under_50",
                "alignment": "normal",
                "posterolateral": "unilateral",
            },
            {
                "site": "lower_limb",
                "lesion_type": "lytic",
                "pain": "mechanical",
                "cortical_involvement": "over_two_thirds",
                "fracture": False,
            },
        ],
        "prior_treatments": [
            {"treatment": "opioid", "response": "ongoing"},
            {"treatment": "radiotherapy", "response": "inadequate", "weeks_ago": 6},
        ],
    }


def test_to_assessment_omits_unknowns_and_unrecorded_lists():
    consultation = make_consultation(cancer_type="none")
    assert consultation.to_assessment() == {"cancer_type": "none"}


def test_to_assessment_keeps_an_empty_list_that_was_an_answer():
    consultation = make_consultation(prior_treatments_recorded=True)
    assert consultation.to_assessment()["prior_treatments"] == []


def test_numbers_round_trip_exactly():
    consultation = make_consultation(corrected_calcium_mmol_l=2.195)
    consultation.refresh_from_db()
    assert consultation.to_assessment()["corrected_calcium_mmol_l"] == 2.195


def test_only_one_ruleset_can_be_published():
    RuleSet.objects.create(version="2024.1", title="First", state=RuleSet.PUBLISHED)
    RuleSet.objects.create(version="2024.2", title="Draft", state=RuleSet.DRAFT)
    RuleSet.objects.create(version="2023.1", title="Old", state=RuleSet.RETIRED)
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSet.objects.create(version="2024.3", title="Second", state=RuleSet.PUBLISHED)


@pytest.mark.parametrize(
    ("days_from_today", "overdue"),
    [(-1, True), (0, False), (30, False), (None, False)],
    ids=["due-yesterday", "due-today", "due-next-month", "no-review-date"],
)
def test_guidance_review_is_overdue_only_after_its_due_date(days_from_today, overdue):
    due = None
    if days_from_today is not None:
        due = timezone.localdate() + datetime.timedelta(days=days_from_today)
    document = GuidanceDocument(code="TA265", title="Denosumab", next_review_due=due)
    assert document.review_overdue is overdue


def test_the_five_treatment_options_exist_in_contract_order():
    options = list(TreatmentOption.objects.all())
    assert [option.slug for option in options] == list(OPTIONS)
    assert all(option.summary and option.patient_description for option in options)
