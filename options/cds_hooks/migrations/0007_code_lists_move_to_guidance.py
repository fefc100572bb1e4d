"""The FHIR code lists now live with each ruleset (guidance.CodeListEntry; guidance 0006 copied
these rows into every stored ruleset)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cds_hooks", "0006_editors_edit_code_lists"),
        ("guidance", "0006_copy_documents_and_code_lists_into_each_ruleset"),
    ]

    operations = [migrations.DeleteModel(name="CodeListEntry")]
