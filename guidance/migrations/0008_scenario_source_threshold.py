"""Scenarios may come from the project's own set either side of each safety threshold.

Choices only: no column changes.
"""

from django.db import migrations, models

SOURCE_CHOICES = [("shared", "Shared clinical scenarios"), ("editor", "Guidance editor"),
                  ("threshold", "Safety threshold bracket")]


class Migration(migrations.Migration):

    dependencies = [("guidance", "0007_rulesets_frozen_outside_drafts")]

    operations = [
        migrations.AlterField(
            model_name=name, name="source",
            field=models.CharField(choices=SOURCE_CHOICES, default="editor", max_length=10))
        for name in ("historicalscenario", "scenario")
    ]
