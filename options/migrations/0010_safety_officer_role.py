"""Create the Clinical safety officer group with its permissions (options.identity.roles)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from options.identity.roles import ROLES, roles_sync


def role_create(apps, schema_editor):
    alias = schema_editor.connection.alias
    create_permissions(global_apps.get_app_config("guidance"), verbosity=0, using=alias,
                       apps=apps)
    roles_sync(group_model=apps.get_model("auth", "Group"),
               permission_model=apps.get_model("auth", "Permission"), keys=["safety_officer"],
               apps=["options", "guidance"])


def role_remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ROLES["safety_officer"].group).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("options", "0009_consultation_citations_decision_rules"),
        ("guidance", "0003_governance_reviews_publications_expectations"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(role_create, role_remove)]
