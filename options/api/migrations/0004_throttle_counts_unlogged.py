"""Keep the per-client throttle counts out of PostgreSQL's write-ahead log.

Every authenticated call updates its client's count, and a commit that wrote to the log
waits for the disk; a commit that touched only an unlogged table does not. A crash empties
the table, which only restarts the current minute's counts. The anonymous counts stay
logged: they are the week's record of refused calls. Nothing to do on SQLite.
"""

from django.db import migrations


def _alter(state):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            table = schema_editor.quote_name(apps.get_model("api", "ThrottleCount")._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} SET {state}")
    return run


class Migration(migrations.Migration):

    dependencies = [("api", "0003_anonymous_call_counts")]

    operations = [migrations.RunPython(_alter("UNLOGGED"), _alter("LOGGED"))]
