"""Governance e-mail: who is told of each step, after the step's transaction commits.

Each message names the ruleset version, what happened, who did it, the reason or comment
given, and the ruleset's page in the rules console. It carries no patient data: a governance
step has none to carry, and nothing here reads a consultation. A step rolled back sends
nothing (transaction.on_commit); a mail server that fails is logged, naming the step and the
ruleset only (never an address), and the step stands.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from options.identity.roles import SAFETY_OFFICER

from .audit import event_record
from .models import Publication, RuleSet

logger = logging.getLogger(__name__)

# action -> (what happened to the ruleset, what happens next)
STEPS = {
    "submit": ("was submitted for review",
               "A clinical safety officer who did not write it approves it or returns it."),
    "return": ("was returned to its author",
               "It is a draft again: change it and submit it again."),
    "withdraw": ("was withdrawn from review by its author",
                 "It is a draft again: nothing waits for your review."),
    "approve": ("was approved", "An editor or a safety officer may now publish it."),
    "publish": ("was published", "Every new evaluation now uses it."),
    "rollback": ("was put back in use by an emergency rollback",
                 "A clinical safety officer who did not roll back must follow it up."),
    "remind": ("is live after an emergency rollback still awaiting follow-up",
               "A clinical safety officer who did not roll back must follow it up (Rule sets "
               "> Publications > Follow up). This reminder comes daily until then."),
}


def safety_officers():
    """Return the active clinical safety officers."""
    return get_user_model().objects.filter(is_active=True, groups__name=SAFETY_OFFICER.group)


def ruleset_author(ruleset):
    """Return who submitted the ruleset's latest review, else who made it (or None)."""
    review = ruleset.reviews.exclude(submitted_by=None).order_by("-submitted_at").first()
    return review.submitted_by if review is not None else ruleset.created_by


def recipients(action, ruleset):
    """Return the users told of `action` on `ruleset`: see docs/governance.md."""
    people = []
    if action in ("submit", "withdraw", "publish", "rollback", "remind"):
        people += list(safety_officers())
    if action in ("return", "approve", "publish", "rollback"):
        people.append(ruleset_author(ruleset))
    if action == "rollback":  # whose change the rollback took off, too
        replaced = ruleset.publications.order_by("-published_at").first()
        undone = RuleSet.objects.filter(version=replaced.replaced_version).first() if (
            replaced is not None) else None
        people.append(ruleset_author(undone) if undone is not None else None)
    found = {user.pk: user for user in people
             if user is not None and user.is_active and user.email}
    return list(found.values())


def ruleset_url(ruleset):
    """Return the absolute address of the ruleset's page in the rules console."""
    return settings.BONECARE_BASE_URL + reverse("admin:guidance_ruleset_change",
                                                args=[ruleset.pk])


def _name(user):
    if user is None:
        return "BoneCare (a scheduled task)"
    return user.get_full_name() or user.get_username()


def message_text(action, ruleset, by, text):
    """Return the subject and body of the e-mail for `action`."""
    happened, next_step = STEPS[action]
    subject = f"BoneCare ruleset {ruleset.version} {happened}"
    when = timezone.localtime().strftime("%d %b %Y at %H:%M")
    lines = [f"Ruleset {ruleset.version} ({ruleset.title}) {happened}.", "",
             f"By: {_name(by)}", f"When: {when}", ""]
    if text:
        lines += ["Reason or comment given:", *(f"  {line}" for line in text.splitlines()), ""]
    lines += [next_step, "", f"Open it in the rules console: {ruleset_url(ruleset)}", "",
              "This message carries no patient data. You receive it for your role in "
              "BoneCare's guidance governance."]
    return subject, "\n".join(lines)


def governance_send(action, ruleset, by, text=""):
    """Send the e-mail for `action` now, one message per recipient; return how many were
    sent, or None if the mail server failed (logged without any address)."""
    try:
        subject, body = message_text(action, ruleset, by, text)
        messages = [EmailMessage(subject, body, to=[user.email])
                    for user in recipients(action, ruleset)]
        if not messages:
            return 0
        return get_connection().send_messages(messages)
    except Exception as error:  # noqa: BLE001  (a mail failure never fails the step)
        logger.error("governance e-mail not sent: %s of ruleset %s (%s)", action,
                     ruleset.version, type(error).__name__)
        return None


def governance_notify(*, action, ruleset, by, text=""):
    """Tell those concerned once the current transaction commits; call inside the step's."""
    transaction.on_commit(lambda: governance_send(action, ruleset, by, text))


def reminder_detail(publication):
    """Return the audit detail that marks one day's reminder for a flagged rollback."""
    return f"reminder: the rollback of publication {publication.pk} awaits follow-up"


def rollbacks_remind():
    """Remind the safety officers, once a day, of each rollback awaiting follow-up; return
    the publications reminded of now. A day whose sending failed is tried again on the
    next run."""
    today = timezone.localdate()
    reminded = []
    flagged = Publication.objects.filter(needs_review=True, kind=Publication.EMERGENCY)
    for publication in flagged.select_related("ruleset"):
        detail = reminder_detail(publication)
        if publication.ruleset.events.filter(action="remind", detail=detail,
                                             at__date=today).exists():
            continue
        if governance_send("remind", publication.ruleset, None,
                           publication.reasons) is None:
            continue
        event_record(action="remind", by=None, ruleset=publication.ruleset, detail=detail)
        reminded.append(publication)
    return reminded
