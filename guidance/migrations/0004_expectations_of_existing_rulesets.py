"""Give each stored ruleset the scenario expectations of today, and the live one its record.

Before this, expectations lived on the scenarios alone: today's are the nearest record of
what each stored ruleset was tested against.
"""

from django.db import migrations

FIELDS = ("title", "assessment", "expected", "expected_hold", "expected_alerts",
          "expected_scores", "expected_missing", "expected_derived")


def snapshot(apps, schema_editor):
    ruleset_model = apps.get_model("guidance", "RuleSet")
    expectation_model = apps.get_model("guidance", "Expectation")
    scenarios = list(apps.get_model("guidance", "Scenario").objects.all())
    for ruleset in ruleset_model.objects.all():
        expectation_model.objects.bulk_create(
            expectation_model(ruleset=ruleset, code=s.code, note=s.expectation_note,
                              **{name: getattr(s, name) for name in FIELDS})
            for s in scenarios)
    published = ruleset_model.objects.filter(state="published").first()
    if published is not None:
        apps.get_model("guidance", "Publication").objects.create(
            ruleset=published, kind="initial", published_by=published.published_by,
            author=published.created_by,
            reasons="Published before two-person review was required.")


def unsnapshot(apps, schema_editor):
    apps.get_model("guidance", "Expectation").objects.all().delete()
    apps.get_model("guidance", "Publication").objects.filter(kind="initial").delete()


class Migration(migrations.Migration):

    dependencies = [("guidance", "0003_governance_reviews_publications_expectations")]

    operations = [migrations.RunPython(snapshot, unsnapshot)]
