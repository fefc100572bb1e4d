"""Unknown is not false: eligibility unknowns ask; safety unknowns are listed as required."""

from tests.builders import ANALGESIA_FAILED, RADIOTHERAPY_FAILED, assessment, flat, prior, spine

from .conftest import option


def drop(data, *names):
    return {k: v for k, v in data.items() if k not in names}


def test_unknown_cord_compression_signs_leave_vertebroplasty_undecided(run):
    data = drop(assessment(lesions=[spine("L1", pain="mechanical", collapse="under_50")],
                           prior=[ANALGESIA_FAILED]), "mscc_signs")
    decision = option(run(data), "vertebroplasty")
    assert decision["status"] == "needs_information"
    assert decision["missing"] == ["mscc_signs"]
    assert "mscc_signs" in decision["summary"]


def test_unknown_cord_compression_signs_do_not_matter_without_a_spinal_lesion(run):
    data = drop(assessment(lesions=[flat()]), "mscc_signs")
    assert option(run(data), "vertebroplasty")["status"] == "not_applicable"


def test_unknown_prior_treatments_leave_cementoplasty_undecided(run):
    data = drop(assessment(lesions=[flat()]), "prior_treatments")
    decision = option(run(data), "cementoplasty")
    assert (decision["status"], decision["missing"]) == ("needs_information",
                                                         ["prior_treatments"])


def test_unknown_lesions_leave_the_procedures_undecided(run):
    result = run(drop(assessment(), "lesions"))
    for name in ("cementoplasty", "vertebroplasty", "kyphoplasty"):
        assert option(result, name)["status"] == "needs_information"
        assert "lesions" in option(result, name)["missing"]


def test_radiotherapy_without_its_timing_is_asked_for(run):
    data = assessment(lesions=[flat()],
                      prior=[ANALGESIA_FAILED, prior("radiotherapy", "inadequate")])
    decision = option(run(data), "cementoplasty")
    assert decision["status"] == "needs_information"
    assert decision["missing"] == ["prior_treatments[1].weeks_ago"]


def test_unknown_retropulsion_is_asked_for_by_path(run):
    lesion = {k: v for k, v in spine("L1", pain="mechanical", collapse="under_50").items()
              if k != "retropulsion"}
    decision = option(run(assessment(lesions=[lesion], prior=[ANALGESIA_FAILED])),
                      "kyphoplasty")
    assert decision["status"] == "needs_information"
    assert decision["missing"] == ["lesions[0].retropulsion"]


def test_unknown_primary_bone_intent_is_asked_for_before_cementoplasty(run):
    data = assessment("primary_bone", lesions=[flat()], prior=[ANALGESIA_FAILED,
                                                               RADIOTHERAPY_FAILED])
    decision = option(run(data), "cementoplasty")
    assert (decision["status"], decision["missing"]) == ("needs_information",
                                                         ["treatment_intent"])


def test_unknown_safety_inputs_keep_the_status_and_are_listed_as_required(run):
    data = drop(assessment(), "creatinine_clearance_ml_min", "corrected_calcium_mmol_l",
                "pregnant", "dental_assessment_done", "unhealed_oral_lesion")
    decision = option(run(data), "bisphosphonate")
    assert (decision["status"], decision["hold"]) == ("recommended", False)
    assert set(decision["missing"]) == {"creatinine_clearance_ml_min",
                                        "corrected_calcium_mmol_l", "pregnant",
                                        "dental_assessment_done", "unhealed_oral_lesion"}
    renal = next(c for c in decision["criteria"] if c["rule"] == "BP-CRIT-RENAL")
    assert renal["met"] is None


def test_unknown_safety_inputs_do_not_block_a_procedure(run):
    data = drop(assessment(lesions=[flat()], prior=[ANALGESIA_FAILED, RADIOTHERAPY_FAILED]),
                "uncorrectable_coagulopathy", "cement_allergy")
    decision = option(run(data), "cementoplasty")
    assert decision["status"] == "consider"
    assert set(decision["missing"]) == {"uncorrectable_coagulopathy", "cement_allergy"}


def test_safety_inputs_are_not_listed_for_an_option_that_does_not_stand(run):
    data = drop(assessment("prostate"), "creatinine_clearance_ml_min")
    decision = option(run(data), "bisphosphonate")
    assert (decision["status"], decision["missing"]) == ("not_recommended", [])


def test_an_unknown_that_cannot_change_the_answer_is_not_asked_for(run):
    data = drop(assessment(lesions=[flat()]), "mscc_signs")
    assert option(run(data), "kyphoplasty")["missing"] == []
