"""The one store of clinicians' decisions about the advice: the result page and CDS Hooks.

`decision_record` is the only writer. Each row names the option, what was decided, the rules
the advice cited and the ruleset version; the rule review page counts, per rule, how often
the options it decided were followed or overridden.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from .. import vocab
from .models import Consultation, Decision, DecisionRule

__all__ = ["REASON_CHOICES", "decision_errors", "decision_followed", "decision_record",
           "option_rule_codes"]

REASON_CHOICES = Decision._meta.get_field("reason_code").choices


def decision_followed(*, outcome: str, advised_status: str = "") -> bool:
    """Tell whether an outcome went with the advice about an option of that status.

    CDS Hooks says so itself (accepted or overridden). On the result page, going ahead follows
    an option that is recommended or to consider; not going ahead follows anything but a
    recommendation; "MDT disagrees" never follows.
    """
    if outcome in ("accepted", "overridden"):
        return outcome == "accepted"
    if outcome == "going_ahead":
        return advised_status in vocab.ACTIVE_STATUSES
    if outcome == "not_going_ahead":
        return advised_status != "recommended"
    return False


def option_rule_codes(result: dict, option: str) -> list[str]:
    """Return the codes of the rules a stored result cited for one option, deciding rule first."""
    entry = next((o for o in result.get("options", []) if o["option"] == option), None)
    if entry is None:
        return []
    codes = [entry.get("decided_by", "")]
    codes += [r["rule"] for r in (*entry.get("reasons", []), *entry.get("not_now", []))]
    return [code for code in dict.fromkeys(codes) if code and code != "NO-RULE"]


def _advised(consultation, option):
    if consultation is None:
        return {}
    return next((o for o in consultation.result.get("options", []) if o["option"] == option),
                {})


def decision_record(*, source: str, outcome: str, option: str, rule_codes: list,
                    ruleset_version: str, reason_code: str = "", reason_text: str = "",
                    comment: str = "", consultation: Consultation | None = None,
                    by: AbstractBaseUser | None = None, client_name: str = "",
                    card_uuid: str = "", advised_status: str = "",
                    decided_by: str = "") -> Decision:
    """Record one decision about one option; raise ValidationError naming the bad field.

    `source` is "result_page" (outcome going_ahead, not_going_ahead or mdt_disagrees) or
    "cds_hooks" (accepted or overridden, with the client's name and the card's uuid).
    `reason_code` is one of vocab.DECISION_REASONS (offer them as CDS Hooks overrideReasons);
    free text goes in `reason_text` or `comment`. `advised_status` and `decided_by` (the rule
    that decided the option's status) default to the option's in the consultation's stored
    result. The decision counts for or against that rule alone on the rule review page
    (DecisionRule), never against the other rules the advice cited (kept in `rule_codes`):
    going ahead with a bisphosphonate a safety rule made contraindicated overrides the safety
    rule, not the rule that offered it. Without a deciding rule (an option that needs
    information) it counts against none. The row is its own audit: it is never changed, and a
    change of mind is a new row.
    """
    advised = _advised(consultation, option)
    advised_status = advised_status or advised.get("status", "")
    decided_by = decided_by or advised.get("decided_by") or ""
    decided_by = "" if decided_by == "NO-RULE" else decided_by
    codes = list(rule_codes) if isinstance(rule_codes, list | tuple) else rule_codes
    if decided_by and isinstance(codes, list) and decided_by not in codes:
        codes.insert(0, decided_by)
    decision = Decision(
        source=source, outcome=outcome, option=option, rule_codes=codes,
        ruleset_version=ruleset_version, advised_status=advised_status,
        followed=decision_followed(outcome=outcome, advised_status=advised_status),
        reason_code=reason_code or "", reason_text=(reason_text or "").strip(),
        comment=(comment or "").strip(), consultation=consultation,
        by=by if by is not None and by.is_authenticated else None,
        client_name=client_name or "", card_uuid=card_uuid or "")
    decision.full_clean()
    with transaction.atomic():
        decision.save()
        if decided_by:
            DecisionRule.objects.create(decision=decision, code=decided_by)
    return decision


def decision_errors(error: ValidationError) -> list[dict]:
    """Return a ValidationError as [{"path": field, "message": text}], as the API shows them."""
    return [{"path": field if field != "__all__" else "", "message": message}
            for field, messages in error.message_dict.items() for message in messages]
