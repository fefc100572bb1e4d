"""Remind the clinical safety officers of each emergency rollback awaiting follow-up.

Run daily (cron or a systemd timer, docs/operations.md): each flagged rollback is reminded
of at most once a day, however often this runs, until a safety officer follows it up.
"""

from django.core.management.base import BaseCommand

from guidance.notifications import rollbacks_remind


class Command(BaseCommand):
    help = "E-mail the safety officers, once a day, each rollback still awaiting follow-up."

    def handle(self, *args, **options):
        reminded = rollbacks_remind()
        for publication in reminded:
            self.stdout.write(f"Reminded: rollback to {publication.ruleset.version}")
        self.stdout.write(f"{len(reminded)} reminder(s) sent.")
