"""Once loaded the shipped code lists into cds_hooks.CodeListEntry.

The code lists are now versioned with each ruleset (guidance.CodeListEntry, migration
guidance 0005, which copies any rows this table holds): a new installation gets them from
guidance/data/code_lists.json when its first ruleset is imported, so nothing is loaded here.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("cds_hooks", "0001_clients_code_lists_audit_cards_drafts")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
