"""The governance audit: one GovernanceEvent row per action or refusal."""

from .models import GovernanceEvent


def user_or_none(by):
    """Return the user to record, or None for a system action (a management command)."""
    return by if by is not None and by.is_authenticated else None


def event_record(*, action, by, ruleset=None, outcome="ok", detail=""):
    """Write one audit row; call inside the action's transaction, or after a refusal."""
    return GovernanceEvent.objects.create(action=action, by=user_or_none(by), ruleset=ruleset,
                                          outcome=outcome, detail=detail)
