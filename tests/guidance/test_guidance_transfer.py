"""Ruleset export and import: a malformed file changes nothing and says where it is wrong."""

import copy

import pytest

from guidance.models import GuidanceDocument, Rule, RuleSet
from guidance.services import (
    GuidanceImportError,
    default_ruleset_data,
    ruleset_export,
    ruleset_import,
)

pytestmark = pytest.mark.django_db


def default_as(version):
    data = copy.deepcopy(default_ruleset_data())
    data["version"] = version
    return data


def rule_index(data, code):
    return next(i for i, rule in enumerate(data["rules"]) if rule["code"] == code)


def test_an_exported_ruleset_imports_as_an_identical_draft(published_ruleset, guidance_editor):
    exported = ruleset_export(ruleset=published_ruleset)
    assert exported["version"] == "2026.3" and len(exported["rules"]) == 128
    assert {d["code"] for d in exported["documents"]} <= set(
        GuidanceDocument.objects.values_list("code", flat=True))

    imported = ruleset_import(data={**exported, "version": "2026.3-copy"}, by=guidance_editor)

    assert imported.state == RuleSet.DRAFT and imported.created_by == guidance_editor
    again = ruleset_export(ruleset=imported)
    assert again["rules"] == exported["rules"]
    assert again["documents"] == exported["documents"]


def _unknown_fact(data):
    index = rule_index(data, "DEF-HYPOCALCAEMIA")
    data["rules"][index]["condition"] = {"all": [{"fact": "age_years", "ge": 18},
                                                 {"fact": "x", "lt": 2}]}
    return f"rules[{index}].condition.all[1].fact: unknown fact 'x'"


def _unknown_value(data):
    index = rule_index(data, "DEF-HYPOCALCAEMIA")
    data["rules"][index]["condition"] = {"fact": "cancer_type", "in": ["breast", "melanoma"]}
    return f"rules[{index}].condition.in[1]: 'melanoma' is not one of"


def _unknown_document(data):
    data["rules"][4]["guidance"] = "NG999"
    return "rules[4].guidance: unknown guidance document 'NG999'"


def _duplicate_code(data):
    data["rules"][7]["code"] = data["rules"][2]["code"]
    return f"rules[7].code: {data['rules'][2]['code']!r} is already used by rules[2]"


def _bad_date(data):
    data["documents"][1]["next_review_due"] = "next spring"
    return "documents[1].next_review_due: must be a date as YYYY-MM-DD"


def _text_priority(data):
    data["rules"][0]["priority"] = "high"
    return "rules[0].priority: must be a whole number"


def _no_rules(data):
    data["rules"] = []
    return "rules: must be a non-empty list"


def _stray_key(data):
    data["rules"][3]["conditon"] = {}
    return "rules[3].conditon: unknown key"


def _existing_version(data):
    data["version"] = "2026.3"
    return "version: ruleset '2026.3' already exists"


@pytest.mark.parametrize(
    "break_file",
    [_unknown_fact, _unknown_value, _unknown_document, _duplicate_code, _bad_date,
     _text_priority, _no_rules, _stray_key, _existing_version],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_malformed_file_is_rejected_naming_the_place_and_changes_nothing(
        published_ruleset, guidance_editor, break_file):
    data = default_as("2099.1")
    data["documents"].append({"code": "NEW-DOC", "title": "A new document"})
    expected = break_file(data)
    counts = (RuleSet.objects.count(), Rule.objects.count(), GuidanceDocument.objects.count())

    with pytest.raises(GuidanceImportError) as raised:
        ruleset_import(data=data, by=guidance_editor)

    assert any(error.startswith(expected) for error in raised.value.errors), raised.value.errors
    assert counts == (RuleSet.objects.count(), Rule.objects.count(),
                      GuidanceDocument.objects.count())


def test_a_file_that_is_not_an_object_is_rejected(db):
    with pytest.raises(GuidanceImportError, match=r"\(file\): must be a JSON object"):
        ruleset_import(data=["rules"])
