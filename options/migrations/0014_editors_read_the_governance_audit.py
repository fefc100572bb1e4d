"""Guidance editors read the governance audit, as the safety officer does; nobody writes it
(options.identity.roles; its admin is read-only for everyone)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from options.identity.roles import EDITOR, roles_sync

AUDIT = ("guidance", "view_governanceevent")


def _permissions_create(apps, schema_editor):
    create_permissions(global_apps.get_app_config("guidance"), verbosity=0,
                       using=schema_editor.connection.alias, apps=apps)


def roles_resync(apps, schema_editor):
    _permissions_create(apps, schema_editor)
    roles_sync(group_model=apps.get_model("auth", "Group"),
               permission_model=apps.get_model("auth", "Permission"), keys=[EDITOR.key],
               apps=["options", "guidance"])


def audit_unread(apps, schema_editor):
    """The way back: the editor's group without the audit's view permission."""
    group = apps.get_model("auth", "Group").objects.filter(name=EDITOR.group).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(
            content_type__app_label=AUDIT[0], codename=AUDIT[1]))


class Migration(migrations.Migration):

    dependencies = [
        ("options", "0013_patient_descriptions_promise_no_more"),
        ("guidance", "0003_governance_reviews_publications_expectations"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(roles_resync, audit_unread)]
