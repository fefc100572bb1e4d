"""The governance audit's actions and outcomes in words (no model: the audit's model and
its pages both read these)."""

from options.choices import label

# Each action of the audit as the console names it; one not listed reads from its code.
ACTION_WORDS = {
    "import": "Ruleset imported",
    "publish_first": "First ruleset published",
    "new_draft": "New draft",
    "draft_details": "Draft's title or notes changed",
    "document_change": "Guidance document changed",
    "code_list_change": "FHIR code changed",
    "expectation_change": "Scenario expectation changed",
    "scenario_change": "Scenario saved",
    "scenario_delete": "Scenario removed",
    "submit": "Submitted for review",
    "withdraw": "Withdrawn from review",
    "approve": "Approved",
    "return": "Returned to the author",
    "discard": "Draft discarded",
    "publish": "Published",
    "rollback": "Emergency rollback",
    "follow_up": "Rollback followed up",
    "remind": "Follow-up reminder sent",
}
OUTCOME_WORDS = {"ok": "Done", "refused": "Refused"}


def action_words(action: str) -> str:
    """Return an audit action in words: "new_draft" is "New draft"."""
    return ACTION_WORDS.get(action) or label(action)


def outcome_words(outcome: str) -> str:
    """Return an audit outcome in words: "ok" is "Done"."""
    return OUTCOME_WORDS.get(outcome) or label(outcome)
