import pytest

from guidance.services import default_ruleset_data
from options.rules import Assessment, CompiledRuleSet, Rule, evaluate
from options.validation import validate_assessment


@pytest.fixture(scope="session")
def default_rules():
    """The shipped default ruleset, compiled straight from its data file (no database)."""
    data = default_ruleset_data()
    return CompiledRuleSet([Rule(**r) for r in data["rules"]], version=data["version"])


@pytest.fixture(scope="session")
def run(default_rules):
    """Validate a contract dict and evaluate it; return the result dict."""

    def run_(data):
        return evaluate(Assessment.from_contract(validate_assessment(data)), default_rules)

    return run_


def option(result, name):
    return next(o for o in result["options"] if o["option"] == name)
