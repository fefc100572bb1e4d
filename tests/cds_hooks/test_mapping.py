"""FHIR to the assessment: UK and international codings, units, statuses and dates.
Nothing FHIR does not settle is guessed; context-only results never become answers."""

import datetime

import pytest

from guidance.codes import CodeLists, Entry
from guidance.selectors import code_lists_published
from options.cds_hooks.fhir import resources_of
from options.cds_hooks.mapping import assessment_from_fhir

from .fhir_builders import (
    BONE,
    BREAST,
    ICD10,
    LOINC,
    SNOMED,
    allergy,
    bundle,
    condition,
    observation,
    prefetch,
)

TODAY = datetime.date(2026, 11, 27)


def mapped(codes=None, **parts):
    return assessment_from_fhir(prefetch(**parts), codes=codes or code_lists_published(),
                                today=TODAY)


@pytest.fixture(autouse=True)
def _code_lists(published_ruleset):
    """The shipped code lists, as the published default ruleset holds them."""


@pytest.mark.parametrize("system, code, cancer", [
    (SNOMED, "254837009", "breast"), (ICD10, "C50.9", "breast"),
    ("http://hl7.org/fhir/sid/icd-10-uk", "C509", "breast"), (ICD10, "C61", "prostate"),
    (ICD10, "C90.0", "myeloma"), (ICD10, "C90.1", "other_haematological"),
    (ICD10, "C18.7", "other_solid"), (ICD10, "C80.1", "other_solid"),
    (ICD10, "C83.3", "other_haematological"), (SNOMED, "307576001", "primary_bone"),
], ids=lambda v: str(v))
def test_snomed_and_icd10_name_the_primary_cancer(system, code, cancer):
    assert mapped(conditions=[condition(system, code), BONE]).assessment["cancer_type"] == \
        cancer


def test_icd10_secondary_in_bone_is_bone_metastases():
    result = mapped(conditions=[BREAST, condition(ICD10, "C79.5", ident="b")])
    assert result.assessment["bone_metastases"] is True


def test_refuted_bone_metastases_settle_the_fact_as_false():
    result = mapped(conditions=[BREAST, condition(SNOMED, "94222008",
                                                  verification="refuted")])
    assert result.assessment["bone_metastases"] is False


@pytest.mark.parametrize("verification, clinical", [
    ("provisional", "active"), ("differential", "active"), ("entered-in-error", "active"),
    ("confirmed", "resolved"), ("confirmed", "inactive")])
def test_a_condition_not_present_leaves_the_fact_unknown(verification, clinical):
    result = mapped(conditions=[BREAST, condition(SNOMED, "94222008",
                                                  verification=verification,
                                                  clinical=clinical)])
    assert "bone_metastases" not in result.assessment


def test_no_bone_condition_leaves_bone_metastases_unknown_never_false():
    assert "bone_metastases" not in mapped(conditions=[BREAST]).assessment


def test_absence_of_cord_compression_is_never_false():
    assert "mscc_signs" not in mapped().assessment
    assert mapped(conditions=[BREAST, BONE, condition(SNOMED, "71286001", ident="m")]
                  ).assessment["mscc_signs"] is True


def test_two_cancers_without_a_link_to_the_bone_disease_are_asked():
    result = mapped(conditions=[BREAST, condition(SNOMED, "93880001", ident="lung"), BONE])
    assert "cancer_type" not in result.assessment
    assert any("Several cancers" in line for line in result.context)


def test_two_cancers_one_linked_to_the_bone_disease_name_it():
    bone = condition(SNOMED, "94222008", ident="bone", evidence=["Condition/lung"])
    result = mapped(conditions=[BREAST, condition(SNOMED, "93880001", ident="lung"), bone])
    assert result.assessment["cancer_type"] == "lung"


def test_an_unknown_condition_code_is_listed_and_not_used():
    result = mapped(conditions=[BREAST, BONE, condition(SNOMED, "38341003", ident="htn")])
    assert result.unrecognised == ["http://snomed.info/sct|38341003"]
    assert result.assessment["cancer_type"] == "breast"


def test_an_empty_problem_list_is_outside_scope_but_an_unknown_code_is_asked():
    assert mapped(conditions=[]).assessment["cancer_type"] == "none"
    assert "cancer_type" not in mapped(conditions=[condition(SNOMED, "38341003")]).assessment


@pytest.mark.parametrize("obs, value", [
    (observation(SNOMED, "1000731000000107", 80, "umol/L"), 80),
    (observation(LOINC, "2160-0", 1.0, "mg/dL"), 88.4),
], ids=["umol-per-l", "mg-per-dl"])
def test_serum_creatinine_in_either_unit(obs, value):
    assert mapped(observations=[obs]).assessment["serum_creatinine_umol_l"] == value


@pytest.mark.parametrize("obs, value", [
    (observation(LOINC, "29265-6", 2.35, "mmol/L"), 2.35),
    (observation(SNOMED, "935051000000108", 2.4, "mmol/L"), 2.4),
    (observation(LOINC, "29265-6", 9.6, "mg/dL"), 2.4),
], ids=["loinc", "snomed", "loinc-mg-per-dl"])
def test_corrected_calcium_from_loinc_or_snomed(obs, value):
    assert mapped(observations=[obs]).assessment["corrected_calcium_mmol_l"] == value


def test_plain_calcium_is_context_only():
    result = mapped(observations=[observation(LOINC, "2000-8", 2.1, "mmol/L")])
    assert "corrected_calcium_mmol_l" not in result.assessment
    assert result.context == ["Calcium (not corrected) 2.1 mmol/L (2026-11-20): context only, "
                              "not used"]


def test_egfr_is_never_a_clearance():
    result = mapped(observations=[observation(LOINC, "62238-1", 52, "mL/min/{1.73_m2}")])
    assert "creatinine_clearance_ml_min" not in result.assessment
    assert result.context == ["eGFR 52 mL/min/{1.73_m2} (2026-11-20): context only, not used"]


def test_a_clearance_code_with_an_egfr_unit_is_not_used():
    result = mapped(observations=[observation(SNOMED, "968191000000100", 52,
                                              "mL/min/{1.73_m2}")])
    assert "creatinine_clearance_ml_min" not in result.assessment
    assert "never a clearance" in result.context[0]


def test_results_older_than_90_days_are_not_used_and_said_so():
    old = observation(LOINC, "29265-6", 2.0, "mmol/L", when="2026-08-01T09:00:00Z")
    result = mapped(observations=[old])
    assert "corrected_calcium_mmol_l" not in result.assessment
    assert "older than 90 days" in result.context[0]


def test_the_latest_of_two_results_wins():
    earlier = observation(LOINC, "29265-6", 2.0, "mmol/L", when="2026-11-01T09:00:00Z")
    later = observation(SNOMED, "935051000000108", 2.4, "mmol/L", when="2026-11-25")
    assert mapped(observations=[later, earlier]).assessment["corrected_calcium_mmol_l"] == 2.4


def test_an_entered_in_error_result_is_ignored():
    wrong = observation(LOINC, "29265-6", 1.9, "mmol/L", status="entered-in-error")
    assert "corrected_calcium_mmol_l" not in mapped(observations=[wrong]).assessment


@pytest.mark.parametrize("answer, pregnant", [
    ((LOINC, "LA15173-0"), True), ((SNOMED, "77386006"), True),
    ((LOINC, "LA26683-5"), False), ((SNOMED, "60001007"), False), ((LOINC, "LA4489-6"), None)])
def test_pregnancy_status_answers(answer, pregnant):
    result = mapped(observations=[observation(LOINC, "82810-3", answer=answer)])
    assert result.assessment.get("pregnant") is pregnant


def test_patient_sex_age_and_nhs_number():
    patient = {"resourceType": "Patient", "id": "p", "gender": "female",
               "birthDate": "1971-11-28", "identifier": [
                   {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "943 476 5919"}]}
    assessment = mapped(patient=patient).assessment
    assert (assessment["sex"], assessment["age_years"], assessment["patient_ref"]) == (
        "female", 54, "9434765919")


@pytest.mark.parametrize("gender, birth", [("other", "1971-11"), ("unknown", "1971")])
def test_other_gender_and_partial_birth_dates_stay_unknown(gender, birth):
    patient = {"resourceType": "Patient", "id": "p", "gender": gender, "birthDate": birth}
    assessment = mapped(patient=patient).assessment
    assert "sex" not in assessment and "age_years" not in assessment


@pytest.mark.parametrize("allergies, value", [
    ([allergy(SNOMED, "293637006")], True), ([allergy(SNOMED, "716186003")], False),
    ([allergy(SNOMED, "293637006", verification="refuted")], None),
    ([allergy(SNOMED, "293637006", clinical="resolved"), allergy(SNOMED, "716186003")], False),
    ([allergy(SNOMED, "716186003"), allergy(SNOMED, "427811002")], True),
], ids=["contrast", "no-known", "refuted", "resolved", "true-wins"])
def test_cement_or_contrast_allergy(allergies, value):
    assert mapped(allergies=allergies).assessment.get("cement_allergy") is value


def test_a_local_code_in_the_lists_is_recognised():
    local = condition("http://snomed.info/sct", "1234567000", ident="local")
    assert "cancer_type" not in mapped(conditions=[local, BONE]).assessment
    extended = CodeLists((*code_lists_published().entries, Entry(
        "cancer_type", SNOMED, "1234567000", "renal", "Local renal cancer code")))
    assert mapped(extended, conditions=[local, BONE]).assessment["cancer_type"] == "renal"


def test_every_page_sent_is_read_and_other_resource_types_ignored():
    raw = {"resourceType": "Bundle", "type": "searchset", "entry": [
        {"resource": {"resourceType": "Encounter", "id": "e", "status": "finished",
                      "class": {"code": "AMB"}}},
        {"resource": BREAST}]}
    second = bundle(BONE)
    parsed = {"conditions": resources_of([raw, second], "conditions"), "patient": None}
    result = assessment_from_fhir(parsed, codes=code_lists_published(), today=TODAY)
    assert (result.assessment["cancer_type"], result.assessment["bone_metastases"]) == (
        "breast", True)
    assert result.unrecognised == []
