"""Load the shipped code lists (data/code_lists.json: the mapping table of
shared/spec/cds-hooks.md). Editors add a hospital's own codes in the admin."""

from django.db import migrations

from options.cds_hooks.codes_data import code_lists_install


def code_lists_load(apps, schema_editor):
    code_lists_install(entry_model=apps.get_model("cds_hooks", "CodeListEntry"))


class Migration(migrations.Migration):

    dependencies = [("cds_hooks", "0001_clients_code_lists_audit_cards_drafts")]

    operations = [migrations.RunPython(code_lists_load, migrations.RunPython.noop)]
