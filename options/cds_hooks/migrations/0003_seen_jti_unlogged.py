"""Keep the seen-jti table out of PostgreSQL's write-ahead log.

Every call records its JWT id, and a commit that touched only an unlogged table waits for no
disk flush. A crash empties the table: a token seen before the crash could be replayed until
it expires (CDS Hooks tokens live minutes). Nothing to do on SQLite.
"""

from django.db import migrations


def _alter(state):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            table = schema_editor.quote_name(apps.get_model("cds_hooks", "SeenJti")._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} SET {state}")
    return run


class Migration(migrations.Migration):

    dependencies = [("cds_hooks", "0002_default_code_lists")]

    operations = [migrations.RunPython(_alter("UNLOGGED"), _alter("LOGGED"))]
