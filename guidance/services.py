"""Write guidance: import, draft, edit, documents; each change kept in history.

Every write names the editor (`by=`), runs in one transaction, and validates with
`full_clean()` before saving. django-simple-history records who, when and what. Submitting,
reviewing, publishing and rolling back are in guidance.governance.
"""

import datetime
import json
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser as User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .audit import event_record
from .content import ruleset_digest
from .drafting import (
    RuleSetReadOnly,
    code_lists_copy,
    code_lists_create,
    documents_copy,
    documents_create,
    draft_locked,
    shipped_code_lists,
)
from .guards import state_change
from .models import Publication, Rule, RuleSet, Scenario
from .scenarios.expectations import (
    expectations_complete,
    expectations_copy,
    scenario_expectation_update,
)
from .transfer import (
    DOCUMENT_FIELDS,
    RULE_FIELDS,
    document_data,
    ruleset_file,
    ruleset_file_errors,
)

__all__ = [
    "DOCUMENT_FIELDS",
    "RULE_FIELDS",
    "GuidanceImportError",
    "PublishRefused",
    "RuleSetReadOnly",
    "StaleEdit",
    "default_ruleset_data",
    "rule_delete",
    "rule_save",
    "ruleset_create_draft",
    "ruleset_export",
    "ruleset_import",
    "ruleset_make_current",
    "scenario_delete",
    "scenario_expectation_update",
    "scenario_save",
    "scenarios_load_shared",
    "shared_scenarios_dir",
    "threshold_scenarios_dir",
]

DEFAULT_RULESET_PATH = Path(__file__).resolve().parent / "data" / "default_ruleset.json"
HISTORY_REASON_LENGTH = 100  # django-simple-history's change-reason column

class GuidanceImportError(ValueError):
    """A ruleset file that cannot be imported; nothing was changed. `.errors` name paths."""

    def __init__(self, errors):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(self.errors))

class PublishRefused(ValueError):
    """A draft that may not be published yet; `.failures` lists the failing scenarios."""

    def __init__(self, message, failures=()):
        super().__init__(message)
        self.failures = list(failures)

class StaleEdit(ValueError):
    """A save based on an out-of-date copy: someone else saved the row in between."""

    def __init__(self, message, *, changed_by=None, changed_at=None, lock_version=None):
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.lock_version = lock_version

def _stamp(instance, by, reason=""):
    """Tell django-simple-history who made this change and why."""
    instance._history_user = by if by is not None and by.is_authenticated else None
    if reason:
        instance._change_reason = reason[:HISTORY_REASON_LENGTH]

def ruleset_import(*, data: dict, by: User | None = None,
                   publish_if_none: bool = False) -> RuleSet:
    """Import a ruleset file as a new draft (published if none is); return it.

    The whole file is checked first and every problem named by its path (for example
    `rules[3].condition.all[1].fact: unknown fact 'x'`); a file with any problem, or a
    version already stored, changes nothing.
    """
    errors = ruleset_file_errors(data)
    if errors:
        raise GuidanceImportError(errors)
    version = data["version"]
    if RuleSet.objects.filter(version=version).exists():
        raise GuidanceImportError(f"version: ruleset {version!r} already exists; nothing "
                                  "imported (change the version to import it as a new draft)")
    with transaction.atomic():
        ruleset = RuleSet(version=version, title=data.get("title") or version,
                          notes=data.get("notes", ""), created_by=by)
        ruleset.full_clean()
        _stamp(ruleset, by, "imported")
        ruleset.save()
        documents = _documents_import(ruleset, data, by)
        _code_lists_import(ruleset, data, by)
        rules = [Rule(ruleset=ruleset, code=item["code"], guidance=documents[item["guidance"]],
                      **{name: item[name] for name in RULE_FIELDS if name in item})
                 for item in data["rules"]]
        bulk_create_with_history(rules, Rule, default_user=_user(by),
                                 default_change_reason="imported")
        event_record(action="import", by=by, ruleset=ruleset, detail=f"{len(rules)} rules")
        if publish_if_none and not RuleSet.objects.filter(state=RuleSet.PUBLISHED).exists():
            _publish_first(ruleset, by)
    return ruleset

def _published():
    return RuleSet.objects.filter(state=RuleSet.PUBLISHED).first()


def _documents_import(ruleset, data, by):
    """Store the file's documents, and copies of the published ruleset's documents that the
    file's rules cite without carrying; return {code: document}."""
    items = list(data.get("documents", []))
    carried = {item["code"] for item in items}
    cited = {item["guidance"] for item in data["rules"]} - carried
    live = _published()
    if cited and live is not None:
        items += [document_data(document)
                  for document in live.documents.filter(code__in=cited)]
    return documents_create(ruleset=ruleset, items=items, by=by)


def _code_lists_import(ruleset, data, by):
    """Store the file's code lists; without any, the published ruleset's, else the shipped."""
    if data.get("code_lists") is not None:
        return code_lists_create(ruleset=ruleset, entries=data["code_lists"], by=by,
                                 reason="imported")
    live = _published()
    if live is not None:
        return code_lists_copy(source=live, draft=ruleset, by=by)
    return code_lists_create(ruleset=ruleset, entries=shipped_code_lists(), by=by,
                             reason="shipped defaults")


def _publish_first(ruleset, by):
    """Publish the first ruleset of an installation: nothing is live, so nobody can review it
    against anything; recorded as such."""
    expectations_complete(ruleset)
    digest = ruleset_digest(ruleset)
    ruleset_make_current(ruleset, by, "published (first ruleset)", digest=digest)
    Publication.objects.create(ruleset=ruleset, kind=Publication.INITIAL, published_by=_user(by),
                               author=_user(by), reasons="First ruleset of this installation.",
                               content_digest=digest)
    event_record(action="publish_first", by=by, ruleset=ruleset)

def ruleset_export(*, ruleset: RuleSet) -> dict:
    """Return a ruleset as the import file format, for review or another environment."""
    return ruleset_file(ruleset)

def _user(by):
    return by if by is not None and by.is_authenticated else None

def version_next(version: str) -> str:
    """Suggest an unused version after `version`: 2026.1 -> 2026.2 (or 2026.1.1)."""
    match = re.fullmatch(r"(.*?)(\d+)", version)
    stem, number = (match.group(1), int(match.group(2))) if match else (f"{version}.", 0)
    while True:
        number += 1
        candidate = f"{stem}{number}"[: RuleSet._meta.get_field("version").max_length]
        if not RuleSet.objects.filter(version=candidate).exists():
            return candidate

@transaction.atomic
def ruleset_create_draft(*, source: RuleSet, by: User | None, version: str = "",
                         title: str = "") -> RuleSet:
    """Copy a ruleset and all its rules into a new draft for editing; return the draft."""
    draft = RuleSet(version=version or version_next(source.version),
                    title=title or source.title, notes=source.notes, based_on=source,
                    created_by=_user(by))
    draft.full_clean()
    _stamp(draft, by, f"new draft from {source.version}")
    draft.save()
    documents = documents_copy(source=source, draft=draft, by=by)
    code_lists_copy(source=source, draft=draft, by=by)
    rules = list(source.rules.select_related("guidance"))
    for rule in rules:
        rule.pk = None
        rule.ruleset = draft
        rule.guidance = documents[rule.guidance.code]
        rule.lock_version = 0
    bulk_create_with_history(rules, Rule, default_user=_user(by),
                             default_change_reason=f"copied from {source.version}")
    expectations_copy(source=source, draft=draft)
    event_record(action="new_draft", by=by, ruleset=draft, detail=f"from {source.version}")
    return draft

def ruleset_make_current(ruleset: RuleSet, by: User | None, reason: str, *,
                         digest: str, replaces: int | None = None) -> RuleSet:
    """Retire the published ruleset and publish this one, stamping who, when and its digest.

    `digest` is the content the caller checked (guidance.content); a ruleset published
    before keeps the digest it was first published with. Two editors may publish at the same
    moment: the database allows one published ruleset, so the later is refused
    (PublishRefused) and its draft stays as it was. `replaces`: the id of the ruleset the
    draft was made from, which must still be the live one under the lock (another draft
    published first, even a moment before, is never silently retired by this one).
    """
    for current in RuleSet.objects.select_for_update().filter(
            state=RuleSet.PUBLISHED).exclude(pk=ruleset.pk):
        if replaces is not None and current.pk != replaces:
            raise PublishRefused(_published_meanwhile(ruleset, current.version))
        current.state = RuleSet.RETIRED
        _stamp(current, by, f"retired: {ruleset.version} published")
        with state_change():
            current.save()
    # Published by another editor after the lookup above (committed while this one waited).
    other = RuleSet.objects.filter(state=RuleSet.PUBLISHED).exclude(pk=ruleset.pk).first()
    if other is not None:
        raise PublishRefused(_published_meanwhile(ruleset, other.version))
    ruleset.state = RuleSet.PUBLISHED
    ruleset.published_at = timezone.now()
    ruleset.published_by = _user(by)
    ruleset.content_digest = ruleset.content_digest or digest
    ruleset.full_clean(validate_constraints=False)  # the database's constraint decides a race
    _stamp(ruleset, by, reason)
    try:
        with transaction.atomic(), state_change():
            ruleset.save()
    except IntegrityError as error:  # published by another editor, not yet committed above
        ruleset.refresh_from_db()
        raise PublishRefused(_published_meanwhile(ruleset, "another ruleset")) from error
    return ruleset

def _published_meanwhile(ruleset, other):
    return (f"{other} was published by someone else at the same moment, so {ruleset.version} "
            "was not: look at the rulesets now in use, and publish it again if it should "
            "replace that one")

def rule_last_change(rule: Rule) -> tuple[User | None, datetime.datetime | None]:
    """Return (user, when) of the latest saved change to a rule, from its history."""
    record = Rule.history.filter(id=rule.pk).order_by("-history_date", "-history_id").first()
    if record is None:
        return None, None
    return record.history_user, record.history_date

def stale_edit_for(rule: Rule) -> StaleEdit:
    """Build the refusal for a save based on an out-of-date copy of `rule`."""
    user, when = rule_last_change(rule)
    current = Rule.objects.filter(pk=rule.pk).values_list("lock_version", flat=True).first()
    who = user.get_username() if user is not None else "someone else"
    at = timezone.localtime(when).strftime("%d %b %Y %H:%M:%S") if when else "an unknown time"
    return StaleEdit(
        f"Rule {rule.code} was changed by {who} at {at}, after you opened it. Your edits "
        "were not saved and are kept on this form: compare them with the current rule "
        "(History), then save again to replace that change with yours.",
        changed_by=user, changed_at=when, lock_version=current)

@transaction.atomic
def rule_save(*, rule: Rule, by: User | None, lock_version: int | None = None,
              reason: str = "") -> Rule:
    """Add or change a rule in a draft, with why (kept in its history); refuse a save based
    on a stale copy.

    `lock_version` is the version the editor started from (defaults to the instance's);
    the conditional update makes the check and the claim one step, on every database.
    """
    ruleset = draft_locked(rule.ruleset_id)
    if rule.pk is not None:
        expected = rule.lock_version if lock_version is None else lock_version
        claimed = Rule.objects.filter(pk=rule.pk, lock_version=expected).update(
            lock_version=expected + 1)
        if not claimed:
            raise stale_edit_for(rule)
        rule.lock_version = expected + 1
    rule.full_clean()
    _stamp(rule, by, reason)
    rule.save()
    # Drafts are compiled afresh, but a bump still tells readers the draft changed.
    RuleSet.objects.filter(pk=ruleset.pk).update(lock_version=F("lock_version") + 1)
    return rule

@transaction.atomic
def rule_delete(*, rule: Rule, by: User | None) -> None:
    """Remove a rule from a draft."""
    ruleset = draft_locked(rule.ruleset_id)
    _stamp(rule, by)
    rule.delete()
    RuleSet.objects.filter(pk=ruleset.pk).update(lock_version=F("lock_version") + 1)

def shared_scenarios_dir() -> Path:
    """Return the project's copy of the shared clinical scenarios."""
    return Path(settings.BONECARE_SCENARIOS_DIR)

def threshold_scenarios_dir(directory: str | Path | None = None) -> Path:
    """Return the project's own scenarios either side of each safety threshold.

    They sit in a folder of their own beside the shared copy, so that the shared set stays
    file for file what ../shared holds.
    """
    return Path(directory or shared_scenarios_dir()) / "thresholds"

@transaction.atomic
def scenarios_load_shared(*, directory: str | Path | None = None) -> int:
    """Load the shared scenarios, and the threshold ones beside them, as regression tests;
    keep ones already stored. Return how many were new."""
    directory = Path(directory or shared_scenarios_dir())
    return (_scenarios_load(directory, source="shared")
            + _scenarios_load(threshold_scenarios_dir(directory), source="threshold"))

def _scenarios_load(directory, *, source):
    created = 0
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text())
        _, made = Scenario.objects.get_or_create(
            code=data["id"],
            defaults={
                "title": data.get("title", data["id"]),
                "assessment": data["assessment"],
                "expected": data["expected"],
                "expected_hold": data.get("expected_hold", []),
                "expected_alerts": data.get("expected_alerts", []),
                "expected_scores": data.get("expected_scores", {}),
                "expected_missing": data.get("expected_missing", {}),
                "expected_derived": data.get("expected_derived", {}),
                "source": source,
            },
        )
        created += made
    return created

def scenario_save(*, scenario: Scenario, by: User | None) -> Scenario:
    """Add or change a scenario in the library, audited.

    The library feeds drafts only: a draft takes a new scenario at submission, where the
    reviewer sees it, and no published ruleset's expectations change.
    """
    with transaction.atomic():
        scenario.full_clean()
        _stamp(scenario, by, "scenario saved")
        scenario.save()
        event_record(action="scenario_change", by=by, detail=f"{scenario.code}: "
                     f"{scenario.title}")
    return scenario


def scenario_delete(*, scenario: Scenario, by: User | None) -> None:
    """Remove an editor's scenario from the library, audited; shared ones stay."""
    if scenario.source != "editor":
        raise RuleSetReadOnly(f"{scenario.code} comes from the shared clinical scenarios: "
                              "it is not removed here")
    with transaction.atomic():
        _stamp(scenario, by, "scenario removed")
        scenario.delete()
        event_record(action="scenario_delete", by=by, detail=scenario.code)


def default_ruleset_data() -> dict:
    """Return the shipped default ruleset file as data."""
    return json.loads(DEFAULT_RULESET_PATH.read_text())
