"""Only a ruleset that has been published is compiled once per process: any other is compiled
from its rows each time, so the gate before publishing tests the rules it will publish."""

import pytest
from django.db import IntegrityError, connection, transaction

from guidance.models import Rule, RuleSet
from guidance.selectors import ruleset_compiled
from guidance.services import ruleset_create_draft
from tests.guidance_builders import approved


def _text_of(compiled, code):
    return next(c.reason["text"] for c in compiled.by_option["denosumab"]["safety"]
                if c.rule.code == code)


def test_an_approved_ruleset_is_compiled_from_its_rows_each_time(
        published_ruleset, guidance_editor, safety_officer):
    draft = ruleset_create_draft(source=published_ruleset, version="2026.9", by=guidance_editor)
    draft = approved(draft, author=guidance_editor, reviewer=safety_officer)
    rule = Rule.objects.filter(ruleset=draft, option="denosumab", effect="safety").first()
    before = _text_of(ruleset_compiled(draft)[1], rule.code)
    # The same id, version, state and lock version, other rules: as a row that took a
    # deleted row's id would be (SQLite), or one changed behind the ORM's back (which
    # PostgreSQL's trigger refuses for an approved ruleset).
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            Rule.objects.filter(pk=rule.pk).update(text=rule.text + " Checked again.")
        return
    Rule.objects.filter(pk=rule.pk).update(text=rule.text + " Checked again.")
    assert _text_of(ruleset_compiled(draft)[1], rule.code) == before + " Checked again."


def test_a_published_ruleset_is_compiled_once(published_ruleset):
    first = ruleset_compiled(published_ruleset)[1]
    assert ruleset_compiled(RuleSet.objects.get(pk=published_ruleset.pk))[1] is first
