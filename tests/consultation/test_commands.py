"""The management commands a newcomer and CI rely on."""

import io
import json
import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from guidance.content import ruleset_digest
from guidance.models import Rule, RuleSet, Scenario
from guidance.services import (
    GuidanceImportError,
    default_ruleset_data,
    ruleset_create_draft,
    ruleset_import,
)
from options.consultation.models import EvaluationAudit
from tests.builders import scenario_files, threshold_scenario_files

pytestmark = pytest.mark.django_db


def test_load_guidance_publishes_the_default_ruleset_and_loads_the_scenarios():
    call_command("load_guidance", stdout=io.StringIO())
    ruleset = RuleSet.objects.get()
    data = default_ruleset_data()
    assert (ruleset.version, ruleset.state) == (data["version"], RuleSet.PUBLISHED)
    assert ruleset.rules.count() == len(data["rules"])
    assert Scenario.objects.filter(source="shared").count() == len(scenario_files())
    assert sorted(Scenario.objects.filter(source="threshold").values_list("code", flat=True)) == [
        path.stem for path in threshold_scenario_files()]


def test_load_guidance_twice_changes_nothing():
    call_command("load_guidance", stdout=io.StringIO())
    published = RuleSet.objects.get(state=RuleSet.PUBLISHED)
    digest = ruleset_digest(published)
    assert digest == published.content_digest
    out = io.StringIO()
    call_command("load_guidance", stdout=out)
    assert "already stored" in out.getvalue()
    assert RuleSet.objects.count() == 1 and ruleset_digest(published) == digest


def test_a_new_default_version_arrives_as_a_draft_beside_the_published_one():
    call_command("load_guidance", stdout=io.StringIO())
    data = {**default_ruleset_data(), "version": "2099.1"}
    ruleset_import(data=data, publish_if_none=True)
    assert RuleSet.objects.get(version="2099.1").state == RuleSet.DRAFT


def test_an_import_with_a_bad_rule_changes_nothing():
    data = default_ruleset_data()
    data["rules"][7]["condition"] = {"fact": "cancer_typo", "eq": "breast"}
    with pytest.raises(GuidanceImportError) as caught:
        ruleset_import(data=data, publish_if_none=True)
    assert "cancer_typo" in str(caught.value)
    assert RuleSet.objects.count() == 0 and Rule.objects.count() == 0


def test_check_rules_reports_every_bad_rule_and_fails():
    call_command("load_guidance", stdout=io.StringIO())
    draft = ruleset_create_draft(source=RuleSet.objects.get(), by=None)
    # Written behind the models' back, as an old row or a hand edit of the database would be.
    Rule.objects.filter(ruleset=draft, code="BP-SAFE-02").update(
        condition={"fact": "crcl", "lt": 30})
    Rule.objects.filter(ruleset=draft, code="PC-COND-MDT").update(condition={"all": []})
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_rules", stdout=io.StringIO(), stderr=err)
    assert "BP-SAFE-02" in err.getvalue() and "PC-COND-MDT" in err.getvalue()


def test_check_rules_passes_on_the_default_ruleset():
    call_command("load_guidance", stdout=io.StringIO())
    out = io.StringIO()
    call_command("check_rules", stdout=out)
    assert "OK" in out.getvalue()


def draft_rule(code):
    """A rule of a draft ruleset: the only kind an editor may change."""
    ruleset = ruleset_import(data=default_ruleset_data())
    assert ruleset.state == RuleSet.DRAFT
    return ruleset.rules.get(code=code)


# An editor's mistake in a rule of BP-SAFE-02, and the message shown beside its field.
REFUSED_EDITS = [
    pytest.param({"condition": {"all": [{"fact": "pregnant", "is": True},
                                        {"fact": "pregant", "is": 1}]}},
                 "condition", "condition.all[1].fact", id="a parser error"),
    # Its text names {creatinine_clearance_ml_min.lt}, which this condition no longer holds.
    pytest.param({"condition": {"fact": "hypocalcaemia", "is": True}},
                 "text", "names no comparison", id="a text that no longer follows"),
    pytest.param({"text": "Creatinine clearance below 30 mL/min."},
                 "text", "30 is held by the condition", id="a threshold typed into the text"),
    pytest.param({"status": ""}, "status", "", id="a status rule without a status"),
]


@pytest.mark.parametrize(("edit", "field", "message"), REFUSED_EDITS)
def test_rule_clean_puts_each_mistake_beside_its_field(edit, field, message):
    rule = draft_rule("BP-SAFE-02")
    for name, value in edit.items():
        setattr(rule, name, value)
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert message in caught.value.message_dict[field][0]


def test_rule_clean_knows_the_derived_facts_of_its_ruleset():
    rule = draft_rule("BP-SAFE-02")
    rule.condition = {"fact": "hypocalcaemia", "is": True}
    rule.text = "Calcium below {corrected_calcium_mmol_l.lt:2} mmol/L: correct it first."
    rule.full_clean()


def test_evaluate_reads_standard_input_and_audits(published_ruleset, monkeypatch, capsys):
    path = scenario_files()[0]
    monkeypatch.setattr("sys.stdin", io.StringIO(path.read_text()))
    call_command("evaluate", "-")
    result = json.loads(capsys.readouterr().out)
    assert [o["option"] for o in result["options"]] == [
        "bisphosphonate", "denosumab", "cementoplasty", "vertebroplasty", "kyphoplasty"]
    assert EvaluationAudit.objects.get().channel == "cli"


def test_evaluate_refuses_invalid_input_with_paths_and_exit_2(published_ruleset, monkeypatch,
                                                              capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"cancer_type": "brest"}'))
    with pytest.raises(CommandError) as caught:
        call_command("evaluate", "-")
    assert caught.value.returncode == 2
    assert "cancer_type: must be one of" in capsys.readouterr().err
    assert EvaluationAudit.objects.get().outcome == "invalid"


def test_evaluate_never_tracebacks_on_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    env = {"DJANGO_DEBUG": "true", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "manage.py", "evaluate", str(path)],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 2
    assert "not valid JSON" in done.stderr and "Traceback" not in done.stderr


def test_evaluate_refuses_json_that_is_not_an_assessment(published_ruleset, tmp_path, capsys):
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    with pytest.raises(CommandError) as caught:
        call_command("evaluate", str(path))
    assert caught.value.returncode == 2
    assert "must be a JSON object" in capsys.readouterr().err
