"""Guidance editors add, change and view the FHIR code lists (options.identity.roles.EDITOR)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from options.identity.roles import roles_sync


def editors_grant(apps, schema_editor):
    create_permissions(global_apps.get_app_config("cds_hooks"), verbosity=0,
                       using=schema_editor.connection.alias, apps=apps)
    roles_sync(group_model=apps.get_model("auth", "Group"),
               permission_model=apps.get_model("auth", "Permission"), keys=["editor"],
               apps=["options", "guidance", "cds_hooks"])


def editors_revoke(apps, schema_editor):
    roles_sync(group_model=apps.get_model("auth", "Group"),
               permission_model=apps.get_model("auth", "Permission"), keys=["editor"],
               apps=["options", "guidance"])


class Migration(migrations.Migration):

    dependencies = [
        ("cds_hooks", "0005_client_fhir_server"),
        ("options", "0010_safety_officer_role"),
    ]

    operations = [migrations.RunPython(editors_grant, editors_revoke)]
