"""What a draft holds besides its rules: its guidance documents and its FHIR code lists.

Both decide or show advice (a document's address is what clinicians follow; switch off the
cord-compression code and the EHR's critical card disappears), so both are versioned with the
ruleset: copied into each new draft, changed only there, with the editor named and a reason,
and audited; they reach clinicians and EHRs only when the draft is reviewed by a second
person and published, and a rollback brings back those it was published with.
"""

import json
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from simple_history.utils import bulk_create_with_history

from .audit import event_record, user_or_none
from .models import CodeListEntry, GuidanceDocument, RuleSet
from .transfer import CODE_FIELDS, DOCUMENT_FIELDS

__all__ = ["RuleSetReadOnly", "code_entry_save", "code_lists_copy", "code_lists_create",
           "document_save", "documents_copy", "documents_create", "draft_locked",
           "ruleset_details_save", "shipped_code_lists"]

SHIPPED_CODE_LISTS = Path(__file__).resolve().parent / "data" / "code_lists.json"
HISTORY_REASON_LENGTH = 100  # django-simple-history's change-reason column


class RuleSetReadOnly(ValueError):
    """A change to a ruleset that is not a draft: it never changes."""


def draft_locked(ruleset_id: int) -> RuleSet:
    """Lock a draft's row for this transaction; refuse a ruleset that is not a draft."""
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset_id)
    if ruleset.state != RuleSet.DRAFT:
        raise RuleSetReadOnly(ruleset.read_only_reason())
    return ruleset


def _stamp(instance, by, reason):
    instance._history_user = user_or_none(by)
    instance._change_reason = reason[:HISTORY_REASON_LENGTH]


def _reason_required(reason):
    if not (reason or "").strip():
        raise ValidationError({"change_reason": "Say why: the reviewer reads it."})
    return reason.strip()


def _changed(ruleset):
    # Drafts are compiled afresh, but a bump still tells readers the draft changed.
    RuleSet.objects.filter(pk=ruleset.pk).update(lock_version=F("lock_version") + 1)


def document_save(*, document: GuidanceDocument, by: User | None,
                  reason: str) -> GuidanceDocument:
    """Add a guidance document to a draft, or change one of its documents, saying why.

    Consultations keep the citations they were shown; the change reaches advice only once
    the draft is published.
    """
    reason = _reason_required(reason)
    with transaction.atomic():
        ruleset = draft_locked(document.ruleset_id)
        if document.pk is not None:
            stored = GuidanceDocument.objects.get(pk=document.pk)
            if stored.ruleset_id != ruleset.pk or stored.code != document.code:
                raise ValidationError({"code": "cannot be changed (the code is what advice "
                                               "cites)"})
            document.version = stored.version + 1
        document.full_clean()
        _stamp(document, by, reason)
        document.save()
        _changed(ruleset)
        event_record(action="document_change", by=by, ruleset=ruleset,
                     detail=f"{document.code}: {reason}")
    return document


def code_entry_save(*, entry: CodeListEntry, by: User | None, reason: str) -> CodeListEntry:
    """Add a FHIR code to a draft's lists, or change or deactivate one, saying why."""
    reason = _reason_required(reason)
    with transaction.atomic():
        ruleset = draft_locked(entry.ruleset_id)
        if entry.pk is not None and not CodeListEntry.objects.filter(
                pk=entry.pk, ruleset=ruleset).exists():
            raise ValidationError({"ruleset": "a code moves between rulesets only by a new "
                                              "draft"})
        entry.full_clean()
        _stamp(entry, by, reason)
        entry.save()
        _changed(ruleset)
        state = "active" if entry.active else "inactive"
        event_record(action="code_list_change", by=by, ruleset=ruleset,
                     detail=f"{entry.get_code_list_display()}, {entry.system}|{entry.code} "
                            f"({state}): {reason}")
    return entry


def documents_copy(*, source: RuleSet, draft: RuleSet, by: User | None) -> dict:
    """Give a new draft a copy of each of the source's documents; return {code: copy}."""
    copies = []
    for document in source.documents.all():
        document.pk, document.ruleset = None, draft
        copies.append(document)
    bulk_create_with_history(copies, GuidanceDocument, default_user=user_or_none(by),
                             default_change_reason=f"copied from {source.version}")
    return {document.code: document for document in draft.documents.all()}


def documents_create(*, ruleset: RuleSet, items: list[dict], by: User | None) -> dict:
    """Store a file's documents in a new ruleset; return {code: document}."""
    documents = []
    for item in items:
        values = {name: item.get(name) or "" for name in DOCUMENT_FIELDS}
        for name in ("published", "last_reviewed", "next_review_due"):
            values[name] = item.get(name) or None
        values["publisher"] = values["publisher"] or "NICE"
        document = GuidanceDocument(ruleset=ruleset, code=item["code"], **values)
        document.full_clean()
        documents.append(document)
    bulk_create_with_history(documents, GuidanceDocument, default_user=user_or_none(by),
                             default_change_reason="imported")
    return {document.code: document for document in ruleset.documents.all()}


def shipped_code_lists() -> list[dict]:
    """Return the shipped FHIR code lists (the table of shared/spec/cds-hooks.md)."""
    return json.loads(SHIPPED_CODE_LISTS.read_text(encoding="utf-8"))["entries"]


def code_lists_create(*, ruleset: RuleSet, entries: list[dict], by: User | None,
                      reason: str) -> int:
    """Store code list entries (file format) in a new ruleset; return how many."""
    rows = []
    for item in entries:
        entry = CodeListEntry(ruleset=ruleset, **{name: item[name] for name in CODE_FIELDS
                                                  if name in item})
        entry.full_clean(exclude=["ruleset"])
        rows.append(entry)
    bulk_create_with_history(rows, CodeListEntry, default_user=user_or_none(by),
                             default_change_reason=reason[:HISTORY_REASON_LENGTH])
    return len(rows)


def code_lists_copy(*, source: RuleSet, draft: RuleSet, by: User | None) -> int:
    """Give a new draft a copy of the source's code lists; return how many."""
    entries = list(source.code_entries.values(*CODE_FIELDS))
    return code_lists_create(ruleset=draft, entries=entries, by=by,
                             reason=f"copied from {source.version}")


def ruleset_details_save(*, ruleset: RuleSet, by: User | None) -> RuleSet:
    """Save a draft's title and notes (what the rules console lists it by)."""
    with transaction.atomic():
        draft_locked(ruleset.pk)
        ruleset.full_clean()
        _stamp(ruleset, by, "title or notes changed")
        ruleset.save(update_fields=["title", "notes"])
        event_record(action="draft_details", by=by, ruleset=ruleset, detail=ruleset.title)
    return ruleset
