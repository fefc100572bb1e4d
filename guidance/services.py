"""Write guidance: import rulesets and documents, publish, draft; each audited by history."""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from options.rules import RuleError

from .models import GuidanceDocument, Rule, RuleSet, Scenario
from .selectors import ruleset_compile

DEFAULT_RULESET_PATH = Path(__file__).resolve().parent / "data" / "default_ruleset.json"
DOCUMENT_FIELDS = ("title", "url", "publisher", "published", "last_reviewed",
                   "next_review_due", "evidence_note")
RULE_FIELDS = ("option", "effect", "status", "priority", "condition", "section", "text",
               "patient_text", "alert_code", "alert_severity", "defines")


class GuidanceImportError(ValueError):
    """A ruleset file that cannot be imported; nothing was changed."""


def _date(value):
    return None if value in (None, "") else datetime.date.fromisoformat(value)


def document_ensure(*, data):
    """Create a guidance document if its code is new; never overwrite an edited one."""
    values = {name: data.get(name, "") for name in DOCUMENT_FIELDS}
    for name in ("published", "last_reviewed", "next_review_due"):
        values[name] = _date(data.get(name))
    values["publisher"] = values["publisher"] or "NICE"
    document, created = GuidanceDocument.objects.get_or_create(code=data["code"],
                                                               defaults=values)
    if created:
        document.full_clean()
    return document, created


@transaction.atomic
def ruleset_import(*, data, by=None, publish_if_none=False):
    """Import a ruleset file's documents and rules as a new ruleset; return it.

    Refuses (GuidanceImportError) a version that already exists: a stored ruleset,
    published or edited, is never overwritten. Every rule is compiled before anything is
    kept, so a malformed file changes nothing.
    """
    version = data.get("version")
    if RuleSet.objects.filter(version=version).exists():
        raise GuidanceImportError(f"ruleset {version} already exists; nothing imported")
    for document in data.get("documents", []):
        document_ensure(data=document)
    ruleset = RuleSet(version=version, title=data.get("title", version),
                      notes=data.get("notes", ""), created_by=by)
    ruleset.full_clean()
    ruleset.save()
    documents = {d.code: d for d in GuidanceDocument.objects.all()}
    for index, item in enumerate(data.get("rules", [])):
        document = documents.get(item.get("guidance"))
        if document is None:
            raise GuidanceImportError(
                f"rules[{index}].guidance: unknown guidance document {item.get('guidance')!r}")
        rule = Rule(ruleset=ruleset, code=item["code"], guidance=document,
                    **{name: item[name] for name in RULE_FIELDS if name in item})
        rule.save()
    try:
        ruleset_compile(ruleset)
    except RuleError as error:
        raise GuidanceImportError(str(error)) from error
    if publish_if_none and not RuleSet.objects.filter(state=RuleSet.PUBLISHED).exists():
        ruleset_publish(ruleset=ruleset, by=by)
    return ruleset


@transaction.atomic
def ruleset_publish(*, ruleset, by=None):
    """Publish a ruleset, retiring the one in use; stamps who and when."""
    ruleset_compile(ruleset)  # refuse to publish anything the engine cannot run
    RuleSet.objects.filter(state=RuleSet.PUBLISHED).exclude(pk=ruleset.pk).update(
        state=RuleSet.RETIRED)
    ruleset.state = RuleSet.PUBLISHED
    ruleset.published_at = timezone.now()
    ruleset.published_by = by
    ruleset.save()
    return ruleset


def shared_scenarios_dir():
    """Return the shared clinical scenarios folder (../shared beside the repository)."""
    return Path(settings.BONECARE_SHARED_DIR) / "clinical" / "scenarios"


@transaction.atomic
def scenarios_load_shared(*, directory=None):
    """Load the shared scenarios as regression tests; keep ones already stored. Return count."""
    directory = Path(directory or shared_scenarios_dir())
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
                "source": "shared",
            },
        )
        created += made
    return created


def default_ruleset_data():
    """Return the shipped default ruleset file as data."""
    return json.loads(DEFAULT_RULESET_PATH.read_text())
