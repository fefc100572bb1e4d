"""Read guidance for the engine: the only place where stored rulesets become engine rules."""

import threading

from django.db import connection

from options.consultation.citations import citation_of, cited_codes
from options.rules import CompiledRuleSet

from .codes import CodeLists, Entry
from .engine_rules import define_conditions, engine_rule_from_row
from .models import CodeListEntry, GuidanceDocument, Rule, RuleSet

__all__ = [
    "NoPublishedRuleSet",
    "citations_for",
    "code_lists_published",
    "codes_version",
    "published_documents",
    "replacements_for",
    "define_names",
    "engine_rule_from_row",
    "published_compiled",
    "published_key",
    "ruleset_compile",
    "ruleset_compiled",
    "ruleset_bonecare_defaults",
    "ruleset_text_sources",
    "ruleset_engine_rules",
    "ruleset_get_published",
]


class NoPublishedRuleSet(LookupError):
    """No ruleset is published, so no advice can be given."""


_compiled = {}
_compiled_lock = threading.Lock()


def ruleset_engine_rules(ruleset):
    """Return a ruleset's rows as engine rules (none for no ruleset)."""
    if ruleset is None:
        return []
    rows = Rule.objects.filter(ruleset=ruleset).select_related("guidance")
    return [engine_rule_from_row(row) for row in rows]


def ruleset_compile(ruleset):
    """Compile a ruleset's rows; raises RuleError naming the first bad rule."""
    published_at = ruleset.published_at.isoformat() if ruleset.published_at else None
    return CompiledRuleSet(
        ruleset_engine_rules(ruleset),
        version=ruleset.version,
        published_at=published_at,
    )


def ruleset_get_published():
    """Return the published ruleset row, or raise NoPublishedRuleSet."""
    ruleset = RuleSet.objects.filter(state=RuleSet.PUBLISHED).first()
    if ruleset is None:
        raise NoPublishedRuleSet("No ruleset is published: an editor must publish one.")
    return ruleset


def _content_key(ruleset):
    return (ruleset.pk, ruleset.version, ruleset.state, ruleset.lock_version,
            ruleset.published_at)


PUBLISHED_KEY_COLUMNS = ("id", "version", "state", "lock_version", "published_at")


def published_key():
    """Read the published ruleset's identifying columns, or None.

    Every evaluation in every interface runs this, so that a publish reaches every worker at
    its next call: one plain SELECT rather than a queryset, whose building cost several
    times the round trip (make bench-api).
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(PUBLISHED_KEY_COLUMNS)} FROM "
                       f"{RuleSet._meta.db_table} WHERE state = %s", [RuleSet.PUBLISHED])
        return cursor.fetchone()  # a cache key only: SQLite's text time serves as well


def ruleset_compiled(ruleset):
    """Return the compiled form of a ruleset, compiling once per process and version.

    A ruleset that has been published (published or retired) never changes, so its id,
    version, state, lock version and publication time name its content. Any other (a draft,
    one submitted or approved) is compiled afresh each time: an editor's save must be seen by
    the next "test this draft", and without a publication time a key of the same values
    could name another row's rules (SQLite gives a deleted row's id to the next one), so that
    the gate before publishing would test rules other than those it is about to publish.
    """
    if ruleset.published_at is None:
        return ruleset, ruleset_compile(ruleset)
    return _cached(_content_key(ruleset), lambda: ruleset)


def _cached(key, load):
    entry = _compiled.get(key)
    if entry is None:
        with _compiled_lock:
            entry = _compiled.get(key)
            if entry is None:
                ruleset = load()
                entry = _compiled[key] = (ruleset, ruleset_compile(ruleset))
    return entry


def published_compiled(key=None):
    """Return (row, compiled) for the published ruleset; one small query per call.

    Asking the database each time is what makes a publish reach every worker at once; the
    query reads only the columns that name the ruleset's content, and the row and its
    compiled rules are kept per process once loaded. `key`: those columns as read earlier
    in the same request (published_key), so as not to read them twice.
    """
    if key is None:
        key = published_key()
    if key is None or key[0] is None:
        raise NoPublishedRuleSet("No ruleset is published: an editor must publish one.")
    return _cached(key, lambda: RuleSet.objects.get(pk=key[0]))


TEXT_EFFECTS = ("condition", "caution", "note")


def ruleset_text_sources(ruleset) -> dict:
    """Return {(option, text as shown): its rule's reason (rule, guidance, section)} for the
    conditions, cautions and notes of a ruleset that has given advice (never changes)."""
    if ruleset is None or ruleset.published_at is None:
        return {}
    _, compiled = ruleset_compiled(ruleset)
    return {(option, item.reason["text"]): item.reason
            for option, rules in compiled.by_option.items()
            for effect in TEXT_EFFECTS for item in rules[effect]}


def ruleset_bonecare_defaults(ruleset) -> frozenset:
    """Return the codes of the rules that are BoneCare's own defaults where the guidance is
    silent or unclear, in a ruleset that has given advice."""
    if ruleset is None or ruleset.published_at is None:
        return frozenset()
    return ruleset_compiled(ruleset)[1].bonecare_defaults


def define_names(ruleset, *, exclude_pk=None):
    """Return {derived fact: its define rule's condition} for a ruleset's define rules."""
    rows = Rule.objects.filter(ruleset=ruleset)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return define_conditions(rows)


def citations_for(result: dict) -> list[dict]:
    """Return the citations of every document a result cites, as the ruleset that gave the
    result holds them; one query."""
    documents = GuidanceDocument.objects.filter(
        ruleset__version=result["ruleset"]["version"], code__in=cited_codes(result))
    return [citation_of(document) for document in documents.order_by("code")]


def published_documents():
    """Return the published ruleset's guidance documents, by code."""
    return GuidanceDocument.objects.filter(ruleset__state=RuleSet.PUBLISHED).order_by("code")


def replacements_for(codes) -> dict:
    """Return {code: the code that replaces it now} for those of the documents replaced since,
    as the published ruleset says."""
    return dict(published_documents().filter(code__in=list(codes)).exclude(
        replaced_by="").values_list("code", "replaced_by"))


_code_lists = {}


def codes_version(key) -> str:
    """Return the version of the ruleset whose code lists a call read (`key` as
    published_key returns it), for its audit row."""
    return key[1] if key and key[1] is not None else ""


def code_lists_published(key=None) -> CodeLists:
    """Return the published ruleset's active FHIR code lists, loaded once per process and
    publication (`key` as published_compiled takes it)."""
    ruleset, _ = published_compiled(key=key)
    lists_key = (ruleset.pk, ruleset.published_at)
    lists = _code_lists.get(lists_key)
    if lists is None:
        rows = CodeListEntry.objects.filter(ruleset=ruleset, active=True).values_list(
            "code_list", "system", "code", "value", "display")
        lists = CodeLists(tuple(Entry(*row) for row in rows))
        with _compiled_lock:
            _code_lists.clear()  # only the live ruleset's lists are kept
            _code_lists[lists_key] = lists
    return lists
