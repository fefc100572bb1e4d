"""Load the default guidance, ruleset and shared scenarios; safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from guidance.models import RuleSet
from guidance.services import (
    GuidanceImportError,
    default_ruleset_data,
    ruleset_import,
    scenarios_load_shared,
    shared_scenarios_dir,
)


class Command(BaseCommand):
    help = (
        "Load the shipped NICE guidance documents and default ruleset (published if none is), "
        "and the shared clinical scenarios. Never overwrites a stored ruleset."
    )

    def handle(self, *args, **options):
        # Scenarios first: the first ruleset published keeps a snapshot of their expectations.
        directory = shared_scenarios_dir()
        if directory.is_dir():
            created = scenarios_load_shared(directory=directory)
            self.stdout.write(f"Scenarios: {created} new from {directory}.")
        else:
            self.stdout.write(f"No shared scenarios at {directory}; none loaded.")
        data = default_ruleset_data()
        version = data["version"]
        if RuleSet.objects.filter(version=version).exists():
            self.stdout.write(f"Ruleset {version} already stored; left as it is.")
            return
        try:
            ruleset = ruleset_import(data=data, publish_if_none=True)
        except GuidanceImportError as error:
            raise CommandError(f"default ruleset not loaded: {error}") from error
        self.stdout.write(f"Loaded ruleset {version} ({ruleset.rules.count()} rules), "
                          f"{ruleset.state}.")
