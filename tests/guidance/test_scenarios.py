"""Every shared clinical scenario agrees through the service and through the command line;
the project's threshold scenarios through the service (and the engine: tests/engine)."""

import json

import pytest
from django.core.management import call_command

from guidance.scenarios.compare import scenario_file_mismatches
from options.consultation.models import EvaluationAudit
from options.consultation.services import evaluate_assessment
from tests.builders import scenario, scenario_files, threshold_scenario_files

FILES = scenario_files()
IDS = [path.stem for path in FILES]
THRESHOLD_FILES = threshold_scenario_files()


def test_the_shared_scenarios_are_found():
    assert len(FILES) >= 12


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_scenario_through_the_service(published_ruleset, path):
    data = scenario(path)
    result = evaluate_assessment(data=data["assessment"], channel="cli")
    assert scenario_file_mismatches(data, result) == []
    assert result["ruleset"]["version"] == published_ruleset.version
    assert EvaluationAudit.objects.filter(outcome="ok", channel="cli").count() == 1


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_scenario_through_the_evaluate_command(published_ruleset, path, capsys):
    call_command("evaluate", str(path))
    result = json.loads(capsys.readouterr().out)
    assert scenario_file_mismatches(scenario(path), result) == []


@pytest.mark.parametrize("path", THRESHOLD_FILES, ids=[path.stem for path in THRESHOLD_FILES])
def test_threshold_scenario_through_the_service(published_ruleset, path):
    data = scenario(path)
    result = evaluate_assessment(data=data["assessment"], channel="cli")
    assert scenario_file_mismatches(data, result) == []
