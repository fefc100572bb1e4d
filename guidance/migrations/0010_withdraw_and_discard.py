"""A draft may be discarded (kept, read-only, never submitted or published), and an author may
withdraw a submitted draft (its review is marked withdrawn).

On PostgreSQL the ruleset trigger of 0007 is replaced by one that also allows a draft to
become discarded; a discarded ruleset, not being a draft, is frozen by the rest of it as
before (its content, its version and title, and it is never deleted). Withdrawing is the
in_review -> draft move that returning already uses.
"""

from django.db import migrations, models

STATES = [("draft", "Draft"), ("in_review", "Submitted for review"), ("approved", "Approved"),
          ("published", "Published"), ("retired", "Retired"), ("discarded", "Discarded")]

FUNCTION = """
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
                                       ('published', 'retired'), ('retired', 'published')
                                       ADDED)
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
"""


def _function(added):
    """Return the function's text with `added` transitions (0007's when empty)."""
    return FUNCTION.replace("ADDED", added)


def discard_allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function(", ('draft', 'discarded')"), params=None)


def discard_refuse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function(""), params=None)


class Migration(migrations.Migration):

    dependencies = [("guidance", "0009_rule_bonecare_default")]

    operations = [
        migrations.AlterField(
            model_name="historicalruleset", name="state",
            field=models.CharField(choices=STATES, default="draft", max_length=10)),
        migrations.AlterField(
            model_name="ruleset", name="state",
            field=models.CharField(choices=STATES, default="draft", max_length=10)),
        migrations.AlterField(
            model_name="review", name="outcome",
            field=models.CharField(choices=[
                ("pending", "Waiting for review"), ("approved", "Approved"),
                ("returned", "Returned to the author"), ("withdrawn", "Withdrawn by the author")],
                default="pending", max_length=10)),
        migrations.RunPython(discard_allow, discard_refuse),
    ]
