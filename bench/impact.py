"""Measure the impact preview over 10,000 stored consultations (`make bench-impact`).

In-process, against a throwaway migrated database (SQLite unless DATABASE_URL is set): the
default ruleset published, the shared scenarios loaded, CONSULTATIONS consultations stored in
bulk (each a shared scenario's assessment with its calcium, age and weight varied, so that
few are identical), and a draft whose hypocalcaemia threshold is 2.30 mmol/L. Times ROUNDS
calls of guidance.scenarios.impact.ruleset_impact (the page's one call), after one to compile both
rulesets, and prints each, their median, the queries one call makes, and what it found.
Target: under 2 s.
"""

import json
import random
import statistics
import time

from bench.django_db import throwaway_database

CONSULTATIONS = 10_000
ROUNDS = 5
TARGET_SECONDS = 2.0


def _assessments(directory):
    """Return the shared scenarios' assessments."""
    return [json.loads(path.read_text())["assessment"] for path in sorted(directory.glob("*.json"))]


def _store(count, bases, ruleset):
    """Store `count` consultations in bulk, with their lesions and prior treatments."""
    from options.consultation.models import Consultation, Lesion, PriorTreatment
    from options.consultation.services import LESION_TEXT, TEXT_FIELDS, _blank_text
    from options.vocab import ASSESSMENT_SCALAR_FIELDS

    chance = random.Random(12)
    rows, children = [], []
    for number in range(count):
        data = dict(chance.choice(bases))
        data["corrected_calcium_mmol_l"] = round(chance.uniform(1.9, 2.7), 2)
        data["age_years"] = chance.randint(40, 90)
        values = {name: data.get(name) for name in ASSESSMENT_SCALAR_FIELDS}
        values.update({name: values[name] or "" for name in TEXT_FIELDS})
        values["patient_ref"] = f"BENCH-{number}"
        rows.append(Consultation(result={}, ruleset=ruleset, ruleset_version=ruleset.version,
                                 lesions_recorded="lesions" in data,
                                 prior_treatments_recorded="prior_treatments" in data,
                                 **values))
        children.append(data)
    Consultation.objects.bulk_create(rows, batch_size=1000)
    Lesion.objects.bulk_create(
        (Lesion(consultation=row, position=i, **_blank_text(lesion, LESION_TEXT))
         for row, data in zip(rows, children, strict=True)
         for i, lesion in enumerate(data.get("lesions") or [])), batch_size=2000)
    PriorTreatment.objects.bulk_create(
        (PriorTreatment(consultation=row, position=i, **prior)
         for row, data in zip(rows, children, strict=True)
         for i, prior in enumerate(data.get("prior_treatments") or [])), batch_size=2000)


def _draft(published):
    from guidance.services import rule_save, ruleset_create_draft

    draft = ruleset_create_draft(source=published, by=None)
    rule = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    rule.condition = {"fact": "corrected_calcium_mmol_l", "lt": 2.3}
    rule_save(rule=rule, by=None)
    return draft


def _measure(draft, published):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guidance.scenarios.impact import ruleset_impact

    ruleset_impact(draft=draft, published=published)  # compile both rulesets once
    times = []
    for _ in range(ROUNDS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            impact = ruleset_impact(draft=draft, published=published)
            times.append(time.perf_counter() - start)
    return impact, times, len(queries)


def _report(impact, times, queries):
    median = statistics.median(times)
    print(f"Impact preview over {impact.consultations_checked:,} stored consultations and "
          f"{impact.scenarios_checked} scenarios ({connection_vendor()}):")
    print("  rounds: " + ", ".join(f"{t:.2f} s" for t in times))
    print(f"  median {median:.2f} s, {queries} queries per call; target under "
          f"{TARGET_SECONDS:.0f} s: {'met' if median < TARGET_SECONDS else 'NOT met'}")
    hold = impact.by_option["bisphosphonate"]["hold"]
    status = impact.by_option["denosumab"]["status"]
    print(f"  found: bisphosphonate hold changes {hold.total}, denosumab status changes "
          f"{status.total}, {len(impact.consultations)} consultations changed")


def connection_vendor():
    from django.db import connection

    return connection.vendor


def main():
    with throwaway_database():
        from django.conf import settings

        from guidance.services import (
            default_ruleset_data,
            ruleset_import,
            scenarios_load_shared,
        )

        scenarios_load_shared()
        published = ruleset_import(data=default_ruleset_data(), publish_if_none=True)
        _store(CONSULTATIONS, _assessments(settings.BONECARE_SCENARIOS_DIR), published)
        _report(*_measure(_draft(published), published))


if __name__ == "__main__":
    main()
