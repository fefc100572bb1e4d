"""Clinicians' decisions, recorded on the result page, feed the editors' rule review page."""

import csv
import io

import pytest
from django.test import Client

from guidance.rule_review import rule_stats
from options.consultation.decisions import decision_record
from options.consultation.models import Consultation, Decision
from options.consultation.services import consultation_create
from tests.guidance_builders import (
    calcium_assessment,
    hypocalcaemia_draft,
    publish_reviewed,
    publish_with_document,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_browser(guidance_editor):
    """The editor's own browser (clinician_client and guidance_editor_client share one)."""
    browser = Client()
    browser.force_login(guidance_editor)
    return browser


@pytest.fixture
def consultation(published_ruleset, clinician):
    # Calcium 2.15: denosumab contraindicated by DMAB-CRIT-CALCIUM-like safety rules.
    return consultation_create(data=calcium_assessment(2.15), channel="form", by=clinician)


def decide(client, consultation, option, outcome, reason="", comment=""):
    prefix = option
    return client.post(f"/consultations/{consultation.pk}/decisions/{option}/",
                       {f"{prefix}-outcome": outcome, f"{prefix}-reason_code": reason,
                        f"{prefix}-comment": comment})


def deciding_rule(consultation, option):
    return next(o["decided_by"] for o in consultation.result["options"]
                if o["option"] == option)


def test_a_clinician_records_a_decision_on_the_result_page(consultation, clinician_client,
                                                           clinician):
    response = decide(clinician_client, consultation, "denosumab", "mdt_disagrees",
                      reason="mdt_decision", comment="MDT prefers denosumab after dental review")
    assert response.status_code == 302
    assert response["Location"] == f"/consultations/{consultation.pk}/#option-denosumab"
    decision = Decision.objects.get()
    assert (decision.source, decision.outcome, decision.by) == (
        "result_page", "mdt_disagrees", clinician)
    assert deciding_rule(consultation, "denosumab") in decision.rule_codes
    assert decision.ruleset_version == consultation.ruleset_version
    page = clinician_client.get(response["Location"]).content.decode()
    assert "MDT prefers denosumab after dental review" in page
    assert "Recorded for Denosumab: MDT disagrees." in page


@pytest.mark.parametrize(("data", "message"), [
    ({"denosumab-outcome": ""}, "Choose what was decided"),
    ({"denosumab-outcome": "accepted"}, "Select a valid choice"),
    ({"denosumab-outcome": "going_ahead", "denosumab-reason_code": "x"}, "Select a valid"),
    ({"denosumab-outcome": "going_ahead", "denosumab-comment": "x" * 2001}, "at most 2000"),
    ({"denosumab-outcome": "mdt_disagrees"}, "Choose a reason, or say why in the comment"),
    ({"denosumab-outcome": "not_going_ahead", "denosumab-comment": "  "},
     "Choose a reason, or say why in the comment"),
], ids=["no-outcome", "cds-outcome", "bad-reason", "long-comment", "mdt-without-reason",
        "not-going-ahead-without-reason"])
def test_a_bad_decision_is_refused_beside_the_field(consultation, clinician_client, data,
                                                   message):
    response = clinician_client.post(
        f"/consultations/{consultation.pk}/decisions/denosumab/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Decision.objects.exists()


def test_an_unknown_option_is_not_found(consultation, clinician_client):
    response = decide(clinician_client, consultation, "aspirin", "going_ahead")
    assert response.status_code == 404


def test_recording_needs_the_csrf_token(consultation, clinician):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clinician)
    assert decide(browser, consultation, "denosumab", "going_ahead").status_code == 403
    assert not Decision.objects.exists()


@pytest.mark.parametrize("who", ["editor", "other-clinician", "anonymous"])
def test_only_the_consultations_clinician_records_a_decision(
        consultation, client, guidance_editor, django_user_model, who):
    from options.identity.roles import CLINICIAN
    from tests.conftest import user_in_role

    if who == "editor":
        client.force_login(guidance_editor)
    elif who == "other-clinician":
        client.force_login(user_in_role(django_user_model, username="dr_other", role=CLINICIAN))
    response = decide(client, consultation, "denosumab", "going_ahead")
    assert response.status_code in (302, 403, 404)
    assert response.status_code != 302 or "/login/" in response["Location"]
    assert not Decision.objects.exists()


def test_the_rule_review_page_counts_real_decisions_and_flags_overrides(
        consultation, clinician_client, editor_browser, settings):
    settings.BONECARE_RULE_REVIEW_MIN_DECISIONS = 3
    settings.BONECARE_RULE_REVIEW_OVERRIDE_SHARE = 0.5
    code = deciding_rule(consultation, "denosumab")
    decide(clinician_client, consultation, "denosumab", "not_going_ahead",
           comment="First: agreed")
    for number in range(3):
        decide(clinician_client, consultation, "denosumab", "mdt_disagrees",
               reason="evidence_moved_on", comment=f"Override {number}")

    page = editor_browser.get("/admin/guidance/rule/review/").content.decode()
    assert f'data-rule="{code}"' in page and "Flagged" in page
    assert "Evidence or practice has moved on from the guidance: 3" in page

    detail = editor_browser.get(f"/admin/guidance/rule/review/{code}/")
    text = detail.content.decode()
    assert "1 followed, 3 overridden (75% of 4)" in text
    assert "2.20 mmol/L" in text and "{corrected" not in text  # the text as clinicians read it
    assert "<svg" in text and "3 overridden" in text
    comments = [c for c in ("Override 2", "Override 1", "Override 0", "First: agreed")]
    positions = [text.index(c) for c in comments]
    assert positions == sorted(positions)  # newest first


def test_below_the_minimum_number_of_decisions_nothing_is_flagged(
        consultation, clinician_client, editor_browser, settings):
    settings.BONECARE_RULE_REVIEW_MIN_DECISIONS = 5
    decide(clinician_client, consultation, "denosumab", "mdt_disagrees")
    page = editor_browser.get("/admin/guidance/rule/review/").content.decode()
    assert "Flagged" not in page.replace("flagged for review when", "")


def test_the_csv_lists_each_decision_under_its_deciding_rule_safely(consultation,
                                                                   editor_browser, clinician):
    decision_record(source="result_page", outcome="mdt_disagrees", option="denosumab",
                    rule_codes=["DMAB-A", "DMAB-B"], decided_by="DMAB-A",
                    ruleset_version="2026.3", comment="=HYPERLINK(\"x\")",
                    consultation=consultation, by=clinician)
    decision_record(source="cds_hooks", outcome="accepted", option="bisphosphonate",
                    rule_codes=["BP-A"], decided_by="BP-A", ruleset_version="2026.3",
                    client_name="EHR")
    response = editor_browser.get("/admin/guidance/rule/review.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["rule_code"], r["source"], r["followed"]) for r in rows] == [
        ("BP-A", "cds_hooks", "yes"), ("DMAB-A", "result_page", "no")]  # DMAB-B: cited only
    assert rows[1]["comment"] == "'=HYPERLINK(\"x\")"  # never run as a formula
    assert consultation.patient_ref == "" or consultation.patient_ref not in str(rows)


def test_going_ahead_against_a_safety_rule_counts_against_it_alone(published_ruleset,
                                                                     clinician_client, clinician):
    data = {**calcium_assessment(2.4), "creatinine_clearance_ml_min": 20}
    consultation = consultation_create(data=data, channel="form", by=clinician)
    bisphosphonate = next(o for o in consultation.result["options"]
                          if o["option"] == "bisphosphonate")
    assert (bisphosphonate["status"], bisphosphonate["decided_by"]) == ("contraindicated",
                                                                        "BP-SAFE-02")
    offered = [r["rule"] for r in bisphosphonate["reasons"] if r["rule"] != "BP-SAFE-02"]
    assert offered  # the rule that offered it is cited too
    decide(clinician_client, consultation, "bisphosphonate", "going_ahead")
    assert {s.code: (s.followed, s.overridden) for s in rule_stats()} == {"BP-SAFE-02": (0, 1)}


def test_a_cds_override_reads_in_words_with_its_reason_once(published_ruleset,
                                                            editor_browser):
    decision_record(source="cds_hooks", outcome="overridden", option="denosumab",
                    rule_codes=["DMAB-TA265-02"], decided_by="DMAB-TA265-02",
                    ruleset_version="2026.3", advised_status="not_recommended",
                    reason_code="patient_choice", reason_text="Patient's choice",
                    client_name="EHR")
    decision_record(source="cds_hooks", outcome="overridden", option="denosumab",
                    rule_codes=["DMAB-TA265-02"], decided_by="DMAB-TA265-02",
                    ruleset_version="2026.3", advised_status="not_recommended",
                    reason_code="other_reason", reason_text="Trial protocol",
                    client_name="EHR")
    text = editor_browser.get("/admin/guidance/rule/review/DMAB-TA265-02/").content.decode()
    assert "(overridden)" not in text
    assert text.count("Card overridden in the EHR; advised: not recommended") == 2
    comments = text[text.index("Comments and reasons"):]
    assert comments.count("Patient&#x27;s choice") == 1  # not "Patient's choice: Patient's..."
    assert "Other reason: Trial protocol" in text


@pytest.mark.parametrize("path", ["/admin/guidance/rule/review/",
                                  "/admin/guidance/rule/review.csv"])
def test_clinicians_cannot_open_the_rule_review(clinician_client, path):
    response = clinician_client.get(path)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# Per rule version: a changed threshold is a new rule, counted apart.

def _decide(code, version, outcome, n=1, reason="", option="denosumab",
            status="contraindicated", **extra):
    for _ in range(n):
        decision_record(source="result_page", outcome=outcome, option=option,
                        rule_codes=[code], decided_by=code, ruleset_version=version,
                        advised_status=status, reason_code=reason, **extra)


def _versions(code):
    (entry,) = [s for s in rule_stats() if s.code == code]
    return [(v.label, v.followed, v.overridden, v.flagged) for v in entry.versions], entry


def test_a_changed_threshold_counts_its_rule_apart_and_flags_each_version_alone(
        published_ruleset, guidance_editor, safety_officer, clinician, clinician_client,
        editor_browser, settings):
    settings.BONECARE_RULE_REVIEW_MIN_DECISIONS = 3
    settings.BONECARE_RULE_REVIEW_OVERRIDE_SHARE = 0.5
    old = consultation_create(data=calcium_assessment(2.15), channel="form", by=clinician)
    assert deciding_rule(old, "denosumab") == "DMAB-SAFE-02"
    decide(clinician_client, old, "denosumab", "not_going_ahead", comment="Agreed")
    for _ in range(3):
        decide(clinician_client, old, "denosumab", "mdt_disagrees", reason="evidence_moved_on")
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.4)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    new = consultation_create(data=calcium_assessment(2.3), channel="form", by=clinician)
    assert (new.ruleset_version, deciding_rule(new, "denosumab")) == (draft.version,
                                                                      "DMAB-SAFE-02")
    for _ in range(3):
        decide(clinician_client, new, "denosumab", "not_going_ahead", reason="patient_choice")

    # Pooled, 3 overridden of 7 (43%) would hide the old threshold's 3 of 4 (75%).
    versions, entry = _versions("DMAB-SAFE-02")
    assert versions == [(published_ruleset.version, 1, 3, True), (draft.version, 3, 0, False)]
    assert entry.flagged and (entry.followed, entry.overridden) == (4, 3)
    assert "below 2.20 mmol/L" in entry.versions[0].words
    assert "below 2.40 mmol/L" in entry.versions[1].words

    text = editor_browser.get("/admin/guidance/rule/review/DMAB-SAFE-02/").content.decode()
    assert (f"DMAB-SAFE-02 as in {published_ruleset.version}: hypocalcaemia (corrected "
            "calcium below 2.20 mmol/L) &mdash; 4 decisions, 3 overridden") in text
    assert (f"DMAB-SAFE-02 as in {draft.version}: hypocalcaemia (corrected calcium below "
            "2.40 mmol/L) &mdash; 3 decisions, 0 overridden") in text
    assert text.count("decisions-chart") == 2 and text.count("Flagged for review") == 1
    assert "4 followed, 3 overridden (43% of 7) over 2 versions" in text
    index = editor_browser.get("/admin/guidance/rule/review/").content.decode()
    assert index.count('data-rule="DMAB-SAFE-02"') == 2
    assert "1 rule version flagged for review" in index
    flagged_row = index[index.index('data-rule="DMAB-SAFE-02"'):]
    assert f"as in {published_ruleset.version}<" in flagged_row.split("</tr>")[0]


def test_rulesets_in_which_the_rule_reads_the_same_share_one_version(
        published_ruleset, guidance_editor, safety_officer):
    first = published_ruleset.version
    unrelated = publish_with_document(published_ruleset, "CG75", replaced_by="NG234",
                                      author=guidance_editor, reviewer=safety_officer)
    changed = hypocalcaemia_draft(unrelated, guidance_editor, threshold=2.4)
    publish_reviewed(changed, author=guidance_editor, reviewer=safety_officer)
    _decide("DMAB-SAFE-02", first, "mdt_disagrees", 2, reason="patient_choice")
    _decide("DMAB-SAFE-02", unrelated.version, "not_going_ahead")
    _decide("DMAB-SAFE-02", changed.version, "going_ahead")
    _decide("DMAB-SAFE-02", "1999.1", "going_ahead")  # a ruleset no longer stored
    versions, entry = _versions("DMAB-SAFE-02")
    assert [v[:3] for v in versions] == [(f"{first}–{unrelated.version}", 1, 2),
                                         (changed.version, 0, 1), ("1999.1", 0, 1)]
    assert entry.versions[0].reason_list == [("Patient's choice", 2)]
    assert len({v.key for v in entry.versions}) == 3


def test_the_review_pages_take_a_bounded_number_of_queries(
        published_ruleset, guidance_editor, safety_officer, editor_browser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.4)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    paths = ("/admin/guidance/rule/review/", "/admin/guidance/rule/review/DMAB-SAFE-02/",
             "/admin/guidance/rule/review.csv")

    def queries():
        counts = []
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                response = editor_browser.get(path)
                if response.streaming:
                    b"".join(response.streaming_content)
            counts.append(len(captured))
        return counts

    for version in (published_ruleset.version, draft.version):
        _decide("DMAB-SAFE-02", version, "mdt_disagrees", comment="x", by=guidance_editor)
        _decide("BP-SAFE-02", version, "going_ahead", option="bisphosphonate")
    queries()  # the first request also fills the caches (content types, permissions)
    few = queries()
    for version in (published_ruleset.version, draft.version):
        _decide("DMAB-SAFE-02", version, "mdt_disagrees", 10, comment="x", by=guidance_editor)
        _decide("BP-SAFE-02", version, "going_ahead", 10, option="bisphosphonate")
    assert queries() == few


def test_the_csv_names_consultation_date_clinician_and_rule_version(
        published_ruleset, clinician, editor_browser, guidance_editor, safety_officer):
    consultation = consultation_create(data=calcium_assessment(2.15), channel="form",
                                       by=clinician)
    Consultation.objects.filter(pk=consultation.pk).update(patient_ref="9434765919")
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.4)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    _decide("DMAB-SAFE-02", published_ruleset.version, "mdt_disagrees", by=clinician,
            consultation=consultation, reason="patient_choice")
    decision_record(source="cds_hooks", outcome="overridden", option="denosumab",
                    rule_codes=["DMAB-SAFE-02"], decided_by="DMAB-SAFE-02",
                    ruleset_version=draft.version, client_name="=Ward EHR")
    response = editor_browser.get("/admin/guidance/rule/review.csv")
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == (
        "recorded_at,decision_date,consultation_id,clinician,rule_code,rule_version,"
        "rule_digest,option,source,outcome,followed,advised_status,reason_code,reason,"
        "reason_text,comment,ruleset_version")
    cds, page = list(csv.DictReader(io.StringIO(body)))
    assert (page["consultation_id"], page["clinician"], page["rule_version"],
            page["ruleset_version"]) == (str(consultation.pk), clinician.username,
                                         published_ruleset.version, published_ruleset.version)
    assert page["decision_date"] == page["recorded_at"][:10]
    assert (cds["consultation_id"], cds["clinician"], cds["rule_version"]) == (
        "", "'=Ward EHR", draft.version)  # the EHR's name, never run as a formula
    assert len(page["rule_digest"]) == 12 and page["rule_digest"] != cds["rule_digest"]
    assert "9434765919" not in body and "patient" not in body.splitlines()[0]
