"""CDS Hooks feedback: what the clinician did with each card (accepted or overridden, when,
and why), checked strictly, kept once per client, card and outcomeTimestamp, and stored as
decisions through options.consultation.decisions, each counting for or against the rule that decided
its option."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from options.choices import label
from options.consultation.decisions import decision_errors, decision_record
from options.http.errors import ErrorItem
from options.vocab import ACTIVE_STATUSES, DECISION_REASONS

from .fhir import text_errors
from .hooks import PATIENT_VIEW, Service
from .models import CdsClient, FeedbackReceived, IssuedCard

CHANNEL = "cds_hooks"
OTHER_REASON = "other_reason"
OUTCOMES = ("accepted", "overridden")
MAX_ITEMS = 100
# The longest text a Decision keeps of each (options.consultation.models.Decision).
LIMITS = {"card": 64, "code": 64, "system": 500, "display": 300, "userComment": 2000}


class FeedbackInvalid(Exception):
    def __init__(self, errors: list[ErrorItem]) -> None:
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class FeedbackItem:
    """One feedback item as BoneCare keeps it."""

    path: str
    card: str
    outcome: str
    at: datetime.datetime  # outcomeTimestamp, in UTC
    reason_code: str = ""
    reason_text: str = ""
    comment: str = ""


def feedback_parse(body: object) -> list[FeedbackItem]:
    """Return the feedback items of a body, or raise FeedbackInvalid naming every path."""
    if not isinstance(body, dict):
        raise FeedbackInvalid([{"path": "", "message": "the body must be a JSON object"}])
    errors = text_errors(body)
    if errors:
        raise FeedbackInvalid(errors)
    items = body.get("feedback")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        raise FeedbackInvalid([{"path": "feedback",
                                "message": f"required: a list of 1 to {MAX_ITEMS} items"}])
    parsed = [_item(item, f"feedback[{index}]", errors) for index, item in enumerate(items)]
    if errors:
        raise FeedbackInvalid(errors)
    return parsed


def _item(item: object, path: str, errors: list[ErrorItem]) -> FeedbackItem | None:
    if not isinstance(item, dict):
        errors.append({"path": path, "message": "must be an object"})
        return None
    card = _text(item, "card", path, errors, required=True)
    outcome = item.get("outcome")
    if outcome not in OUTCOMES:
        errors.append({"path": f"{path}.outcome", "message": "must be accepted or overridden"})
    at = _instant(item.get("outcomeTimestamp"), f"{path}.outcomeTimestamp", errors)
    reason = _override(item.get("overrideReason"), f"{path}.overrideReason", errors)
    _suggestions(item.get("acceptedSuggestions"), f"{path}.acceptedSuggestions", errors)
    return FeedbackItem(path, card, outcome, at, *reason)


def _text(data: Mapping[str, object], name: str, path: str, errors: list[ErrorItem], *,
          required: bool = False) -> str:
    value, limit = data.get(name), LIMITS[name]
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        errors.append({"path": f"{path}.{name}", "message": ("required: " if required else "")
                       + f"a string of at most {limit} characters"})
        return ""
    return value.strip()


def _instant(value: object, path: str, errors: list[ErrorItem]) -> datetime.datetime | None:
    """Read an RFC 3339 date and time with its offset (CDS Hooks: outcomeTimestamp)."""
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        at = datetime.datetime.fromisoformat(value)
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError
        return at.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        errors.append({"path": path, "message": "required: a date and time with its offset, "
                                                "e.g. 2026-11-27T10:00:00Z"})
        return None


def _override(reason: object, path: str, errors: list[ErrorItem]) -> tuple[str, str, str]:
    """Return (reason code, reason text, comment); a code outside the list is kept as text
    under the catch-all reason, and a display that only repeats the code's label is not."""
    if reason is None:
        return "", "", ""
    if not isinstance(reason, dict):
        errors.append({"path": path, "message": "must be an object"})
        return "", "", ""
    coding = reason.get("reason")
    if coding is not None and not isinstance(coding, dict):
        errors.append({"path": f"{path}.reason", "message": "must be a Coding (an object)"})
        coding = None
    coding = coding or {}
    code = _text(coding, "code", f"{path}.reason", errors)
    _text(coding, "system", f"{path}.reason", errors)
    display = _text(coding, "display", f"{path}.reason", errors)
    comment = _text(reason, "userComment", path, errors)
    if code in DECISION_REASONS:
        return code, "" if display.casefold() == label(code).casefold() else display, comment
    return OTHER_REASON, display or code, comment


def _suggestions(value: object, path: str, errors: list[ErrorItem]) -> None:
    if value is None:
        return
    if not isinstance(value, list) or not all(
            isinstance(s, dict) and isinstance(s.get("id"), str) for s in value):
        errors.append({"path": path, "message": "must be a list of objects with an id"})


def feedback_store(*, client: CdsClient, service: Service, body: object) -> int:
    """Store each new feedback item and the decisions it tells of; return how many decisions
    were stored. Raises FeedbackInvalid.

    An item already received (the same client, card and outcomeTimestamp) adds nothing: an
    EHR retries after a network error, and each retry must not count again. The first one
    stands (a different outcome with the same time is taken as the same item).
    """
    items = feedback_parse(body)
    with transaction.atomic():
        return sum(_item_store(client, service, item) for item in items)


def _item_store(client: CdsClient, service: Service, item: FeedbackItem) -> int:
    card = IssuedCard.objects.filter(uuid=item.card, client=client, service=service.id).first()
    if card is None:
        raise FeedbackInvalid([{"path": f"{item.path}.card", "message": "no card with this "
                                "uuid was sent to this client by this service in the last "
                                "week"}])
    try:
        with transaction.atomic():
            FeedbackReceived.objects.create(client=client, card_uuid=card.uuid,
                                            outcome_at=item.at, outcome=item.outcome)
    except IntegrityError:  # cds_feedback_once: received before
        return 0
    spoken_to = _options_spoken_to(card)
    for entry, decided_by in spoken_to:
        try:
            decision_record(source=CHANNEL, outcome=item.outcome, option=entry["option"],
                            rule_codes=entry["rule_codes"], ruleset_version=card.ruleset_version,
                            reason_code=item.reason_code, reason_text=item.reason_text,
                            comment=item.comment, client_name=client.name, card_uuid=card.uuid,
                            advised_status=entry["status"], decided_by=decided_by)
        except ValidationError as error:
            raise FeedbackInvalid([{"path": f"{item.path}.{e['path']}" if e["path"]
                                    else item.path, "message": e["message"]}
                                   for e in decision_errors(error)]) from None
    return len(spoken_to)


def _options_spoken_to(card: IssuedCard) -> list[tuple[Mapping[str, Any], str]]:
    """Return [(option entry, the rule that decided it)] that a card's outcome tells of.

    The patient-view summary card puts forward the options that stand (recommended or
    consider): accepting it follows them, overriding it declines them. It says nothing of
    what was done about an option that needs information or is advised against (an order
    hook's card does, one option each). An option no rule decided (needs information) is
    never counted as followed or overridden.
    """
    entries = card.options
    if card.service == PATIENT_VIEW:
        entries = [e for e in entries if e["status"] in ACTIVE_STATUSES]
    return [(e, decided) for e in entries if (decided := _decided_by(e))]


def _decided_by(entry: Mapping[str, Any]) -> str:
    if "decided_by" in entry:
        return entry["decided_by"] or ""
    # Cards remembered before decided_by was: the deciding rule came first when there was one.
    codes = entry.get("rule_codes") or []
    return codes[0] if codes and entry.get("status") != "needs_information" else ""
