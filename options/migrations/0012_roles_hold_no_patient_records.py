"""No role holds a permission on a patient record; the safety officer reads the governance
audit and writes nothing (options.identity.roles)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from options.identity.roles import ROLES, roles_sync

CHANGED = ("clinician", "safety_officer")
# What the two roles held before, for the way back.
BEFORE = {
    "clinician": ("options.add_consultation", "options.view_consultation"),
    "safety_officer": ("guidance.view_guidancedocument", "guidance.view_ruleset",
                       "guidance.view_rule", "guidance.view_scenario",
                       "guidance.review_ruleset"),
}


def _permissions_create(apps, schema_editor):
    for label in ("options", "guidance"):
        create_permissions(global_apps.get_app_config(label), verbosity=0,
                           using=schema_editor.connection.alias, apps=apps)


def roles_resync(apps, schema_editor):
    _permissions_create(apps, schema_editor)
    roles_sync(group_model=apps.get_model("auth", "Group"),
               permission_model=apps.get_model("auth", "Permission"), keys=CHANGED,
               apps=["options", "guidance"])


def roles_restore(apps, schema_editor):
    _permissions_create(apps, schema_editor)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for key, names in BEFORE.items():
        group, _ = group_model.objects.get_or_create(name=ROLES[key].group)
        pairs = [name.split(".", 1) for name in names]
        group.permissions.set([
            permission_model.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in pairs])


class Migration(migrations.Migration):

    dependencies = [
        ("options", "0011_roles_for_versioned_code_lists"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(roles_resync, roles_restore)]
