"""Give each role exactly its permissions of today (options.identity.roles): the guidance editor's
code-list permissions are now on guidance.CodeListEntry, versioned with each ruleset."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from options.identity.roles import roles_sync


def roles_resync(apps, schema_editor):
    for label in ("options", "guidance", "cds_hooks"):
        create_permissions(global_apps.get_app_config(label), verbosity=0,
                           using=schema_editor.connection.alias, apps=apps)
    roles_sync(group_model=apps.get_model("auth", "Group"),
               permission_model=apps.get_model("auth", "Permission"),
               apps=["options", "guidance", "cds_hooks"])


class Migration(migrations.Migration):

    dependencies = [
        ("options", "0010_safety_officer_role"),
        ("guidance", "0007_rulesets_frozen_outside_drafts"),
        ("cds_hooks", "0007_code_lists_move_to_guidance"),
    ]

    operations = [migrations.RunPython(roles_resync, migrations.RunPython.noop)]
