"""Every guidance document belongs to a ruleset; and, on PostgreSQL, the database itself keeps
what has left the draft state from changing.

guidance.guards refuses the same writes at the model level on every database; these triggers
also refuse an UPDATE or DELETE that skips the models (a shell, raw SQL, a future bulk
update). A ruleset's state moves only along the governance path (a first publication only
while nothing was ever published), and a ruleset that is not a draft keeps its version, title,
notes, lineage and, once stamped, its content digest; its rules, documents, code lists and
expectations are neither added, changed nor removed.
"""

import django.db.models.deletion
from django.db import migrations, models

CONTENT_TABLES = ("guidance_rule", "guidance_guidancedocument", "guidance_codelistentry",
                  "guidance_expectation", "guidance_expectationchange")

RULESET_FUNCTION = """
CREATE OR REPLACE FUNCTION guidance_ruleset_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state <> 'draft' THEN
            RAISE EXCEPTION 'ruleset % is %: only a draft can be removed', OLD.version,
                OLD.state USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.state <> OLD.state AND NOT (
            (OLD.state, NEW.state) IN (('draft', 'in_review'), ('in_review', 'draft'),
                                       ('in_review', 'approved'), ('approved', 'published'),
                                       ('published', 'retired'), ('retired', 'published'))
            OR (OLD.state = 'draft' AND NEW.state = 'published'
                AND NOT EXISTS (SELECT 1 FROM guidance_publication))) THEN
        RAISE EXCEPTION 'ruleset % cannot go from % to %', OLD.version, OLD.state, NEW.state
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.state <> 'draft' AND (NEW.version, NEW.title, NEW.notes, NEW.based_on_id,
                                 NEW.created_by_id, NEW.lock_version)
            IS DISTINCT FROM (OLD.version, OLD.title, OLD.notes, OLD.based_on_id,
                              OLD.created_by_id, OLD.lock_version) THEN
        RAISE EXCEPTION 'ruleset % is % and never changes', OLD.version, OLD.state
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.content_digest <> '' AND NEW.content_digest IS DISTINCT FROM OLD.content_digest THEN
        RAISE EXCEPTION 'ruleset % keeps the content digest it was published with',
            OLD.version USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER guidance_ruleset_frozen BEFORE UPDATE OR DELETE ON guidance_ruleset
    FOR EACH ROW EXECUTE FUNCTION guidance_ruleset_frozen();
"""

CONTENT_FUNCTION = """
CREATE OR REPLACE FUNCTION guidance_content_frozen() RETURNS trigger AS $$
DECLARE
    held varchar;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT state INTO held FROM guidance_ruleset WHERE id = OLD.ruleset_id;
        IF held IS NOT NULL AND held <> 'draft' THEN
            RAISE EXCEPTION '%: ruleset % is %, not a draft', TG_TABLE_NAME, OLD.ruleset_id,
                held USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT state INTO held FROM guidance_ruleset WHERE id = NEW.ruleset_id;
        IF held IS NOT NULL AND held <> 'draft' THEN
            RAISE EXCEPTION '%: ruleset % is %, not a draft', TG_TABLE_NAME, NEW.ruleset_id,
                held USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


def _postgresql(schema_editor):
    return schema_editor.connection.vendor == "postgresql"


def triggers_create(apps, schema_editor):
    if not _postgresql(schema_editor):
        return  # guidance.guards holds the line at the model level
    schema_editor.execute(RULESET_FUNCTION, params=None)
    schema_editor.execute(CONTENT_FUNCTION, params=None)
    for table in CONTENT_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION guidance_content_frozen()")


def triggers_drop(apps, schema_editor):
    if not _postgresql(schema_editor):
        return
    for table in CONTENT_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
    schema_editor.execute("DROP TRIGGER IF EXISTS guidance_ruleset_frozen ON guidance_ruleset")
    schema_editor.execute("DROP FUNCTION IF EXISTS guidance_content_frozen()")
    schema_editor.execute("DROP FUNCTION IF EXISTS guidance_ruleset_frozen()")


class Migration(migrations.Migration):

    dependencies = [("guidance", "0006_copy_documents_and_code_lists_into_each_ruleset")]

    operations = [
        migrations.AlterField(
            model_name="guidancedocument",
            name="ruleset",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                    related_name="documents", to="guidance.ruleset"),
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
