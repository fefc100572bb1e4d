"""Give each stored ruleset its own copy of today's guidance documents (its rules cite its own
copies) and of today's FHIR code lists (until now in cds_hooks.CodeListEntry, removed by
cds_hooks 0007): the nearest record there is of what each ruleset was used with.
"""

from django.db import migrations

DOCUMENT_FIELDS = ("code", "title", "url", "publisher", "published", "last_reviewed",
                   "next_review_due", "evidence_note", "replaced_by", "version")
CODE_FIELDS = ("code_list", "system", "code", "value", "display", "evidence", "active")


def into_each_ruleset(apps, schema_editor):
    document_model = apps.get_model("guidance", "GuidanceDocument")
    rule_model = apps.get_model("guidance", "Rule")
    entry_model = apps.get_model("guidance", "CodeListEntry")
    shared = list(document_model.objects.filter(ruleset__isnull=True))
    codes = list(apps.get_model("cds_hooks", "CodeListEntry").objects.values(*CODE_FIELDS))
    for ruleset in apps.get_model("guidance", "RuleSet").objects.all():
        for document in shared:
            copy = document_model.objects.create(
                ruleset=ruleset, **{name: getattr(document, name) for name in DOCUMENT_FIELDS})
            rule_model.objects.filter(ruleset=ruleset, guidance_id=document.pk).update(
                guidance_id=copy.pk)
        entry_model.objects.bulk_create(entry_model(ruleset=ruleset, **row) for row in codes)
    document_model.objects.filter(ruleset__isnull=True).delete()


def back_to_shared(apps, schema_editor):
    raise RuntimeError("Documents and code lists are versioned with each ruleset from here "
                       "on; restore a backup to go back.")


class Migration(migrations.Migration):

    dependencies = [
        ("guidance", "0005_documents_and_code_lists_in_each_ruleset"),
        ("cds_hooks", "0006_editors_edit_code_lists"),
    ]

    operations = [migrations.RunPython(into_each_ruleset, back_to_shared)]
