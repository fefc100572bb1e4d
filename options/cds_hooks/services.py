"""The CDS Hooks service's work: register and revoke EHRs, answer a hook, audit the call
(feedback: feedback.py). A hook's assessment is evaluated by
options.consultation.services.assessment_advise, as the REST API's is; the call's one audit
row (CdsCallAudit) is written with its answer."""

import datetime
import json
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from guidance.codes import OBSERVATION_LISTS, CodeLists
from guidance.selectors import (
    code_lists_published,
    codes_version,
    published_compiled,
    published_key,
)
from options.choices import field_name
from options.consultation.decisions import option_rule_codes
from options.consultation.services import alerts_whatever_the_cancer, assessment_advise
from options.consultation.values import result_values
from options.smart.models import SmartClient
from options.validation import AssessmentInvalid, validate_assessment

from .cards import Card, Link, Result, alert_cards, patient_view_cards, question_card
from .fetch import prefetch_complete
from .fhir import HookRequest, request_parse
from .hooks import PATIENT_VIEW, Service
from .mapping import Mapped, assessment_from_fhir
from .models import CdsClient, ConsultationDraft, IssuedCard
from .order_cards import orders_cards
from .records import audit_row, rows_insert

CHANNEL = "cds_hooks"
OPEN_LABEL = "Open in BoneCare"
DRAFT_SECONDS = 3600
CARD_DAYS = 7
PURGE_EVERY_SECONDS = 60
_last_purge = [0.0]


@transaction.atomic
def cds_client_create(*, name: str, iss: str, jwks: dict[str, Any] | None = None,
                      jwks_url: str = "", services: Iterable[str] = (), fhir_server: str = "",
                      smart_client: SmartClient | None = None,
                      by: AbstractBaseUser | AnonymousUser | None = None) -> CdsClient:
    """Register an EHR with its issuer, its public keys, the services it may call, the
    FHIR server BoneCare may fetch an absent prefetch from and its SMART registration, if
    any (a revoked one is refused: ValidationError on `smart_client`)."""
    client = CdsClient(name=name, iss=iss, jwks=jwks, jwks_url=jwks_url or "",
                       services=list(services), fhir_server=fhir_server or "",
                       smart_client=smart_client,
                       created_by=by if by is not None and by.is_authenticated else None)
    client.full_clean()
    client.save()
    return client


class Advised(TypedDict):
    """What a card said of one option, remembered for its feedback."""

    option: str
    status: str
    rule_codes: list[str]
    decided_by: str


@dataclass
class HookAnswer:
    """A hook's cards and what to record with them."""

    cards: list[Card]
    ruleset_version: str = ""
    summary: dict = field(default_factory=dict)
    patient_ref: str = ""
    draft: dict | None = None  # the assessment behind "Open in BoneCare"
    # (card uuid, what it said of each option) for each card, for its feedback
    remembered: list[tuple[str, list[Advised]]] = field(default_factory=list)


def hook_answer(*, service: Service, request: HookRequest, client: CdsClient, base_url: str,
                today: datetime.date | None = None) -> HookAnswer:
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
    links = [open_link(client, base_url=base_url, draft_key=draft_key)]
    answer = HookAnswer(cards=[], patient_ref=mapped.assessment.get("patient_ref", ""),
                        ruleset_version=codes_version(key),
                        draft={"key": draft_key, "assessment": mapped.assessment,
                               "patient": str(request.context.get("patientId") or "")})
    if missing:
        answer.summary = {"needs": missing}
        answer.cards = _question_cards(service, request, mapped, missing, links, base_url,
                                       codes, key)
        answer.remembered = [(card["uuid"], []) for card in answer.cards]  # for feedback
        return _draft_if_linked(answer)
    result = assessment_advise(data=mapped.assessment, published_key=key)
    answer.ruleset_version = result["ruleset"]["version"]
    answer.summary = {"statuses": {o["option"]: o["status"] for o in result["options"]},
                      "alerts": [a["code"] for a in result["alerts"]]}
    # The thresholds the values met are the rules of the ruleset that evaluated (same key).
    values = result_values(result, ruleset=published_compiled(key=key)[0],
                           value_of=mapped.assessment.get)
    if service.id == PATIENT_VIEW:
        answer.cards = patient_view_cards(result, mapped, links=links, url=base_url,
                                          values=values)
        # The alert cards come first; the last card is the summary that advises on options.
        answer.remembered = [(card["uuid"], _standing(result) if card is answer.cards[-1]
                              else []) for card in answer.cards]
    else:
        pairs = orders_cards(request, mapped, result, codes=codes, url=base_url, links=links,
                             values=values)
        answer.cards = [card for card, _ in pairs]
        # An alert card (option None) advises on no option: its feedback counts for no rule.
        answer.remembered = [(card["uuid"], [] if option is None else [_advised(
            result, option, card["extension"]["bonecare"]["status"])]) for card, option in pairs]
    answer.summary["cards"] = len(answer.cards)
    return _draft_if_linked(answer)


def open_link(client: CdsClient, *, base_url: str, draft_key: str) -> Link:
    """"Open in BoneCare" for this EHR: a SMART link when it has a live SMART registration
    (the EHR launches BoneCare at /smart/launch and hands the SMART door `appContext`,
    {"draft": key}, in its token response), otherwise an absolute link to the form."""
    if client.smart_launch():
        return {"label": OPEN_LABEL, "type": "smart", "url": f"{base_url}smart/launch",
                "appContext": json.dumps({"draft": draft_key})}
    return {"label": OPEN_LABEL, "type": "absolute",
            "url": f"{base_url}consultations/new/?draft={draft_key}"}


def _draft_if_linked(answer: HookAnswer) -> HookAnswer:
    """Keep the draft only when a card links to it (always on patient-view)."""
    if not any(card.get("links") for card in answer.cards):
        answer.draft = None
    return answer


def _question_cards(service: Service, request: HookRequest, mapped: Mapped,
                    missing: Sequence[str], links: Sequence[Link], base_url: str,
                    codes: CodeLists, key: tuple | None) -> list[Card]:
    """The cards of a record that does not settle what BoneCare needs to advise: a critical
    alert raised whatever the missing answer (cord compression) first, then the question."""
    alerts = alerts_whatever_the_cancer(data=mapped.assessment, published_key=key)
    first = alert_cards(alerts, mapped, url=base_url) if alerts else []
    if service.id == PATIENT_VIEW:
        return [*first, question_card(mapped, missing=missing, links=links, url=base_url)]
    return [*first, *(card for card, _ in orders_cards(
        request, mapped, None, codes=codes, url=base_url, links=links, missing=missing))]


def _advised(result: Result, option: str, status: str) -> Advised:
    """What a card said of one option: its status, the rules cited and the one that decided."""
    entry = next(o for o in result["options"] if o["option"] == option)
    return {"option": option, "status": status, "rule_codes": option_rule_codes(result, option),
            "decided_by": entry.get("decided_by") or ""}


def _standing(result: Result) -> list[Advised]:
    """The options a patient-view summary card advises on (all but the not applicable)."""
    return [_advised(result, o["option"], o["status"]) for o in result["options"]
            if o["status"] != "not_applicable"]


def assessment_settle(mapped: Mapped) -> list[str]:
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


def hook_answer_record(*, answer: HookAnswer, client: CdsClient, service: Service,
                       request: Mapping[str, str]) -> None:
    """Store the call's audit row, the draft and the cards to remember, atomically."""
    now = timezone.now()
    draft = [{"key": answer.draft["key"], "assessment": json.dumps(answer.draft["assessment"]),
              "fhir_patient_id": answer.draft.get("patient", "")[:100], "created_at": now,
              "expires_at": now + datetime.timedelta(seconds=DRAFT_SECONDS)}] \
        if answer.draft is not None else []
    cards = [{"uuid": uuid, "client_id": client.pk, "service": service.id,
              "options": json.dumps(options),
              "ruleset_version": answer.ruleset_version, "created_at": now}
             for uuid, options in answer.remembered]
    rows_insert([(ConsultationDraft, draft), (IssuedCard, cards), audit_row(
        client=client, service=service.id, request=request, status_code=200, outcome="ok",
        patient_ref=answer.patient_ref, ruleset_version=answer.ruleset_version,
        summary=answer.summary)])
    _purge(now)


def cds_call_record(**fields: object) -> None:
    """Write the one audit row of a CDS Hooks call (fields as records.audit_row takes)."""
    rows_insert([audit_row(**fields)])


def _purge(now: datetime.datetime) -> None:
    """Forget expired drafts and cards older than a week, once a minute per process."""
    if time.monotonic() - _last_purge[0] < PURGE_EVERY_SECONDS:
        return
    _last_purge[0] = time.monotonic()
    ConsultationDraft.objects.filter(expires_at__lt=now).delete()
    IssuedCard.objects.filter(created_at__lt=now - datetime.timedelta(days=CARD_DAYS)).delete()


def request_for_hook(body: object, *, service: Service) -> HookRequest:
    """Parse a hook call's body for this service (raises RequestInvalid with paths)."""
    return request_parse(body, hook=service.hook)
