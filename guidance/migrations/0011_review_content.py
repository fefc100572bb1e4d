"""Each submission keeps what was submitted (guidance.content's canonical content), so that
the reviewer of the next submission sees what changed since. Submissions made before this keep
none (null): the review page says so. No trigger guards review rows (0007 and 0010 freeze
rulesets and what they hold), so nothing there changes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('guidance', '0010_withdraw_and_discard'),
    ]

    operations = [
        migrations.AddField(
            model_name='review',
            name='content',
            field=models.JSONField(blank=True, help_text="What was submitted, as guidance.content's canonical content (its digest is content_digest): the next submission is compared with it. Empty for a submission made before it was kept.", null=True),
        ),
    ]
