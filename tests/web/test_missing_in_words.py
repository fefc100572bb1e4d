"""Missing inputs in words: one function (options.choices.missing_words) names a contract
path as people read it, and no result page, clinician print or patient sheet shows a path or
a field name of the contract, for any shared scenario or a spinal lesion with findings left
unknown. The API keeps the contract's paths."""

import pytest

from options import vocab
from options.choices import FIELD_NAMES, missing_grouped, missing_in_words, missing_words
from options.consultation.services import consultation_create
from tests.builders import assessment as built

from ..result_helpers import CASES, consultation_for, contract_names_in, page, visible_blocks

SPINE_L2 = {"lesions": [{"site": "spine", "level": "L2"}, {"site": "pelvis"}],
            "prior_treatments": [{"treatment": "radiotherapy"}]}


@pytest.mark.parametrize("path, words", [
    ("lesions[0].alignment", "Lesion 1 (L2): spinal alignment"),
    ("lesions[1].pain", "Lesion 2 (pelvis): pain"),
    ("lesions[4].collapse", "Lesion 5: vertebral body collapse"),
    ("prior_treatments", "Prior treatments"),
    ("prior_treatments[0].response", "Treatment 1 (radiotherapy): response"),
    ("unhealed_oral_lesion", "Unhealed dental or oral surgery wound"),
    ("dental_assessment_done", "Dental assessment done"),
    ("mscc_signs", "Signs of spinal cord compression"),
    ("lesions", "Bone lesions (imaging findings)"),
])
def test_a_missing_path_is_said_in_words(path, words):
    assert missing_words(path, SPINE_L2) == words


def test_every_contract_field_has_words():
    names = {*vocab.ASSESSMENT_SCALAR_FIELDS, *vocab.LESION_FACTS, *vocab.PRIOR_FACTS,
             "lesions", "prior_treatments"}
    assert names <= set(FIELD_NAMES)


def test_missing_words_are_listed_once_each():
    assert missing_in_words(["lesions", "lesions", "mscc_signs"]) == [
        "Bone lesions (imaging findings)", "Signs of spinal cord compression"]


def _unknown_spine(by):
    """A painful lytic L2 lesion whose collapse and alignment are not known yet, and no
    word on the treatments so far."""
    data = built("breast", lesions=[{"site": "spine", "level": "L2", "lesion_type": "lytic",
                                     "pain": "mechanical"}])
    data.pop("prior_treatments")
    return consultation_create(data=data, channel="form", by=by)


@pytest.mark.parametrize("case", [*CASES, "spine-unknown"])
def test_no_page_shows_a_contract_name(clinician_client, clinician, published_ruleset, case):
    consultation = (_unknown_spine(clinician) if case == "spine-unknown"
                    else consultation_for(case, clinician))
    for kind in ("result", "clinician", "patient"):
        text = " ".join(visible_blocks(page(clinician_client, kind, consultation)))
        assert contract_names_in(text) == [], (kind, text)


def test_the_result_page_names_an_unknown_finding_in_words(clinician_client, clinician,
                                                           published_ruleset):
    consultation = _unknown_spine(clinician)
    missing = {p for o in consultation.result["options"] for p in o["missing"]}
    assert "lesions[0].collapse" in missing  # the stored result keeps the contract's path
    text = " ".join(visible_blocks(page(clinician_client, "result", consultation)))
    assert "Lesion 1 (L2): vertebral body collapse" in text
    assert "Prior treatments" in text


def test_a_lesions_findings_are_said_together():
    paths = ["lesions[0].alignment", "lesions[0].collapse", "prior_treatments",
             "lesions[1].pain"]
    assert missing_grouped(paths, SPINE_L2) == [
        "Lesion 1 (L2): spinal alignment and vertebral body collapse", "Prior treatments",
        "Lesion 2 (pelvis): pain"]
