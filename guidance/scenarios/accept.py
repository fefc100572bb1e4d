"""Take what a draft gives as the new expectation of several failing scenarios, for one reason.

A threshold changed on purpose makes several scenarios fail for the same reason. Each
still gets its own ExpectationChange (before, after, the one reason, the same author and
time) and audit row, as when it is changed on its own page; all of them change, or none.

This is not in .expectations because it runs the scenarios (.regression), which read
.expectations.
"""

from django.contrib.auth.base_user import AbstractBaseUser as User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ..audit import event_record
from ..models import ExpectationChange, RuleSet
from ..selectors import ruleset_compiled
from .expectations import expectation_change, ruleset_expectations
from .regression import scenario_check

__all__ = ["expectations_accept"]

CHANGE_PERMISSION = "guidance.change_ruleset"


def _may_accept(ruleset, codes, reason, by):
    """Refuse someone who may not change rulesets, and a request without codes or reason."""
    if by is None or not by.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied("only a guidance editor may change a draft's expectations")
    errors = {}
    if not codes:
        errors["codes"] = "Tick at least one failing scenario."
    if not reason.strip():
        errors["reason"] = "Say why the expectations change: the reviewer reads it."
    if errors:
        raise ValidationError(errors)


def _draft_locked(ruleset):
    locked = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if locked.state != RuleSet.DRAFT:
        raise ValidationError({"ruleset": f"{locked.version} is "
                               f"{locked.get_state_display().lower()}: only a draft's "
                               "expectations change"})
    return locked


def _failing_checks(ruleset, codes):
    """Run the scenarios named under the draft; refuse a code that is not the draft's, or
    whose output would not make it pass."""
    rows = {row.code: row for row in ruleset_expectations(ruleset)}
    unknown = [code for code in codes if code not in rows]
    if unknown:
        raise ValidationError({"codes": f"{', '.join(unknown)}: no such scenario under "
                               f"{ruleset.version}."})
    compiled = ruleset_compiled(ruleset)[1]
    checks = [scenario_check(rows[code], compiled) for code in codes]
    passing = [check.scenario.code for check in checks if check.passed]
    if passing:
        raise ValidationError({"codes": f"{', '.join(passing)} already give what they are "
                               f"expected to give under {ruleset.version}."})
    other = [check.scenario.code for check in checks if not check.acceptable]
    if other:
        raise ValidationError({"codes": f"{', '.join(other)}: taking what {ruleset.version} "
                               "gives would not make them pass; change each on its own page."})
    return checks


def _refusal_text(refusal):
    if isinstance(refusal, ValidationError):
        return "; ".join(refusal.messages)
    return str(refusal)


def expectations_accept(*, ruleset: RuleSet, codes: list[str], reason: str,
                        by: User) -> list[ExpectationChange]:
    """Make what a draft gives the expectation of each failing scenario named, for one reason.

    All or nothing. Refused, and audited, for someone without the permission to change
    rulesets, a ruleset that is not a draft, no scenario or no reason, and a scenario that is
    not the draft's, already passes, or would not pass by taking the draft's output.
    """
    codes = list(dict.fromkeys(str(code) for code in codes))
    reason = (reason or "").strip()
    try:
        _may_accept(ruleset, codes, reason, by)
        with transaction.atomic():
            locked = _draft_locked(ruleset)
            changes = [expectation_change(ruleset=locked, row=check.scenario,
                                          values=check.output, reason=reason, by=by)
                       for check in _failing_checks(locked, codes)]
            # One decision, one time: the reviewer reads these as changed together.
            ExpectationChange.objects.filter(pk__in=[c.pk for c in changes]).update(
                at=changes[0].at)
    except (PermissionDenied, ValidationError) as refusal:
        event_record(action="expectation_change", by=by, ruleset=ruleset, outcome="refused",
                     detail=f"{', '.join(codes) or 'no scenario'}: {_refusal_text(refusal)}")
        raise
    for change in changes:
        change.at = changes[0].at
    return changes
