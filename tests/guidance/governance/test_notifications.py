"""Governance people are told by e-mail of each step that waits on them, after it commits.

Judged by what lands in the outbox (pytest-django's locmem backend): who receives it, what it
says, that it names no patient, and that a step rolled back or refused sends nothing while a
mail server that fails undoes nothing.
"""

import io
import json
import os
import smtplib
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction

from guidance.governance import (
    GovernanceRefused,
    publication_follow_up,
    ruleset_approve,
    ruleset_publish,
    ruleset_return,
    ruleset_rollback,
    ruleset_submit,
)
from guidance.models import GovernanceEvent, RuleSet
from options.consultation.services import consultation_create
from options.identity.roles import EDITOR, SAFETY_OFFICER
from tests.builders import assessment
from tests.conftest import user_in_role
from tests.guidance_builders import approved, hypocalcaemia_draft, publish_reviewed

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[3]
SUMMARY = "Hypocalcaemia below 2.10 mmol/L, as the local laboratory"
NHS_NUMBER = "9434765919"


@pytest.fixture
def people(guidance_editor, safety_officer, django_user_model):
    """The editor and the officer with addresses; a second officer; an officer without an
    address; one who has left (inactive); a second editor."""
    guidance_editor.email, guidance_editor.first_name = "editor@example.nhs.uk", "Edith"
    guidance_editor.last_name = "Jones"
    guidance_editor.save()
    safety_officer.email = "cso@example.nhs.uk"
    safety_officer.save()
    second = user_in_role(django_user_model, username="cso_second", role=SAFETY_OFFICER)
    second.email = "cso2@example.nhs.uk"
    second.save()
    user_in_role(django_user_model, username="cso_no_address", role=SAFETY_OFFICER)
    gone = user_in_role(django_user_model, username="cso_gone", role=SAFETY_OFFICER)
    gone.email, gone.is_active = "gone@example.nhs.uk", False
    gone.save()
    other_editor = user_in_role(django_user_model, username="editor_other", role=EDITOR)
    other_editor.email = "editor2@example.nhs.uk"
    other_editor.save()
    return {"editor": guidance_editor, "officer": safety_officer, "second": second,
            "other_editor": other_editor}


@pytest.fixture
def draft(published_ruleset, people):
    return hypocalcaemia_draft(published_ruleset, people["editor"])


def sent_to():
    """The recipients of the outbox, one set (each message goes to one person alone)."""
    assert all(len(message.to) == 1 and not message.cc and not message.bcc
               for message in mail.outbox)
    return sorted(message.to[0] for message in mail.outbox)


OFFICERS = ["cso2@example.nhs.uk", "cso@example.nhs.uk"]


def test_a_submission_tells_every_active_safety_officer_with_an_address(
        draft, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ruleset_submit(ruleset=draft, by=people["editor"], summary=SUMMARY)
    assert sent_to() == OFFICERS
    message = mail.outbox[0]
    assert message.subject == f"BoneCare ruleset {draft.version} was submitted for review"
    assert f"Ruleset {draft.version} (" in message.body
    assert "By: Edith Jones" in message.body
    assert f"  {SUMMARY}" in message.body
    assert (f"http://127.0.0.1:8000/admin/guidance/ruleset/{draft.pk}/change/"
            in message.body)
    assert message.from_email == "bonecare@localhost"


@pytest.mark.parametrize("step", ["return", "approve"])
def test_an_answer_tells_the_author_alone(draft, people, step,
                                          django_capture_on_commit_callbacks):
    ruleset_submit(ruleset=draft, by=people["editor"], summary=SUMMARY)
    service = ruleset_return if step == "return" else ruleset_approve
    with django_capture_on_commit_callbacks(execute=True):
        service(ruleset=draft, by=people["officer"], comment="Check TH-CALCIUM-2.05 first")
    assert sent_to() == ["editor@example.nhs.uk"]
    body = mail.outbox[0].body
    word = "was returned to its author" if step == "return" else "was approved"
    assert word in mail.outbox[0].subject and f"By: {people['officer'].username}" in body
    assert "Check TH-CALCIUM-2.05 first" in body


def test_a_publication_tells_the_author_and_the_safety_officers(
        draft, people, django_capture_on_commit_callbacks):
    approved(draft, author=people["editor"], reviewer=people["officer"], summary=SUMMARY)
    with django_capture_on_commit_callbacks(execute=True):
        ruleset_publish(ruleset=draft, by=people["second"])
    assert sent_to() == sorted(["editor@example.nhs.uk", *OFFICERS])
    body = mail.outbox[0].body
    assert "was published" in body and "By: cso_second" in body and SUMMARY in body


def test_a_rollback_tells_both_authors_and_the_safety_officers_with_the_reason(
        published_ruleset, people, django_capture_on_commit_callbacks):
    # The other editor wrote the change the rollback takes off.
    lowered = hypocalcaemia_draft(published_ruleset, people["other_editor"])
    publish_reviewed(lowered, author=people["other_editor"], reviewer=people["officer"])
    retired = RuleSet.objects.get(pk=published_ruleset.pk)
    with django_capture_on_commit_callbacks(execute=True):
        ruleset_rollback(ruleset=retired, by=people["editor"], reason="Calcium card lost")
    assert sent_to() == sorted(["editor2@example.nhs.uk", *OFFICERS])
    body = mail.outbox[0].body
    assert "emergency rollback" in body and "Calcium card lost" in body
    assert retired.version in mail.outbox[0].subject


def test_no_message_names_a_patient(draft, people, published_ruleset, clinician,
                                    django_capture_on_commit_callbacks):
    consultation_create(data=assessment("breast", patient_ref=NHS_NUMBER), channel="form",
                        by=clinician)
    with django_capture_on_commit_callbacks(execute=True):
        publish_reviewed(draft, author=people["editor"], reviewer=people["officer"])
        ruleset_rollback(ruleset=RuleSet.objects.get(pk=published_ruleset.pk),
                         by=people["editor"], reason="Back")
    assert len(mail.outbox) > 5
    for message in mail.outbox:
        assert NHS_NUMBER not in message.subject + message.body
        assert "patient_ref" not in message.body and not message.attachments


def test_a_step_rolled_back_sends_nothing(draft, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            ruleset_submit(ruleset=draft, by=people["editor"], summary=SUMMARY)
            raise RuntimeError("the caller's transaction fails after the step")
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.DRAFT
    assert mail.outbox == []


def test_a_refused_step_sends_nothing(draft, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(GovernanceRefused):
        ruleset_submit(ruleset=draft, by=people["officer"], summary=SUMMARY)
    assert mail.outbox == []


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient, naming them in its error."""

    def send_messages(self, email_messages):
        addresses = [a for m in email_messages for a in m.to]
        raise smtplib.SMTPRecipientsRefused({a: (550, b"no such user") for a in addresses})


def test_a_failing_mail_server_neither_undoes_nor_blocks_the_step(
        draft, people, settings, caplog, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        ruleset_submit(ruleset=draft, by=people["editor"], summary=SUMMARY)
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.IN_REVIEW
    assert GovernanceEvent.objects.filter(action="submit", outcome="ok").exists()
    (record,) = [r for r in caplog.records if r.name == "guidance.notifications"]
    assert record.getMessage() == (f"governance e-mail not sent: submit of ruleset "
                                   f"{draft.version} (SMTPRecipientsRefused)")
    assert "@" not in caplog.text


def test_the_link_uses_the_configured_address(draft, people, settings,
                                              django_capture_on_commit_callbacks):
    settings.BONECARE_BASE_URL = "https://bonecare.example.nhs.uk"
    with django_capture_on_commit_callbacks(execute=True):
        ruleset_submit(ruleset=draft, by=people["editor"], summary=SUMMARY)
    assert (f"https://bonecare.example.nhs.uk/admin/guidance/ruleset/{draft.pk}/change/"
            in mail.outbox[0].body)


@pytest.fixture
def rolled_back(published_ruleset, draft, people):
    """2026.3 put back in use by the editor after 2026.4 went live: awaiting follow-up."""
    publish_reviewed(draft, author=people["editor"], reviewer=people["officer"])
    return ruleset_rollback(ruleset=RuleSet.objects.get(pk=published_ruleset.pk),
                            by=people["editor"], reason="Calcium card lost")


def remind():
    mail.outbox.clear()
    call_command("send_governance_reminders", stdout=io.StringIO())
    return sent_to()


def test_a_rollback_awaiting_follow_up_is_reminded_daily_until_done(rolled_back, people):
    assert remind() == OFFICERS
    body = mail.outbox[0].body
    assert "still awaiting follow-up" in body and "Calcium card lost" in body
    assert f"/admin/guidance/ruleset/{rolled_back.ruleset.pk}/change/" in body
    assert remind() == []  # the same day, however often it runs
    GovernanceEvent.objects.filter(action="remind").update(
        at=GovernanceEvent.objects.get(action="remind").at - timedelta(days=1))
    assert remind() == OFFICERS  # the next day
    publication_follow_up(publication=rolled_back, by=people["second"], comment="Checked")
    GovernanceEvent.objects.filter(action="remind").update(
        at=GovernanceEvent.objects.filter(action="remind").first().at - timedelta(days=1))
    assert remind() == []


def test_a_reminder_that_failed_is_tried_again_the_same_day(rolled_back, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assert remind() == []
    assert not GovernanceEvent.objects.filter(action="remind").exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert remind() == OFFICERS


PRINT_MAIL_SETTINGS = """
import json
from django.conf import settings
names = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
         "EMAIL_USE_TLS", "DEFAULT_FROM_EMAIL", "BONECARE_BASE_URL"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def mail_settings(**env):
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DJANGO_", "EMAIL_", "DEFAULT_FROM", "BONECARE_BASE"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="bonecare.settings")
    result = subprocess.run([sys.executable, "-c", PRINT_MAIL_SETTINGS], cwd=BASE_DIR,
                            env=clean, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_sends_through_the_smtp_server_the_environment_names():
    assert mail_settings(
        DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, EMAIL_HOST="smtp.example.nhs.uk",
        EMAIL_PORT="587", EMAIL_HOST_USER="bonecare", EMAIL_HOST_PASSWORD="secret",
        EMAIL_USE_TLS="true", DEFAULT_FROM_EMAIL="bonecare@example.nhs.uk",
        BONECARE_BASE_URL="https://bonecare.example.nhs.uk/") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.nhs.uk", "EMAIL_PORT": 587, "EMAIL_HOST_USER": "bonecare",
        "EMAIL_HOST_PASSWORD": "secret", "EMAIL_USE_TLS": True,
        "DEFAULT_FROM_EMAIL": "bonecare@example.nhs.uk",
        "BONECARE_BASE_URL": "https://bonecare.example.nhs.uk"}


def test_make_run_prints_mail_to_the_console():
    found = mail_settings(DJANGO_DEBUG="true")
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert found["BONECARE_BASE_URL"] == "http://127.0.0.1:8000"
