"""The per-EHR call counts are http.CallCount now (shared with the REST API): the old table
goes (a minute's counts, nothing more)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cds_hooks", "0009_draft_opened_by"),
        ("http", "0001_call_counts"),
    ]

    operations = [
        migrations.DeleteModel(name="CallCount"),
    ]
