"""The doors' shared call counts: one CallCount table for both doors' clients (it replaces
api.ThrottleCount and cds_hooks.CallCount, whose shapes were one), and the anonymous counts
moved here from the REST API in name only (the table and its week of rows stay)."""

from django.db import migrations, models


def _unlogged(apps, schema_editor):
    # Every authenticated call updates its client's count, and a commit that touched only an
    # unlogged table waits for no disk flush. A crash empties the table, which only restarts
    # the current window's counts. The anonymous counts stay logged: they are the week's
    # record of refused calls.
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("http", "CallCount")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET UNLOGGED")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("api", "0004_throttle_counts_unlogged"),
    ]

    operations = [
        migrations.CreateModel(
            name="CallCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("door", models.CharField(help_text='"api" or "cds_hooks".', max_length=20)),
                ("caller", models.BigIntegerField(help_text="The client's id in its door.")),
                ("period", models.PositiveIntegerField(help_text="Window length in seconds.")),
                ("window_index", models.BigIntegerField(
                    help_text="Seconds since the epoch // period.")),
                ("calls", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(
                    fields=("door", "caller", "period", "window_index"),
                    name="unique_call_window")],
            },
        ),
        migrations.RunPython(_unlogged, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="AnonymousCallCount",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                               serialize=False, verbose_name="ID")),
                    ("address", models.CharField(
                        help_text="The caller's address, as axes sees it.", max_length=64)),
                    ("period", models.PositiveIntegerField(
                        help_text="Window length in seconds.")),
                    ("window_index", models.BigIntegerField(
                        help_text="Seconds since the epoch // period.")),
                    ("calls", models.PositiveIntegerField(default=0)),
                ],
                options={
                    "verbose_name": "anonymous API calls",
                    "verbose_name_plural": "anonymous API calls",
                    "db_table": "api_anonymouscallcount",
                    "indexes": [models.Index(fields=["window_index"],
                                             name="anonymous_window_idx")],
                    "constraints": [models.UniqueConstraint(
                        fields=("address", "period", "window_index"),
                        name="unique_anonymous_window")],
                },
            ),
        ]),
    ]
