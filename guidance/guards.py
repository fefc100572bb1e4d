"""The model-level guard behind governance: what has left the draft state never changes.

Only a draft's rules, documents, code lists and expectations can be written, and a ruleset's
state moves only along the governance path, inside a governance service (`state_change`).
This holds whatever writes: the admin, a library's page (django-simple-history's revert), a
shell or a view not yet written. On PostgreSQL a trigger holds the same line in the database
(migrations guidance 0007 and 0010), so an UPDATE that skips the models is refused too.
"""

import contextlib
import contextvars

from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_delete, pre_save

from .models import CodeListEntry, Expectation, GuidanceDocument, Rule, RuleSet

# (from, to): submit, return or withdraw, approve, publish, first publication, replaced,
# rollback, discard (a draft given up; it never leaves that state).
TRANSITIONS = frozenset({
    (RuleSet.DRAFT, RuleSet.IN_REVIEW),
    (RuleSet.DRAFT, RuleSet.DISCARDED),
    (RuleSet.IN_REVIEW, RuleSet.DRAFT),
    (RuleSet.IN_REVIEW, RuleSet.APPROVED),
    (RuleSet.APPROVED, RuleSet.PUBLISHED),
    (RuleSet.DRAFT, RuleSet.PUBLISHED),
    (RuleSet.PUBLISHED, RuleSet.RETIRED),
    (RuleSet.RETIRED, RuleSet.PUBLISHED),
})
# What a ruleset that has left the draft state may still have written: its state (along
# TRANSITIONS) and who published it when; its digest once, when first published.
FROZEN_FIELDS = ("version", "title", "notes", "based_on_id", "created_by_id", "lock_version")
CONTENT_MODELS = (Rule, GuidanceDocument, CodeListEntry, Expectation)

_in_service = contextvars.ContextVar("guidance_state_change", default=False)


class RuleSetFrozen(PermissionDenied):
    """A write to a ruleset, or to what it holds, that governance does not allow."""


@contextlib.contextmanager
def state_change():
    """Let a governance service move a ruleset's state (along TRANSITIONS only)."""
    token = _in_service.set(True)
    try:
        yield
    finally:
        _in_service.reset(token)


def _ruleset_check(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = RuleSet.objects.filter(pk=instance.pk).first()
    if old is None:
        return
    if old.state != instance.state:
        if not _in_service.get():
            raise RuleSetFrozen(f"{old.version}: a ruleset's state changes only through "
                                "governance (submit, withdraw, review, publish, rollback, "
                                "discard)")
        if (old.state, instance.state) not in TRANSITIONS:
            raise RuleSetFrozen(f"{old.version} cannot go from {old.state} to "
                                f"{instance.state}")
    if old.state == RuleSet.DRAFT:
        return
    changed = [name for name in FROZEN_FIELDS if getattr(old, name) != getattr(instance, name)]
    if old.content_digest and old.content_digest != instance.content_digest:
        changed.append("content_digest")
    if changed:
        raise RuleSetFrozen(f"{old.version} is {old.get_state_display().lower()} and never "
                            f"changes ({', '.join(changed)}): make a new draft from it")


def _ruleset_delete_check(sender, instance, **kwargs):
    state = RuleSet.objects.filter(pk=instance.pk).values_list("state", flat=True).first()
    if state not in (None, RuleSet.DRAFT):
        raise RuleSetFrozen(f"{instance.version} is {state}: only a draft can be removed")


def _content_check(sender, instance, raw=False, **kwargs):
    if raw:
        return
    ruleset_ids = {instance.ruleset_id}
    if instance.pk is not None:  # moving a row out of a frozen ruleset is a change to it
        ruleset_ids |= set(sender.objects.filter(pk=instance.pk).values_list("ruleset_id",
                                                                             flat=True))
    frozen = RuleSet.objects.filter(pk__in=ruleset_ids).exclude(state=RuleSet.DRAFT)
    version = frozen.values_list("version", flat=True).first()
    if version is not None:
        raise RuleSetFrozen(f"{version} is not a draft: its {sender._meta.verbose_name_plural} "
                            "never change; make a new draft from it")


def guards_connect():
    """Connect the guards (apps.ready)."""
    pre_save.connect(_ruleset_check, sender=RuleSet, dispatch_uid="ruleset_frozen")
    pre_delete.connect(_ruleset_delete_check, sender=RuleSet, dispatch_uid="ruleset_delete")
    for model in CONTENT_MODELS:
        uid = f"{model._meta.model_name}_frozen"
        pre_save.connect(_content_check, sender=model, dispatch_uid=uid)
        pre_delete.connect(_content_check, sender=model, dispatch_uid=f"{uid}_delete")
