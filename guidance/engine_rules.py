"""Stored rule rows as the engine sees them: read by Rule.clean() and by the selectors alike.

It imports no guidance model, so guidance.models and guidance.selectors can both import it.
"""

from options.rules import Rule as EngineRule

ENGINE_FIELDS = (
    "code",
    "effect",
    "condition",
    "text",
    "option",
    "status",
    "priority",
    "section",
    "patient_text",
    "alert_code",
    "alert_severity",
    "defines",
    "temporary",
    "bonecare_default",
    "editor_note",
)


def engine_rule_from_row(row) -> EngineRule:
    """Return the engine's view of one stored rule."""
    values = {name: getattr(row, name) for name in ENGINE_FIELDS}
    return EngineRule(guidance=row.guidance.code, **values)


def define_conditions(rows) -> dict:
    """Return {derived fact: its define rule's condition} for the define rules among rows."""
    return dict(rows.filter(effect="define").values_list("defines", "condition"))
