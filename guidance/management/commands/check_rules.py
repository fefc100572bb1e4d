"""Validate every stored rule with the engine's parser; exit 1 if any is invalid."""

from django.core.management.base import BaseCommand, CommandError

from guidance.models import RuleSet
from guidance.selectors import define_names, engine_rule_from_row, ruleset_compile
from options.rules import Parser, RuleError, compile_rule


def ruleset_errors(ruleset):
    """Return one message per rule the engine cannot run, then any whole-set error."""
    parser = Parser(derived=define_names(ruleset))
    errors = []
    for row in ruleset.rules.select_related("guidance"):
        try:
            compile_rule(engine_rule_from_row(row), parser)
        except RuleError as error:
            errors.append(str(error))
    if not errors:
        try:
            ruleset_compile(ruleset)
        except RuleError as error:
            errors.append(str(error))
    return errors


class Command(BaseCommand):
    help = "Compile every stored ruleset and report each rule the engine cannot run."

    def handle(self, *args, **options):
        failures = 0
        for ruleset in RuleSet.objects.order_by("created_at"):
            errors = ruleset_errors(ruleset)
            for message in errors:
                self.stderr.write(f"{ruleset.version} ({ruleset.state}): {message}")
            failures += len(errors)
            if not errors:
                self.stdout.write(
                    f"{ruleset.version} ({ruleset.state}): {ruleset.rules.count()} rules OK.")
        if failures:
            raise CommandError(f"{failures} invalid rule(s)")
