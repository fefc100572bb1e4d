"""The rules console refuses hostile JSON and a lost publishing race plainly, never a 500."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from guidance.models import RuleSet, Scenario
from guidance.services import default_ruleset_data, ruleset_create_draft
from guidance.transfer import ruleset_file_errors
from options.json_input import MAX_DEPTH

pytestmark = pytest.mark.django_db

DEPTHS = {"100000-lists": 100_000, "900-lists": 900, "one-too-many": MAX_DEPTH + 1}


def nested(depth):
    """Return JSON text of lists nested `depth` levels deep around one number."""
    return "[" * depth + "1" + "]" * depth


@pytest.fixture
def editor_raising(guidance_editor):
    """The guidance editor's browser, re-raising any server error so a 500 fails loudly."""
    client = Client(raise_request_exception=True)
    client.force_login(guidance_editor)
    return client


def field_errors(response, name):
    return response.context["adminform"].form.errors[name]


@pytest.mark.parametrize("depth", DEPTHS.values(), ids=DEPTHS)
def test_a_deeply_nested_rule_condition_is_a_form_error(editor_raising, guidance_editor,
                                                        published_ruleset, depth):
    from tests.test_guidance_admin import rule_form_data

    rule = ruleset_create_draft(source=published_ruleset, by=guidance_editor).rules.get(
        code="DEF-HYPOCALCAEMIA")
    url = reverse("admin:guidance_rule_change", args=[rule.pk])
    response = editor_raising.post(url, rule_form_data(rule, condition=nested(depth)))
    assert response.status_code == 200
    assert "nested too deeply" in " ".join(field_errors(response, "condition"))


@pytest.mark.parametrize("depth", DEPTHS.values(), ids=DEPTHS)
def test_a_deeply_nested_scenario_assessment_is_a_form_error(editor_raising, depth):
    data = {"code": "ED-DEEP", "title": "deep", "assessment": nested(depth),
            **{f"expected_{o}": "recommended" for o in
               ("bisphosphonate", "denosumab", "cementoplasty", "vertebroplasty",
                "kyphoplasty")}}
    response = editor_raising.post("/admin/guidance/scenario/add/", data)
    assert response.status_code == 200
    assert "nested too deeply" in " ".join(field_errors(response, "assessment"))
    assert not Scenario.objects.filter(code="ED-DEEP").exists()


@pytest.mark.parametrize("depth", DEPTHS.values(), ids=DEPTHS)
def test_a_deeply_nested_ruleset_file_is_refused(editor_raising, published_ruleset, depth):
    data = json.dumps({**default_ruleset_data(), "version": "2099.9"})
    content = data.replace('"notes":', f'"deep": {nested(depth)}, "notes":', 1).encode()
    upload = SimpleUploadedFile("deep.json", content, content_type="application/json")
    response = editor_raising.post(reverse("admin:guidance_ruleset_import"), {"file": upload})
    assert response.status_code == 200
    assert "nested too deeply" in response.content.decode()
    assert RuleSet.objects.count() == 1


def test_a_ruleset_file_nested_just_deep_enough_is_still_checked_as_usual():
    errors = ruleset_file_errors({"version": "2099.9", "rules": json.loads(nested(MAX_DEPTH - 1))})
    assert errors and not any("nested too deeply" in error for error in errors)


def test_ruleset_data_nested_too_deeply_is_refused_however_it_arrived():
    errors = ruleset_file_errors({"version": "2099.9", "rules": json.loads(nested(MAX_DEPTH))})
    assert errors == [f"(file): nested too deeply: at most {MAX_DEPTH} levels of lists and "
                      "objects"]


def test_a_deeply_nested_scenario_shown_again_does_not_fail(editor_raising):
    """The admin re-renders refused input; the pretty-printer must not recurse on it."""
    from guidance.forms import PrettyJSONWidget

    assert PrettyJSONWidget().format_value(nested(900)) == nested(900)


def test_an_odd_ruleset_number_in_the_expectation_page_is_ignored(editor_raising, db):
    from guidance.services import scenarios_load_shared

    scenarios_load_shared()
    scenario = Scenario.objects.order_by("code").first()
    url = reverse("admin:guidance_scenario_expectation", args=[scenario.pk])
    assert editor_raising.get(url, {"ruleset": "²"}).status_code in (200, 404)


@pytest.mark.parametrize("pk", ["9" * 5000, "٣"], ids=["5000-digits", "arabic-indic"])
def test_publishing_an_odd_ruleset_number_is_not_found(editor_raising, pk):
    # The admin's own catch-all answers: a redirect saying no such ruleset exists.
    response = editor_raising.post(f"/admin/guidance/ruleset/{pk}/publish/")
    assert response.status_code in (302, 404)
