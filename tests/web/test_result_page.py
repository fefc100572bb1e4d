"""The result page and the clinician print say what the stored decision says, and only that."""

import datetime
import re
from html import escape

import pytest

from options.consultation.models import Consultation
from options.consultation.services import consultation_create
from tests.guidance_builders import publish_with_document

from ..result_helpers import CASES, assessment, consultation_for, page, scenario, visible_blocks

RULE_CODE = re.compile(r"\b[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)+\b")


def store(consultation, result):
    Consultation.objects.filter(pk=consultation.pk).update(result=result)
    return consultation


def option(result, slug):
    return next(o for o in result["options"] if o["option"] == slug)


def row(html, slug):
    """Return the glance-table (or print-table) row of one option."""
    return re.search(rf'<tr[^>]*data-option="{slug}".*?</tr>', html, re.S).group(0)


def detail(html, slug):
    return re.search(rf'data-option-detail="{slug}".*?</section>', html, re.S).group(0)


def without_quiet_codes(html):
    return re.sub(r'<span class="bc-code">[^<]*</span>', "", html)


# 1. The result at a glance

def test_alerts_come_first_then_one_table_of_the_five_options_then_details_in_its_order(
        clinician_client, clinician, published_ruleset):
    consultation = consultation_for("V23", clinician)
    html = page(clinician_client, "result", consultation)
    slugs = [o["option"] for o in consultation.result["options"]]
    alert = html.index('data-alert="unstable_spine"')
    table = html.index('class="nhsuk-table bc-glance"')
    rows = [html.index(f'<tr class="nhsuk-table__row" data-option="{s}"') for s in slugs]
    details = [html.index(f'data-option-detail="{s}"') for s in slugs]
    assert alert < table < rows[0]
    assert rows == sorted(rows) and details == sorted(details) and rows[-1] < details[0]
    assert html.count("data-status=") == 5  # one status per option on the page


def test_each_row_has_name_status_word_and_its_summary(clinician_client, clinician,
                                                       published_ruleset):
    consultation = consultation_for("V06", clinician)
    html = page(clinician_client, "result", consultation)
    for stored in consultation.result["options"]:
        shown = row(html, stored["option"])
        assert f'data-status="{stored["status"]}"' in shown
        assert stored["summary"].replace("'", "&#x27;") in shown


def test_details_show_missing_information_with_readable_labels(clinician_client, clinician,
                                                               published_ruleset):
    data = {**scenario("V06")["assessment"]}
    del data["creatinine_clearance_ml_min"]
    consultation = consultation_create(data=data, channel="form", by=clinician)
    assert "creatinine_clearance_ml_min" in option(consultation.result, "bisphosphonate")[
        "missing"]
    shown = detail(page(clinician_client, "result", consultation), "bisphosphonate")
    assert "Information that would change or complete this answer" in shown
    assert "creatinine_clearance_ml_min" not in shown
    assert "reatinine clearance" in shown


# 2. The rule that decided, quietly coded

@pytest.mark.parametrize("kind", ["result", "clinician"])
def test_a_safety_rule_that_overrode_eligibility_is_cited_as_deciding(
        clinician_client, clinician, published_ruleset, kind):
    consultation = consultation_create(data={**scenario("V01")["assessment"], "pregnant": True},
                                       channel="form", by=clinician)
    stored = option(consultation.result, "denosumab")
    assert stored["reasons"][0]["rule"] != stored["decided_by"]
    html = page(clinician_client, kind, consultation)
    where = detail(html, "denosumab") if kind == "result" else row(html, "denosumab")
    assert re.findall(r'data-decided-by="([^"]+)"', where) == [stored["decided_by"]]
    decided = where.split("Decided by")[1].split('<span class="bc-code">')[0]
    reason = next(r for r in stored["reasons"] if r["rule"] == stored["decided_by"])
    assert f'{reason["guidance"]}</a> {reason["section"]}' in decided  # its own source


def test_the_stored_deciding_rule_is_shown_even_where_it_is_not_the_first_reason(
        clinician_client, clinician, published_ruleset):
    consultation = consultation_for("V06", clinician)
    result = consultation.result
    vp = option(result, "vertebroplasty")
    vp["reasons"] = [{"rule": "VP-EARLIER-01", "guidance": "CG75", "section": "",
                      "text": "An earlier rule."}, *vp["reasons"]]
    store(consultation, result)
    html = page(clinician_client, "clinician", consultation)
    assert f'data-decided-by="{vp["decided_by"]}"' in row(html, "vertebroplasty")


def test_needs_information_names_no_deciding_rule(clinician_client, clinician,
                                                  published_ruleset):
    consultation = consultation_for("V06", clinician)
    result = consultation.result
    bp = option(result, "bisphosphonate")
    bp.update(status="needs_information", decided_by=None, summary="Cannot decide.")
    store(consultation, result)
    assert "Decided by" not in detail(page(clinician_client, "result", consultation),
                                      "bisphosphonate")
    assert "data-decided-by" not in row(page(clinician_client, "clinician", consultation),
                                        "bisphosphonate")


@pytest.mark.parametrize("kind", ["result", "clinician"])
def test_rule_codes_are_present_but_quiet(clinician_client, clinician, published_ruleset,
                                          kind):
    consultation = consultation_for("V23", clinician)
    html = page(clinician_client, kind, consultation)
    codes = {o["decided_by"] for o in consultation.result["options"]}
    assert all(f'<span class="bc-code">{code}</span>' in html for code in codes)
    visible = " ".join(visible_blocks(without_quiet_codes(html)))
    assert not codes & set(RULE_CODE.findall(visible))
    assert not re.search(r"<h\d[^>]*>[^<]*\b[A-Z]+-[A-Z0-9]+-\d\d", html)


# 3. Not now

@pytest.mark.parametrize("kind", ["result", "clinician"])
def test_a_temporary_stop_reads_as_not_now_with_what_must_happen_first(
        clinician_client, clinician, published_ruleset, kind):
    consultation = consultation_for("V01-not-now", clinician)
    html = page(clinician_client, kind, consultation)
    for slug in ("bisphosphonate", "denosumab"):
        stored = option(consultation.result, slug)
        assert stored["not_now"]
        shown = row(html, slug)
        assert "Not now" in shown and "data-not-now" in shown
        for reason in stored["not_now"]:
            assert reason["text"].replace("'", "&#x27;") in shown
    assert "data-not-now" not in row(html, "cementoplasty")


def test_an_old_hold_reads_as_not_now(clinician_client, clinician, published_ruleset):
    consultation = consultation_for("V01-not-now", clinician)
    result = consultation.result
    for stored in result["options"]:  # as stored before not_now and decided_by
        stored.pop("not_now")
        stored.pop("decided_by")
    store(consultation, result)
    shown = row(page(clinician_client, "result", consultation), "bisphosphonate")
    assert "Not now" in shown


# 5. No internal references anywhere

@pytest.mark.parametrize("case", CASES)
def test_no_page_shows_an_editors_internal_reference(clinician_client, clinician,
                                                     published_ruleset, case):
    consultation = consultation_for(case, clinician)
    for kind in ("result", "clinician", "patient"):
        text = " ".join(visible_blocks(page(clinician_client, kind, consultation)))
        assert not re.search(r"\bQ\d+\b", text), (kind, text)
        assert "open question" not in text.lower(), kind


def test_an_old_result_carrying_an_internal_reference_is_shown_without_it(
        clinician_client, clinician, published_ruleset):
    consultation = consultation_for("V06", clinician)
    result = consultation.result
    option(result, "vertebroplasty")["conditions"].append(
        "SINS 7-12 (possibly unstable): spinal surgeon review first (open question Q6).")
    store(consultation, result)
    html = page(clinician_client, "result", consultation)
    assert "spinal surgeon review first." in html
    # The page's CSRF tokens are random letters and digits: "Q6" may turn up in one.
    assert "Q6" not in re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


# 6. Guidance documents

def test_documents_show_code_title_date_and_what_replaced_them(
        clinician_client, clinician, published_ruleset, guidance_editor, safety_officer):
    consultation = consultation_for("V06", clinician)
    draft = publish_with_document(published_ruleset, "CG75", replaced_by="NG234",
                                  next_review_due=datetime.date(2001, 1, 1),
                                  author=guidance_editor, reviewer=safety_officer)
    document = draft.documents.get(code="CG75")
    html = page(clinician_client, "result", consultation)
    shown = re.search(r'<tr[^>]*data-document="CG75".*?</tr>', html, re.S).group(0)
    assert document.title in shown and "replaced by NG234" in shown
    assert f'{document.published.day} {document.published:%b %Y}' in shown
    assert "overdue" not in html and "bc-overdue" not in html


# 7. The clinician print records the inputs

def test_clinician_print_records_the_inputs_with_scores_by_component(
        clinician_client, clinician, published_ruleset):
    html = page(clinician_client, "clinician", consultation_for("V06", clinician))
    for text in ("Myeloma", "Myeloma needs treatment", "Signs of spinal cord compression",
                 "Spine L1: lesion lytic, pain mechanical, collapse under 50%, alignment normal",
                 "SINS 10 (indeterminate)", "location 3, pain 3, bone lesion 2, "
                 "spinal alignment 0, vertebral body collapse 2, posterolateral involvement 0",
                 "60 mL/min (entered)", "Corrected calcium", "2.40 mmol/L",
                 "Opioid: inadequate, 3 weeks ago", "Dental check done", "Pregnant"):
        assert text in html, text
    assert html.count("Not known") == 4  # sex, age, serum creatinine, weight


def test_clinician_print_shows_a_calculated_clearance_and_how(clinician_client, clinician,
                                                              published_ruleset):
    consultation = consultation_for("V34", clinician)
    derived = consultation.result["derived"]["creatinine_clearance_ml_min"]
    html = page(clinician_client, "clinician", consultation)
    assert (f"{derived['value']:g} mL/min (calculated, Cockcroft–Gault from age, sex, weight, "
            "serum creatinine)") in html
    assert "80 µmol/L" in html and "72 kg" in html and "55 years" in html


def test_clinician_print_asks_no_pregnancy_of_a_man_and_shows_a_score_range(
        clinician_client, clinician, published_ruleset):
    man = page(clinician_client, "clinician", consultation_for("V02-man", clinician))
    assert "Pregnant" not in man and "Male" in man
    ranged = page(clinician_client, "clinician", consultation_for("V39", clinician))
    assert "SINS 6 to 12 (depends on findings not reported)" in ranged
    assert "collapse not known" in ranged
    assert "vertebral body collapse 0 to 3" in ranged


def test_clinician_print_says_conditions_an_earlier_option_shares_once(
        clinician_client, clinician, published_ruleset):
    consultation = consultation_for("held-L1-collapse", clinician)
    shared = option(consultation.result, "vertebroplasty")["conditions"]
    own = option(consultation.result, "kyphoplasty")["conditions"]
    assert len(shared) > 1 and own[:len(shared)] == shared  # the case still shows it
    html = page(clinician_client, "clinician", consultation)
    vertebroplasty, kyphoplasty = row(html, "vertebroplasty"), row(html, "kyphoplasty")
    assert "Conditions: as for vertebroplasty." in kyphoplasty
    assert all(escape(c) in vertebroplasty and escape(c) not in kyphoplasty for c in shared)
    assert all(escape(c) in kyphoplasty for c in own[len(shared):])
    assert "as for" not in row(html, "denosumab")  # its conditions are its own
    assert all(escape(c) in detail(page(clinician_client, "result", consultation),
                                   "kyphoplasty") for c in own)  # the advice page: in full


# 8. Scores as MDCalc shows them

def test_result_page_scores_each_component_with_its_points(clinician_client, clinician,
                                                           published_ruleset):
    html = page(clinician_client, "result", consultation_for("V06", clinician))
    table = re.search(r'<table[^>]*data-score="sins".*?</table>', html, re.S).group(0)
    assert "SINS 10, indeterminate" in table
    for heading, finding, points in [("Location", "L1", 3), ("Pain", "Mechanical", 3),
                                     ("Bone lesion", "Lytic", 2),
                                     ("Vertebral body collapse", "Collapse under 50%", 2)]:
        assert re.search(rf">{heading}</th><td[^>]*>{finding}</td><td[^>]*>{points}</td>",
                         table), heading


def test_a_score_with_unreported_findings_shows_its_range(clinician_client, clinician,
                                                          published_ruleset):
    html = page(clinician_client, "result", consultation_for("V39", clinician))
    table = re.search(r'<table[^>]*data-score="sins".*?</table>', html, re.S).group(0)
    assert "SINS 6 to 12, depends on findings not reported" in table
    assert re.search(r">Vertebral body collapse</th><td[^>]*>Not reported</td>"
                     r"<td[^>]*>0 to 3</td>", table)


def test_every_case_renders_every_page(clinician_client, clinician, published_ruleset):
    for case in CASES:
        consultation = consultation_create(data=assessment(case), channel="form", by=clinician)
        for kind in ("result", "clinician", "patient"):
            page(clinician_client, kind, consultation)


def test_a_hold_is_said_once_per_option_and_styled_apart_from_status(
        clinician_client, clinician, published_ruleset):
    consultation = consultation_for("V01-not-now", clinician)
    html = page(clinician_client, "result", consultation)
    section = re.search(r'data-option-detail="denosumab".*?</section>', html, re.S).group(0)
    for reason in option(consultation.result, "denosumab")["not_now"]:
        assert section.count(reason["text"].replace("'", "&#x27;")) == 1
    # "Not now" is never the colour of a status: a hold is not a refusal.
    assert 'nhsuk-tag--purple bc-not-now" data-not-now>Not now' in row(html, "denosumab")
    assert "nhsuk-tag--purple" not in "".join(
        re.findall(r'<strong class="nhsuk-tag[^"]*" data-status', html))
