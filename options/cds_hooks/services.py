"""The CDS Hooks service's work: register and revoke EHRs, answer a hook, audit the call,
store feedback. A hook's assessment is evaluated by options.services.evaluate_assessment,
as for every other interface."""

import datetime
import json
import secrets
import time
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guidance.codes import OBSERVATION_LISTS
from guidance.selectors import code_lists_published, published_key
from options.choices import field_name
from options.decisions import decision_errors, decision_record, option_rule_codes
from options.services import evaluate_assessment
from options.validation import AssessmentInvalid, validate_assessment
from options.vocab import DECISION_REASONS

from .cards import patient_view_cards, question_card
from .fetch import prefetch_complete
from .fhir import request_parse
from .hooks import PATIENT_VIEW
from .mapping import assessment_from_fhir
from .models import CdsClient, ConsultationDraft, IssuedCard
from .order_cards import orders_cards
from .records import audit_row, rows_insert

CHANNEL = "cds_hooks"
OTHER_REASON = "other_reason"
DRAFT_SECONDS = 3600
CARD_DAYS = 7
PURGE_EVERY_SECONDS = 60
_last_purge = [0.0]


@transaction.atomic
def cds_client_create(*, name, iss, jwks=None, jwks_url="", services=(), fhir_server="",
                      by=None):
    """Register an EHR with its issuer, its public keys, the services it may call and the
    FHIR server BoneCare may fetch an absent prefetch from."""
    client = CdsClient(name=name, iss=iss, jwks=jwks, jwks_url=jwks_url or "",
                       services=list(services), fhir_server=fhir_server or "",
                       created_by=by if by is not None and by.is_authenticated else None)
    client.full_clean()
    client.save()
    return client


def cds_client_revoke(*, client):
    """Revoke an EHR for good: its calls get 401 from its next call on."""
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
    return client


@dataclass
class HookAnswer:
    """A hook's cards and what to record with them."""

    cards: list
    ruleset_version: str = ""
    summary: dict = field(default_factory=dict)
    patient_ref: str = ""
    draft: dict | None = None  # the assessment behind "Open in BoneCare"
    remembered: list = field(default_factory=list)  # (card uuid, [(option, status, codes)])


def hook_answer(*, service, request, client, base_url, today=None):
    """Map the FHIR prefetch, evaluate and return the cards; raise RequestInvalid (400),
    PrefetchUnavailable (412), NoPublishedRuleSet (503)."""
    # The code lists are the published ruleset's, and so is the evaluation: read which one
    # is published once, so both come from the same version.
    key = published_key()
    codes = code_lists_published(key)
    prefetch_complete(request, observation_codes=codes.codes_of(OBSERVATION_LISTS),
                      registered_server=client.fhir_server)
    mapped = assessment_from_fhir(request.prefetch, codes=codes,
                                  today=today or timezone.localdate())
    missing = assessment_settle(mapped)
    draft_key = secrets.token_urlsafe(32)
    links = [{"label": "Open in BoneCare", "type": "absolute",
              "url": f"{base_url}consultations/new/?draft={draft_key}"}]
    answer = HookAnswer(cards=[], patient_ref=mapped.assessment.get("patient_ref", ""),
                        draft={"key": draft_key, "assessment": mapped.assessment})
    if missing:
        answer.summary = {"needs": missing}
        answer.cards = _question_cards(service, request, mapped, missing, links, base_url,
                                       codes)
        return _draft_if_linked(answer)
    result = evaluate_assessment(data=mapped.assessment, channel=CHANNEL,
                                 client_name=client.name, published_key=key,
                                 endpoint=f"POST /cds-services/{service.id}")
    answer.ruleset_version = result["ruleset"]["version"]
    answer.summary = {"statuses": {o["option"]: o["status"] for o in result["options"]},
                      "alerts": [a["code"] for a in result["alerts"]]}
    if service.id == PATIENT_VIEW:
        answer.cards = patient_view_cards(result, mapped, links=links, url=base_url)
        answer.remembered = [(card["uuid"], _standing(result)) for card in answer.cards]
    else:
        pairs = orders_cards(request, mapped, result, codes=codes, url=base_url, links=links)
        answer.cards = [card for card, _ in pairs]
        answer.remembered = [(card["uuid"], _standing(result) if option is None else [
            (option, card["extension"]["bonecare"]["status"],
             option_rule_codes(result, option))]) for card, option in pairs]
    answer.summary["cards"] = len(answer.cards)
    return _draft_if_linked(answer)


def _draft_if_linked(answer):
    """Keep the draft only when a card links to it (always on patient-view)."""
    if not any(card.get("links") for card in answer.cards):
        answer.draft = None
    return answer


def _question_cards(service, request, mapped, missing, links, base_url, codes):
    if service.id == PATIENT_VIEW:
        return [question_card(mapped, missing=missing, links=links, url=base_url)]
    return [card for card, _ in orders_cards(request, mapped, None, codes=codes,
                                             url=base_url, links=links, missing=missing)]


def _standing(result):
    """The options a patient-view card advises on, each with its status and rule codes."""
    return [(o["option"], o["status"], option_rule_codes(result, o["option"]))
            for o in result["options"] if o["status"] != "not_applicable"]


def assessment_settle(mapped):
    """Leave out any mapped value the contract refuses (the card says which and why);
    return the required fields FHIR did not settle (the primary cancer), if any."""
    for _ in range(5):
        try:
            validate_assessment(mapped.assessment)
            return []
        except AssessmentInvalid as invalid:
            errors = invalid.errors
        dropped = [e for e in errors if e["path"] in mapped.assessment
                   and e["path"] != "cancer_type"]
        for error in dropped:
            mapped.assessment.pop(error["path"], None)
            mapped.note(f"{field_name(error['path'])} from the record not used: "
                        f"{error['message']}")
        if not dropped:
            break
    return sorted({e["path"] for e in errors if e["path"] not in mapped.assessment})


def hook_answer_record(*, answer, client, service, request):
    """Store the call's audit row, the draft and the cards to remember, atomically."""
    now = timezone.now()
    draft = [{"key": answer.draft["key"], "assessment": json.dumps(answer.draft["assessment"]),
              "created_at": now,
              "expires_at": now + datetime.timedelta(seconds=DRAFT_SECONDS)}] \
        if answer.draft is not None else []
    cards = [{"uuid": uuid, "client_id": client.pk, "service": service.id,
              "options": json.dumps([{"option": o, "status": s, "rule_codes": c}
                                     for o, s, c in options]),
              "ruleset_version": answer.ruleset_version, "created_at": now}
             for uuid, options in answer.remembered]
    rows_insert([(ConsultationDraft, draft), (IssuedCard, cards), audit_row(
        client=client, service=service.id, request=request, status_code=200, outcome="ok",
        patient_ref=answer.patient_ref, ruleset_version=answer.ruleset_version,
        summary=answer.summary)])
    _purge(now)


def cds_call_record(**fields):
    """Write the one audit row of a CDS Hooks call (fields as records.audit_row takes)."""
    rows_insert([audit_row(**fields)])


def _purge(now):
    """Forget expired drafts and cards older than a week, once a minute per process."""
    if time.monotonic() - _last_purge[0] < PURGE_EVERY_SECONDS:
        return
    _last_purge[0] = time.monotonic()
    ConsultationDraft.objects.filter(expires_at__lt=now).delete()
    IssuedCard.objects.filter(created_at__lt=now - datetime.timedelta(days=CARD_DAYS)).delete()


def request_for_hook(body, *, service):
    """Parse a hook call's body for this service (raises RequestInvalid with paths)."""
    return request_parse(body, hook=service.hook)


class FeedbackInvalid(Exception):
    def __init__(self, errors):
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


def feedback_store(*, client, service, body):
    """Store each feedback item as decisions (one per option the card advised on), through
    options.decisions; return how many rows were stored. Raises FeedbackInvalid."""
    items = body.get("feedback") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise FeedbackInvalid([{"path": "feedback", "message": "required: a non-empty list"}])
    stored = 0
    with transaction.atomic():
        for index, item in enumerate(items):
            stored += _feedback_item(client, service, item, f"feedback[{index}]")
    return stored


def _feedback_item(client, service, item, path):
    if not isinstance(item, dict):
        raise FeedbackInvalid([{"path": path, "message": "must be an object"}])
    card = IssuedCard.objects.filter(uuid=str(item.get("card", ""))[:64], client=client,
                                     service=service.id).first()
    if card is None:
        raise FeedbackInvalid([{"path": f"{path}.card", "message": "no card with this uuid "
                                "was sent to this client by this service in the last week"}])
    outcome = item.get("outcome")
    if outcome not in ("accepted", "overridden"):
        raise FeedbackInvalid([{"path": f"{path}.outcome",
                                "message": "must be accepted or overridden"}])
    reason_code, reason_text, comment = _override(item.get("overrideReason"), path)
    for entry in card.options:
        try:
            decision_record(source=CHANNEL, outcome=outcome, option=entry["option"],
                            rule_codes=entry["rule_codes"], ruleset_version=card.ruleset_version,
                            reason_code=reason_code, reason_text=reason_text, comment=comment,
                            client_name=client.name, card_uuid=card.uuid,
                            advised_status=entry["status"])
        except ValidationError as error:
            raise FeedbackInvalid([{"path": f"{path}.{e['path']}" if e["path"] else path,
                                    "message": e["message"]}
                                   for e in decision_errors(error)]) from None
    return len(card.options)


def _override(reason, path):
    if reason is None:
        return "", "", ""
    if not isinstance(reason, dict):
        raise FeedbackInvalid([{"path": f"{path}.overrideReason", "message": "must be an "
                                                                            "object"}])
    coding = reason.get("reason") if isinstance(reason.get("reason"), dict) else {}
    code = coding.get("code") if isinstance(coding.get("code"), str) else ""
    display = coding.get("display") if isinstance(coding.get("display"), str) else ""
    comment = reason.get("userComment") if isinstance(reason.get("userComment"), str) else ""
    # A reason outside the coded list is kept as text under the catch-all reason.
    return (code if code in DECISION_REASONS else OTHER_REASON), display[:300], comment[:2000]
