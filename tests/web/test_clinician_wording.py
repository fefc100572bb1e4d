"""What the clinician reads says whose words they are and means one thing: BoneCare's own
defaults for open questions are labelled as such and never read as NICE's; a hold says what
is wrong and what to do, without reading as a target; a status tag and its text agree; an
undated source says what its date is."""

import re

import pytest

from guidance.content import ruleset_content, ruleset_digest
from guidance.services import rule_save, ruleset_create_draft
from guidance.transfer import ruleset_file_errors
from options.consultation.services import consultation_create
from tests.guidance_builders import (
    calcium_assessment,
    publish_reviewed,
    spinal_assessment,
)

pytestmark = pytest.mark.django_db
LABEL = "BoneCare default, not NICE's"


def _section(html, slug):
    return re.search(rf'data-option-detail="{slug}".*?</section>', html, re.S).group(0)


def _items_under(section, heading):
    block = section.split(heading, 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>",
                                                                          block, re.S)]



def _page(client, consultation):
    return client.get(f"/consultations/{consultation.pk}/").content.decode()


def test_the_sins_7_to_12_condition_is_labelled_as_bonecares_default_and_nice_ones_are_not(
        published_ruleset, clinician, clinician_client):
    given = consultation_create(data=spinal_assessment(), channel="form", by=clinician)
    html = _page(clinician_client, given)
    for slug in ("vertebroplasty", "kyphoplasty"):
        conditions = _items_under(_section(html, slug), "Conditions, each with its source")
        sins = [c for c in conditions if c.startswith("SINS 7-12")]
        assert sins and LABEL in sins[0], conditions
        nice = [c for c in conditions if "spinal surgery service" in c]
        assert nice and LABEL not in nice[0] and ("IPG12" in nice[0] or "IPG166" in nice[0])


def test_an_editor_marking_a_rule_as_a_default_is_what_labels_it(
        published_ruleset, clinician, clinician_client, guidance_editor, safety_officer):
    """The label follows the rule's data in the ruleset that gave the advice, not a list in
    code: once a reviewed draft marks a NICE condition as a default, new advice labels it;
    advice given before keeps its ruleset's words."""
    before = consultation_create(data=spinal_assessment(), channel="form", by=clinician)
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    rule = draft.rules.get(code="VP-COND-ACCESS")
    rule.bonecare_default = True
    rule_save(rule=rule, by=guidance_editor)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    after = consultation_create(data=spinal_assessment(), channel="form", by=clinician)

    def access(consultation):
        conditions = _items_under(_section(_page(clinician_client, consultation),
                                           "vertebroplasty"), "Conditions, each with its source")
        return next(c for c in conditions if "spinal surgery service" in c)

    assert LABEL in access(after)
    assert LABEL not in access(before)


def test_the_digest_of_a_ruleset_without_defaults_is_as_before_the_field(published_ruleset):
    """A ruleset published before the field existed keeps the digest it was published with:
    the field is left out of the canonical content where it holds its default."""
    content = ruleset_content(published_ruleset)
    unmarked = [r for r in content["rules"] if r["code"] == "VP-COND-ACCESS"][0]
    assert "bonecare_default" not in unmarked
    assert published_ruleset.content_digest == ruleset_digest(published_ruleset)


def test_an_import_file_with_a_default_flag_that_is_not_true_or_false_is_refused():
    from guidance.services import default_ruleset_data
    data = default_ruleset_data()
    data["rules"][3]["bonecare_default"] = "yes"
    assert "rules[3].bonecare_default: must be true or false" in ruleset_file_errors(data)


def test_a_calcium_hold_says_what_is_wrong_and_what_to_do_once(published_ruleset, clinician,
                                                               clinician_client):
    given = consultation_create(data=calcium_assessment(1.98), channel="form", by=clinician)
    section = _section(_page(clinician_client, given), "bisphosphonate")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    hold = ("Corrected calcium is below 2.20 mmol/L: bring it back into the normal range, "
            "and replace vitamin D, before the first dose.")
    assert text.count(hold) == 1, text
    assert "Correct calcium (below" not in text


def test_the_lung_case_tag_and_text_agree(published_ruleset, clinician, clinician_client):
    lung = {"cancer_type": "lung", "bone_metastases": True, "mscc_signs": False,
            "age_years": 70, "sex": "male", "weight_kg": 60, "serum_creatinine_umol_l": 180,
            "lesions": [], "prior_treatments": []}
    given = consultation_create(data=lung, channel="form", by=clinician)
    section = _section(_page(clinician_client, given), "bisphosphonate")
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Contraindicated</strong>' in section
    assert 'data-decided-by="BP-SAFE-02"' in section
    said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "below 30 mL/min: do not give zoledronic acid 4 mg or pamidronate" in said, said
    assert "are not recommended" not in section


def test_every_safety_rule_text_agrees_with_its_status(published_ruleset):
    """A contraindication never reads "not recommended" as its own verdict, nor the reverse."""
    for rule in published_ruleset.rules.filter(effect="safety"):
        verdict = rule.text.split(":", 1)[-1].split("(", 1)[0].lower()
        if rule.status == "contraindicated":
            assert "not recommended" not in verdict, rule.code
        if rule.status == "not_recommended":
            assert "contraindicated" not in verdict, rule.code


def test_an_undated_source_says_it_is_the_current_version_at_its_link(
        published_ruleset, clinician, clinician_client):
    given = consultation_create(data=calcium_assessment(1.98), channel="form", by=clinician)
    html = _page(clinician_client, given)
    row = re.search(r'data-document="XGEVA-SMPC".*?</tr>', html, re.S).group(0)
    assert "Undated: the current version at the link" in row
    assert "Not recorded" not in html


def test_the_clinician_print_labels_bonecares_default_too(published_ruleset, clinician,
                                                          clinician_client):
    given = consultation_create(data=spinal_assessment(), channel="form", by=clinician)
    printed = clinician_client.get(f"/consultations/{given.pk}/print/clinician/")
    row = re.search(r'data-option="vertebroplasty".*?</tr>', printed.content.decode(),
                    re.S).group(0)
    said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row))
    assert "SINS 7-12 (possibly unstable): spinal surgeon review first. (BoneCare default, " \
           "not NICE's)" in said, said
    assert "Good access to a spinal surgery service. (BoneCare" not in said
