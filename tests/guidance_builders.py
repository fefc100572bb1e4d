"""Small builders for the rules-console tests: scenarios, drafts and threshold changes."""

import copy
import json

from guidance.drafting import code_entry_save, document_save
from guidance.governance import ruleset_approve, ruleset_publish, ruleset_submit
from guidance.models import CodeListEntry, Scenario
from guidance.services import (
    rule_save,
    ruleset_create_draft,
    scenario_expectation_update,
    shared_scenarios_dir,
)

# Published default: hypocalcaemia is corrected calcium below 2.20 mmol/L, which
# contraindicates denosumab and puts a bisphosphonate on hold.
CALCIUM_215_EXPECTED_NOW = {
    "bisphosphonate": "recommended",
    "denosumab": "contraindicated",
    "cementoplasty": "not_recommended",
    "vertebroplasty": "not_recommended",
    "kyphoplasty": "not_recommended",
}


def shared_assessment(code="V01"):
    """Return a copy of a shared scenario's assessment."""
    data = json.loads((shared_scenarios_dir() / f"{code}.json").read_text())
    return copy.deepcopy(data["assessment"])


def calcium_assessment(calcium):
    """Return V01's breast-cancer assessment with the corrected calcium given."""
    return {**shared_assessment("V01"), "corrected_calcium_mmol_l": calcium}


def spinal_assessment():
    """Return V01's breast cancer with one painful collapsed lytic L1 metastasis (SINS 10,
    possibly unstable): vertebral augmentation is considered, under IPG12's and IPG166's
    conditions and BoneCare's default for SINS 7-12."""
    data = shared_assessment("V01")
    data["lesions"] = [{"site": "spine", "level": "L1", "lesion_type": "lytic",
                        "pain": "mechanical", "collapse": "under_50", "alignment": "normal",
                        "posterolateral": "none", "retropulsion": False}]
    data["prior_treatments"] = [{"treatment": "opioid", "response": "inadequate",
                                 "weeks_ago": 4}]
    return data


def calcium_scenario(code="ED-CALCIUM-215", calcium=2.15):
    """Store an editor's scenario for a calcium of 2.15, expecting today's advice."""
    return Scenario.objects.create(
        code=code, title="Calcium 2.15 mmol/L", assessment=calcium_assessment(calcium),
        expected=dict(CALCIUM_215_EXPECTED_NOW), expected_hold=["bisphosphonate"],
        source="editor")


def hypocalcaemia_draft(published, editor, threshold=2.1):
    """Return a new draft in which hypocalcaemia starts below `threshold` mmol/L."""
    draft = ruleset_create_draft(source=published, by=editor)
    rule = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    rule.condition = {"fact": "corrected_calcium_mmol_l", "lt": threshold}
    rule_save(rule=rule, by=editor)
    return draft


def calcium_215_no_longer_held(draft, editor, reason="Local lab: below 2.10 mmol/L"):
    """Change the threshold scenario just below 2.20 (TH-CALCIUM-2.15) under a draft whose
    hypocalcaemia starts lower: denosumab recommended, nothing on hold."""
    row = Scenario.objects.get(code="TH-CALCIUM-2.15")
    return scenario_expectation_update(
        scenario=row, ruleset=draft, expected={**row.expected, "denosumab": "recommended"},
        expected_hold=[], by=editor, reason=reason)


def approved(draft, *, author, reviewer, summary="Hypocalcaemia threshold as the local lab"):
    """Submit a draft as its author and approve it as a second person; return it."""
    ruleset_submit(ruleset=draft, by=author, summary=summary)
    ruleset_approve(ruleset=draft, by=reviewer, comment="Checked against the lab's range")
    draft.refresh_from_db()
    return draft


def publish_reviewed(draft, *, author, reviewer):
    """Take a draft through submit, approve and publish; return the Publication."""
    return ruleset_publish(ruleset=approved(draft, author=author, reviewer=reviewer),
                           by=author)


def publish_with_code(published, *, author, reviewer, reason="Local code", **entry):
    """Publish, through review, a draft of `published` with one FHIR code added; return it."""
    draft = ruleset_create_draft(source=published, by=author)
    code_entry_save(entry=CodeListEntry(ruleset=draft, **entry), by=author, reason=reason)
    publish_reviewed(draft, author=author, reviewer=reviewer)
    return draft


def publish_with_document(published, code, *, author, reviewer, reason="Document changed",
                          **changes):
    """Publish, through review, a draft of `published` with one document changed; return it."""
    draft = ruleset_create_draft(source=published, by=author)
    document = draft.documents.get(code=code)
    for name, value in changes.items():
        setattr(document, name, value)
    document_save(document=document, by=author, reason=reason)
    publish_reviewed(draft, author=author, reviewer=reviewer)
    return draft
