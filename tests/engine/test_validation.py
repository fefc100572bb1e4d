"""The contract validator refuses malformed input, naming each field by its path."""

import pytest

from options.validation import AssessmentInvalid, validate_assessment
from tests.builders import assessment, flat, long_bone, prior, spine


def with_lesion(**lesion):
    return assessment(lesions=[lesion])


MALFORMED = [
    ("not-an-object", ["breast"], "", "JSON object"),
    ("unknown-field", {**assessment(), "cancer": "breast"}, "cancer", "unknown field"),
    ("missing-cancer-type", {"bone_metastases": True}, "cancer_type", "required"),
    ("unknown-cancer-type", assessment("brest"), "cancer_type", "one of"),
    ("cancer-type-number", {**assessment(), "cancer_type": 3}, "cancer_type", "one of"),
    ("bone-metastases-string", assessment(bone_metastases="yes"), "bone_metastases",
     "true or false"),
    ("hormone-status-for-breast", assessment(prostate_hormone_status="hormone_relapsed"),
     "prostate_hormone_status", "applies only when cancer_type is prostate"),
    ("bad-sex", assessment(sex="unknown"), "sex", "one of female, male"),
    ("pregnant-man", assessment(sex="male", pregnant=True), "pregnant",
     "cannot be true when sex is male"),
    ("man-pregnant", assessment(sex="male", pregnant=True), "sex", "pregnant is true"),
    ("weight-too-low", assessment(weight_kg=5), "weight_kg", "from 20 to 300"),
    ("creatinine-too-high", assessment(serum_creatinine_umol_l=5000), "serum_creatinine_umol_l",
     "from 10 to 2000"),
    ("creatinine-text", assessment(serum_creatinine_umol_l="80"), "serum_creatinine_umol_l",
     "must be a number"),
    ("bad-intent", assessment(treatment_intent="radical"), "treatment_intent", "curative"),
    ("age-under-18", assessment(age_years=17), "age_years", "18 to 120"),
    ("age-fraction", assessment(age_years=40.5), "age_years", "whole number"),
    ("age-boolean", assessment(age_years=True), "age_years", "whole number"),
    ("crcl-too-high", assessment(creatinine_clearance_ml_min=251),
     "creatinine_clearance_ml_min", "0 to 250"),
    ("crcl-string", assessment(creatinine_clearance_ml_min="80"),
     "creatinine_clearance_ml_min", "a number"),
    ("crcl-not-finite", assessment(creatinine_clearance_ml_min=float("nan")),
     "creatinine_clearance_ml_min", "a number"),
    ("calcium-too-low", assessment(corrected_calcium_mmol_l=0.4), "corrected_calcium_mmol_l",
     "0.5 to 5.0"),
    ("pregnant-string", assessment(pregnant="no"), "pregnant", "true or false"),
    ("mscc-number", assessment(mscc_signs=1), "mscc_signs", "true or false"),
    ("nhs-number-bad-check-digit", assessment(patient_ref="9434765918"), "patient_ref",
     "check digit"),
    ("nhs-number-spaced-bad", assessment(patient_ref="943 476 5918"), "patient_ref",
     "check digit"),
    ("patient-ref-too-long", assessment(patient_ref="x" * 65), "patient_ref", "at most 64"),
    ("patient-ref-number", assessment(patient_ref=9434765919), "patient_ref", "string"),
    ("lesions-not-a-list", {**assessment(), "lesions": {"site": "spine"}}, "lesions",
     "must be a list"),
    ("too-many-lesions", assessment(lesions=[flat()] * 21), "lesions", "at most 20"),
    ("lesion-not-an-object", assessment(lesions=[flat(), "pelvis"]), "lesions[1]",
     "must be an object"),
    ("lesion-without-site", with_lesion(lesion_type="lytic", pain="mild"), "lesions[0].site",
     "required"),
    ("lesion-unknown-site", with_lesion(site="femur", lesion_type="lytic", pain="mild"),
     "lesions[0].site", "one of"),
    ("lesion-unknown-field", assessment(lesions=[{**flat(), "size_cm": 3}]),
     "lesions[0].size_cm", "unknown field"),
    ("lesion-score-is-not-input", assessment(lesions=[{**spine(), "sins": 4}]),
     "lesions[0].sins", "unknown field"),
    ("spine-without-level", assessment(lesions=[{**spine(), "level": None}]),
     "lesions[0].level", "required for a spine lesion"),
    ("spine-bad-level", assessment(lesions=[spine("T13")]), "lesions[0].level", "one of"),
    ("spine-bad-alignment", assessment(lesions=[spine(alignment="kyphotic")]),
     "lesions[0].alignment", "one of"),
    ("spine-with-cortical", assessment(lesions=[spine(cortical_involvement="under_third")]),
     "lesions[0].cortical_involvement", "does not apply to a spine lesion"),
    ("spine-with-fracture", assessment(lesions=[spine(fracture=True)]), "lesions[0].fracture",
     "does not apply"),
    ("femur-with-collapse", assessment(lesions=[flat(), long_bone("lower_limb",
                                                                  collapse="none")]),
     "lesions[1].collapse", "does not apply to a lower_limb lesion"),
    ("pelvis-with-level", assessment(lesions=[flat(level="L5")]), "lesions[0].level",
     "does not apply to a pelvis lesion"),
    ("sacrum-lumbar-level", assessment(lesions=[flat("sacrum", level="L5")]),
     "lesions[0].level", "S1, S2"),
    ("bad-pain", assessment(lesions=[flat(pain="severe")]), "lesions[0].pain", "mechanical"),
    ("retropulsion-string", assessment(lesions=[spine(retropulsion="no")]),
     "lesions[0].retropulsion", "true or false"),
    ("prior-not-a-list", {**assessment(), "prior_treatments": "opioid"}, "prior_treatments",
     "must be a list"),
    ("too-many-priors", assessment(prior=[prior("opioid", "effective")] * 31),
     "prior_treatments", "at most 30"),
    ("prior-unknown-treatment", assessment(prior=[prior("morphine", "effective")]),
     "prior_treatments[0].treatment", "one of"),
    ("prior-without-response", assessment(prior=[{"treatment": "opioid"}]),
     "prior_treatments[0].response", "required"),
    ("prior-negative-weeks", assessment(prior=[prior("radiotherapy", "inadequate", -1)]),
     "prior_treatments[0].weeks_ago", "0 to 10000"),
    ("prior-unknown-field", assessment(prior=[{**prior("opioid", "effective"), "dose": 5}]),
     "prior_treatments[0].dose", "unknown field"),
]


@pytest.mark.parametrize(("data", "path", "message"), [c[1:] for c in MALFORMED],
                         ids=[c[0] for c in MALFORMED])
def test_malformed_assessment_is_refused_with_its_path(data, path, message):
    with pytest.raises(AssessmentInvalid) as caught:
        validate_assessment(data)
    errors = {e["path"]: e["message"] for e in caught.value.errors}
    assert path in errors, errors
    assert message in errors[path]


def test_every_error_is_reported_at_once():
    data = assessment("brest", age_years=12, lesions=[spine("T13")])
    with pytest.raises(AssessmentInvalid) as caught:
        validate_assessment(data)
    paths = {e["path"] for e in caught.value.errors}
    assert {"cancer_type", "age_years", "lesions[0].level"} <= paths


def test_a_valid_nhs_number_and_nulls_for_unknowns_are_accepted():
    clean = validate_assessment({**assessment(patient_ref="943 476 5919"), "pregnant": None})
    assert clean["patient_ref"] == "943 476 5919"
    assert "pregnant" not in clean


def test_an_empty_prior_treatment_list_is_kept_as_an_answer():
    assert validate_assessment(assessment(prior=[]))["prior_treatments"] == []


ABSENT_MEANS_UNKNOWN = [
    ("bone-metastases", {"cancer_type": "lung"}, "bone_metastases"),
    ("prostate-hormone-status", {**assessment("prostate"), "prostate_hormone_status": None},
     "prostate_hormone_status"),
    ("myeloma-treatment-need", {**assessment("myeloma"), "myeloma_needs_treatment": None},
     "myeloma_needs_treatment"),
    ("spine-collapse", assessment(lesions=[{**spine(), "collapse": None}]), "lesions"),
    ("spine-alignment", assessment(lesions=[{**spine(), "alignment": None}]), "lesions"),
    ("spine-posterolateral", assessment(lesions=[{**spine(), "posterolateral": None}]),
     "lesions"),
    ("spine-retropulsion", assessment(lesions=[{**spine(), "retropulsion": None}]), "lesions"),
    ("long-bone-cortical", assessment(lesions=[{**long_bone(), "cortical_involvement": None}]),
     "lesions"),
]


@pytest.mark.parametrize(("data", "field"), [c[1:] for c in ABSENT_MEANS_UNKNOWN],
                         ids=[c[0] for c in ABSENT_MEANS_UNKNOWN])
def test_an_absent_eligibility_input_is_unknown_not_an_error(data, field):
    clean = validate_assessment(data)
    if field == "lesions":
        assert len(clean["lesions"]) == 1
    else:
        assert field not in clean


def test_other_haematological_cancer_and_sex_are_in_the_contract():
    clean = validate_assessment(assessment("other_haematological", sex="male", weight_kg=70.5,
                                           serum_creatinine_umol_l=90))
    assert (clean["cancer_type"], clean["sex"], clean["weight_kg"]) == (
        "other_haematological", "male", 70.5)
