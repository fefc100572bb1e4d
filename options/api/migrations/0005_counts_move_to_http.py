"""The per-client throttle counts are http.CallCount now (shared with CDS Hooks): the old
table goes (a minute's counts, nothing more). The anonymous counts became
http.AnonymousCallCount in name only: their table stays as it is."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0004_throttle_counts_unlogged"),
        ("http", "0001_call_counts"),
    ]

    operations = [
        migrations.DeleteModel(name="ThrottleCount"),
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name="AnonymousCallCount"),
        ]),
    ]
