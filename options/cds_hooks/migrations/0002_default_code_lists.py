"""Load the shipped code lists (data/code_lists.json: the mapping table of
shared/spec/cds-hooks.md). Editors add a hospital's own codes in the admin."""

import json
from pathlib import Path

from django.db import migrations

DEFAULTS = Path(__file__).resolve().parent.parent / "data" / "code_lists.json"


def code_lists_load(apps, schema_editor):
    entry_model = apps.get_model("cds_hooks", "CodeListEntry")
    entries = json.loads(DEFAULTS.read_text(encoding="utf-8"))["entries"]
    for entry in entries:
        entry_model.objects.get_or_create(
            code_list=entry["code_list"], system=entry["system"], code=entry["code"],
            defaults={"value": entry["value"], "display": entry["display"],
                      "evidence": entry["evidence"]})


class Migration(migrations.Migration):

    dependencies = [("cds_hooks", "0001_clients_code_lists_audit_cards_drafts")]

    operations = [migrations.RunPython(code_lists_load, migrations.RunPython.noop)]
