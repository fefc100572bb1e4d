"""Print the advice for one assessment file as JSON, from the published ruleset."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from options.consultation.services import AssessmentInvalid, NoPublishedRuleSet, evaluate_assessment
from options.json_input import JSONTooDeep, json_loads


class Command(BaseCommand):
    help = (
        "Evaluate an assessment (or a scenario file, using its 'assessment' key) read from "
        "FILE, or '-' for standard input, and print the result JSON. Exit 2 on invalid input."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to a JSON file, or - for standard input")

    def handle(self, *args, **options):
        data = _read(options["file"])
        if isinstance(data, dict) and "assessment" in data and "cancer_type" not in data:
            data = data["assessment"]
        try:
            result = evaluate_assessment(data=data, channel="cli")
        except AssessmentInvalid as error:
            for item in error.errors:
                self.stderr.write(f"{item['path'] or '(assessment)'}: {item['message']}")
            raise CommandError("invalid assessment", returncode=2) from error
        except NoPublishedRuleSet as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(result, indent=2))


def _read(name):
    try:
        text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()
    except OSError as error:
        raise CommandError(f"{name}: {error.strerror}", returncode=2) from error
    try:
        return json_loads(text)
    except JSONTooDeep as error:
        raise CommandError(f"{name}: {error}", returncode=2) from error
    except json.JSONDecodeError as error:
        raise CommandError(f"{name}: not valid JSON (line {error.lineno}, column "
                           f"{error.colno}): {error.msg}", returncode=2) from error
