"""Each ruleset's own scenario expectations: read them, copy them to a draft, change them.

A draft is tested against its own rows, plus any scenario added to the library since it was
made (with the library's expectation); submitting it for review writes those in, so what is
reviewed and published is exactly what was tested. Published and retired rulesets keep their
rows unchanged: a rollback is tested against the expectations it was published with.
"""

from django.contrib.auth.base_user import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.db import transaction

from ..audit import event_record, user_or_none
from ..models import EXPECTATION_FIELDS, Expectation, ExpectationChange, RuleSet, Scenario

__all__ = ["expectation_change", "expectations_complete", "expectations_copy",
           "ruleset_expectations", "scenario_expectation_update"]

OPEN_STATES = (RuleSet.DRAFT, RuleSet.IN_REVIEW, RuleSet.APPROVED)
CASE_FIELDS = ("title", "assessment", *EXPECTATION_FIELDS)


def _from_library(ruleset, scenario):
    return Expectation(ruleset=ruleset, code=scenario.code, note=scenario.expectation_note,
                       **{name: getattr(scenario, name) for name in CASE_FIELDS})


def ruleset_expectations(ruleset: RuleSet) -> list[Expectation]:
    """Return what every scenario must give under this ruleset, by code; two queries.

    Rows not yet stored (a scenario added to the library since the draft was made, or a
    ruleset stored before expectations were versioned) come unsaved from the library.
    """
    rows = {row.code: row for row in Expectation.objects.filter(ruleset=ruleset)}
    if rows and ruleset.state not in OPEN_STATES:
        return [rows[code] for code in sorted(rows)]
    for scenario in Scenario.objects.exclude(code__in=list(rows)):
        rows[scenario.code] = _from_library(ruleset, scenario)
    return [rows[code] for code in sorted(rows)]


def expectations_copy(*, source: RuleSet, draft: RuleSet) -> None:
    """Give a new draft the expectations of the ruleset it came from."""
    copies = []
    for row in ruleset_expectations(source):
        row.pk, row.ruleset = None, draft
        copies.append(row)
    Expectation.objects.bulk_create(copies)


def expectations_complete(ruleset: RuleSet) -> list[Expectation]:
    """Store the rows a draft reads from the library, so its snapshot is what was tested."""
    rows = ruleset_expectations(ruleset)
    Expectation.objects.bulk_create([row for row in rows if row.pk is None])
    return rows


def _row(ruleset, scenario):
    code = scenario.code if isinstance(scenario, Scenario) else str(scenario)
    row = Expectation.objects.filter(ruleset=ruleset, code=code).first()
    if row is None:
        library = Scenario.objects.filter(code=code).first()
        if library is None:
            raise ValidationError({"code": f"no scenario {code!r}"})
        row = _from_library(ruleset, library)
    return row


def expectation_change(*, ruleset: RuleSet, row: Expectation, values: dict, reason: str,
                       by: User | None) -> ExpectationChange:
    """Set a draft's row to `values`, keeping before, after, why and who, audited.

    Call inside the transaction that locked the draft and found it a draft.
    """
    before = row.values()
    for name, value in values.items():
        setattr(row, name, value)
    row.note = reason.strip()
    row.full_clean()
    row.save()
    change = ExpectationChange.objects.create(ruleset=ruleset, code=row.code, before=before,
                                              after=row.values(), reason=row.note,
                                              by=user_or_none(by))
    event_record(action="expectation_change", by=by, ruleset=ruleset,
                 detail=f"{row.code}: {row.note}")
    return change


def scenario_expectation_update(*, scenario: Scenario | str, ruleset: RuleSet, expected: dict,
                                reason: str, by: User | None, expected_hold: list | None = None,
                                expected_alerts: list | None = None) -> Expectation:
    """Change what a scenario must give under a draft, keeping before, after, why and who.

    Only a draft's expectations change; the reason is required and kept with the change.
    """
    if not (reason or "").strip():
        raise ValidationError({"expectation_note": "Say why the expectation changes."})
    values = {"expected": expected}
    if expected_hold is not None:
        values["expected_hold"] = expected_hold
    if expected_alerts is not None:
        values["expected_alerts"] = expected_alerts
    with transaction.atomic():
        ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
        if ruleset.state != RuleSet.DRAFT:
            raise ValidationError({"ruleset": f"{ruleset.version} is "
                                   f"{ruleset.get_state_display().lower()}: only a draft's "
                                   "expectations change"})
        row = _row(ruleset, scenario)
        expectation_change(ruleset=ruleset, row=row, values=values, reason=reason, by=by)
    return row
