"""Create the Clinician and Guidance editor groups with their permissions (options.identity.roles)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from options.identity.roles import ROLES, roles_sync

# Permissions are normally created by post_migrate, after every migration has run; create the
# ones the roles name now, from the historical models, so that the groups can hold them.
ROLE_APPS = ("options", "guidance")
ROLES_THEN = ("clinician", "editor")


def roles_create(apps, schema_editor):
    alias = schema_editor.connection.alias
    for label in ROLE_APPS:
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=alias,
                           apps=apps)
    # Only the roles that existed then: later roles name permissions later migrations create.
    roles_sync(group_model=apps.get_model("auth", "Group"),
               permission_model=apps.get_model("auth", "Permission"), keys=ROLES_THEN,
               apps=ROLE_APPS)


def roles_remove(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    group_model.objects.filter(name__in=[ROLES[key].group for key in ROLES_THEN]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("options", "0006_other_haematological_label"),
        ("guidance", "0002_temporary_stops_editor_notes_replaced_documents_scenario_expectations"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(roles_create, roles_remove)]
