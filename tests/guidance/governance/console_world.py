"""A rules console with something on every page: rulesets in every state, a review returned
and answered, a publication, an emergency rollback, decisions, changed expectations,
documents and codes. For the tests that read every console page (and, through
`manage.py shell`, for a look by eye at a development database)."""

from guidance.drafting import code_entry_save, document_save
from guidance.governance import (
    ruleset_approve,
    ruleset_discard,
    ruleset_publish,
    ruleset_return,
    ruleset_rollback,
    ruleset_submit,
)
from guidance.models import CodeListEntry, RuleSet
from guidance.services import (
    rule_save,
    ruleset_create_draft,
    scenario_expectation_update,
    scenarios_load_shared,
)
from options.consultation.decisions import decision_record, option_rule_codes
from options.consultation.services import consultation_create
from tests.guidance_builders import (
    CALCIUM_215_EXPECTED_NOW,
    calcium_215_no_longer_held,
    calcium_assessment,
    calcium_scenario,
)

REASON = "Local laboratory: hypocalcaemia below 2.10 mmol/L"


def _threshold_draft(published, editor, threshold):
    draft = ruleset_create_draft(source=published, by=editor)
    rule = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    rule.condition = {"fact": "corrected_calcium_mmol_l", "lt": threshold}
    rule.text = "Hypocalcaemia: corrected calcium below {corrected_calcium_mmol_l.lt} mmol/L."
    rule_save(rule=rule, by=editor, reason=REASON)
    return draft


def _published_then_rolled_back(published, editor, officer, scenario):
    """2026.4 lowers the threshold through a return and a second round, is published, and
    the editor rolls back to the old ruleset; that rollback waits for a follow-up."""
    draft = _threshold_draft(published, editor, 2.1)
    scenario_expectation_update(
        scenario=scenario, ruleset=draft, by=editor, expected_hold=[],
        expected={**CALCIUM_215_EXPECTED_NOW, "denosumab": "recommended"}, reason=REASON)
    calcium_215_no_longer_held(draft, editor, reason=REASON)
    document = draft.documents.order_by("code").first()
    document.evidence_note = "Checked against the 2026 update."
    document_save(document=document, by=editor, reason="Evidence checked")
    code_entry_save(entry=CodeListEntry(
        ruleset=draft, code_list="mscc_signs", system="http://snomed.info/sct",
        code="999000001", value="true", display="Local code for cord compression",
        evidence="Trust's local code"), by=editor, reason="Local EHR code")
    ruleset_submit(ruleset=draft, by=editor, summary="Hypocalcaemia threshold as the local lab")
    ruleset_return(ruleset=draft, by=officer, comment="Say which laboratory range this is.")
    draft.refresh_from_db()
    ruleset_submit(ruleset=draft, by=editor, summary="Hypocalcaemia below 2.10 mmol/L "
                   "(the trust laboratory's reference range, 2026)")
    ruleset_approve(ruleset=draft, by=officer, comment="Checked against the pathology handbook.")
    draft.refresh_from_db()
    ruleset_publish(ruleset=draft, by=editor)
    published.refresh_from_db()
    ruleset_rollback(ruleset=published, by=editor, reason="Laboratory range was misread.")
    published.refresh_from_db()
    draft.refresh_from_db()
    return draft


def _decisions(consultation, clinician):
    for outcome, reason in [("going_ahead", ""), ("not_going_ahead", "patient_choice"),
                            ("mdt_disagrees", "clinical_judgement")]:
        decision_record(
            source="result_page", outcome=outcome, option="denosumab",
            rule_codes=option_rule_codes(consultation.result, "denosumab"),
            ruleset_version=consultation.ruleset_version, consultation=consultation,
            by=clinician, reason_code=reason, comment=f"Decided: {outcome.replace('_', ' ')}")


def console_world(*, published, editor, officer, clinician):
    """Fill the console; return its rulesets by role: live, retired, waiting, draft,
    discarded (and the consultation the decisions are about)."""
    scenarios_load_shared()
    scenario = calcium_scenario()
    consultation = consultation_create(data={**calcium_assessment(2.15), "patient_ref": "MRN-7"},
                                       channel="form", by=clinician)
    _decisions(consultation, clinician)
    retired = _published_then_rolled_back(published, editor, officer, scenario)
    live = RuleSet.objects.get(state=RuleSet.PUBLISHED)
    waiting = _threshold_draft(live, editor, 2.15)
    scenario_expectation_update(
        scenario=scenario, ruleset=waiting, by=editor, expected_hold=[],
        expected={**CALCIUM_215_EXPECTED_NOW, "denosumab": "recommended"},
        reason="Threshold at 2.15 mmol/L")
    calcium_215_no_longer_held(waiting, editor, reason="Threshold at 2.15 mmol/L")
    ruleset_submit(ruleset=waiting, by=editor, summary="Hypocalcaemia below 2.15 mmol/L")
    discarded = ruleset_create_draft(source=live, by=editor)
    ruleset_discard(ruleset=discarded, by=editor, reason="Started by mistake")
    draft = _threshold_draft(live, editor, 2.05)
    world = {"live": live, "retired": retired, "waiting": waiting, "draft": draft,
             "discarded": discarded}
    for ruleset in world.values():
        ruleset.refresh_from_db()
    return {**world, "consultation": consultation}
