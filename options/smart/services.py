"""The SMART door's work: register and revoke EHRs, sign the EHR's user in, read the record
with their token through the CDS Hooks mapping (one mapping, two doors), and file the
clinician summary back as a DocumentReference."""

import base64
import datetime
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from guidance.codes import OBSERVATION_LISTS
from guidance.selectors import code_lists_published, published_key
from options.cds_hooks.drafts import draft_held
from options.cds_hooks.fetch import FetchFailed, PrefetchUnavailable, json_request, record_read
from options.cds_hooks.mapping import assessment_from_fhir
from options.cds_hooks.services import assessment_settle
from options.choices import field_name
from options.consultation.models import Consultation
from options.identity.accounts import role_group
from options.identity.audit import acting_for, event_record
from options.identity.roles import CLINICIAN, role_held

from .keys import SigningKeyMissing, signing_alg
from .models import EhrIdentity, SmartClient, SmartLaunch, SummaryFiling, iss_normal
from .oauth import LaunchRefused
from .scopes import READ_WORDS, READS, filing_granted, keys_granted

SOURCE = "smart"
DOCUMENT_TYPE = {"coding": [{"system": "http://loinc.org", "code": "11488-4",
                             "display": "Consult note"}],
                 "text": "BoneCare: bone-strengthening options, clinician summary"}


@transaction.atomic
def smart_client_create(*, name: str, iss: str, client_id: str, client_type: str = "public",
                        signing_alg_name: str = "", may_create_accounts: bool = False,
                        by: AbstractBaseUser | AnonymousUser | None = None) -> SmartClient:
    """Register an EHR that may launch BoneCare; raise ValidationError naming the field."""
    client = SmartClient(name=name, iss=iss_normal(iss), client_id=client_id,
                         client_type=client_type, signing_alg=signing_alg_name,
                         may_create_accounts=may_create_accounts,
                         created_by=by if by is not None and by.is_authenticated else None)
    client.full_clean()
    if client.client_type == "confidential_asymmetric":
        try:
            alg = signing_alg()
        except SigningKeyMissing as missing:
            raise ValidationError({"client_type": f"BoneCare cannot be a confidential client "
                                                  f"here: {missing}."}) from None
        if alg != client.signing_alg:
            raise ValidationError({"signing_alg": f"BoneCare's key signs with {alg}."})
    client.save()
    return client


def smart_client_for(iss: object) -> SmartClient | None:
    """The live registration for an `iss`, compared without a trailing slash; else None."""
    if not isinstance(iss, str) or not iss or len(iss) > 500:
        return None
    return SmartClient.objects.filter(iss=iss_normal(iss), revoked_at__isnull=True).first()


def launch_record(*, kind: str, outcome: str, request: HttpRequest,
                  client: SmartClient | None = None, iss: object = "", reason: str = "",
                  user: AbstractBaseUser | None = None, fhir_user: str = "",
                  patient: str = "", scopes: Iterable[str] = ()) -> SmartLaunch:
    """Write the launch's one audit row (never a token, never a code)."""
    return SmartLaunch.objects.create(
        client=client, iss=(iss if isinstance(iss, str) else "")[:500], kind=kind,
        outcome=outcome, reason=reason[:200], user=user, fhir_user=fhir_user[:500],
        fhir_patient_id=patient[:100], scopes=" ".join(scopes))


def ehr_account(*, client: SmartClient, fhir_user: str, request: HttpRequest) -> AbstractUser:
    """The clinician account linked to the EHR's user; made at the first launch when the
    registration allows it. Raise LaunchRefused when there is none or it may not sign in."""
    try:
        return _ehr_account_once(client, fhir_user, request)
    except IntegrityError:  # two first launches at once: the second finds what the first made
        return _ehr_account_once(client, fhir_user, request)


def _ehr_account_once(client: SmartClient, fhir_user: str,
                      request: HttpRequest) -> AbstractUser:
    with transaction.atomic(), acting_for(request):
        link = (EhrIdentity.objects.select_related("user")
                .filter(iss=client.iss, fhir_user=fhir_user).first())
        if link is None:
            if not client.may_create_accounts:
                raise LaunchRefused("not_linked", "Your EHR account is not linked to a "
                                    "BoneCare account, and this EHR's registration does not "
                                    "create accounts. Ask the BoneCare administrator to link "
                                    "it.")
            link = EhrIdentity.objects.create(user=_account_create(client, fhir_user),
                                              iss=client.iss, fhir_user=fhir_user)
        user = link.user
        if not user.is_active:
            raise LaunchRefused("deactivated", "Your BoneCare account is deactivated.")
        if not role_held(user, CLINICIAN):
            raise LaunchRefused("not_clinician", "Your BoneCare account does not hold the "
                                "clinician role, which opening a patient from the EHR needs.")
        EhrIdentity.objects.filter(pk=link.pk).update(last_launch_at=timezone.now())
    event_record(kind="sign_in", request=request, user=user, source=SOURCE, subject=fhir_user)
    return user


def _account_create(client: SmartClient, fhir_user: str) -> AbstractUser:
    """A clinician account for an EHR user, named for reading ("ehr-<their id>-<8 hex>"),
    unique by the hash of (iss, fhirUser); it has no password: only the EHR signs it in."""
    digest = hashlib.sha256(f"{client.iss} {fhir_user}".encode()).hexdigest()[:8]
    readable = re.sub(r"[^\w.@+-]", "", fhir_user.rsplit("/", 1)[-1])[:40]
    user = get_user_model()(username=f"ehr-{readable}-{digest}" if readable else
                            f"ehr-{digest}", is_active=True, is_staff=False)
    user.set_unusable_password()
    user.save()
    user.groups.add(role_group(CLINICIAN))
    return user


def refusal_audit(*, request: HttpRequest, reason: str, subject: str = "") -> None:
    """A refused launch is a refused sign-in too: the account audit says so."""
    event_record(kind="sign_in_failed", request=request, source=SOURCE, subject=subject,
                 reason=reason)


@dataclass
class Record:
    """What the launch read of the patient's record, for the form and its banners."""

    assessment: dict
    sources: dict  # field -> "Observation of 2026-11-20"
    notes: list
    not_read: list  # resource kinds the EHR did not let BoneCare read
    patient: dict = field(default_factory=dict)  # the patient banner, when the EHR wants it


def record_mapped(*, client: SmartClient, token: str, patient_id: str,
                  scopes: Iterable[str], today: datetime.date | None = None) -> Record:
    """Read the record with the EHR's token and map it as the CDS Hooks service does.
    Raises PrefetchUnavailable (a read failed: 401, a redirect, a timeout...)."""
    scopes = list(scopes)
    granted = keys_granted(scopes)
    key = published_key()
    codes = code_lists_published(key)
    record = record_read(client.iss, token, patient_id, granted,
                         observation_codes=codes.codes_of(OBSERVATION_LISTS))
    mapped = assessment_from_fhir(record, codes=codes, today=today or timezone.localdate())
    assessment_settle(mapped)
    patients = record.get("patient") or []
    return Record(
        assessment=mapped.assessment,
        sources={name: where for name, where in mapped.sources.items()
                 if name in mapped.assessment},
        notes=[*mapped.context, *(_unrecognised_words(label)
                                  for label in dict.fromkeys(mapped.unrecognised))],
        not_read=[READ_WORDS[k] for k in READS if k not in granted],
        patient=_banner(patients[0]) if patients else {})


UNRECOGNISED = re.compile(r"(?P<system>[^|]*)\|(?P<code>\S*)(?: \((?P<display>.*)\))?")


def _unrecognised_words(label: str) -> str:
    """An entry the code lists do not know, for a clinician: its description where the EHR
    gave one, and its code only as the handle to find it by."""
    match = UNRECOGNISED.fullmatch(label)
    if match is None:
        return f"An entry BoneCare does not recognise ({label})"
    if match["display"]:
        return f"\u201c{match['display']}\u201d (code {match['code']}): not recognised by BoneCare"
    return f"An entry coded {match['code'] or 'without a code'}: not recognised by BoneCare"


def _banner(patient: object) -> dict[str, str]:
    names = getattr(patient, "name", None) or []
    name = ""
    if names:
        first = names[0]
        name = first.text or " ".join([*(first.given or []), first.family or ""]).strip()
    nhs = next((i.value for i in getattr(patient, "identifier", None) or []
                if i.system == "https://fhir.nhs.uk/Id/nhs-number" and i.value), "")
    birth = patient.birthDate
    return {"name": name, "id": str(patient.id or ""), "nhs_number": nhs or "",
            "birth_date": birth.strftime("%-d %B %Y") if isinstance(birth, datetime.date)
            else str(birth or ""), "gender": (patient.gender or "").capitalize()}


def card_compare(app_context: object, *, user: AbstractBaseUser, patient: str,
                 assessment: Mapping[str, object]) -> dict[str, object] | None:
    """A launch from a CDS Hooks card's smart link names the card's draft in its appContext
    ('{"draft": key}'): open it for this clinician (so that nobody else can) and say what the
    record read now gives differently from what the card was worked out from. None when the
    launch names no draft; {"expired": True} when it cannot be opened."""
    try:
        key = json.loads(app_context)["draft"] if isinstance(app_context, str) else None
    except (ValueError, TypeError, KeyError):
        key = None
    if key is None:
        return None
    draft = draft_held(key=key, by=user)
    if draft is None:
        return {"expired": True}
    drafted = draft.assessment
    # The EHR's patient id where the draft has it; before it did, the NHS number.
    if (draft.fhir_patient_id and draft.fhir_patient_id != patient) or (
            drafted.get("patient_ref") != assessment.get("patient_ref")):
        return {"other_patient": True}
    changed = [field_name(name) for name in sorted(set(drafted) | set(assessment))
               if drafted.get(name) != assessment.get(name)]
    return {"changed": changed}


def read_failure_words(unavailable: PrefetchUnavailable) -> str:
    """Why the record could not be read, in words (the first error; never the token)."""
    error = unavailable.errors[0]
    return error["message"].removeprefix("absent, and ")


@dataclass(frozen=True)
class LaunchContext:
    """What the session keeps of a launch (the token apart, see vault.py)."""

    client_id: int
    patient: str
    encounter: str
    fhir_user: str
    scopes: tuple[str, ...]

    @classmethod
    def from_session(cls, data: Mapping[str, object]) -> "LaunchContext":
        return cls(client_id=int(data["client_id"]), patient=str(data["patient"]),
                   encounter=str(data.get("encounter") or ""),
                   fhir_user=str(data.get("fhir_user") or ""),
                   scopes=tuple(data.get("scopes") or ()))


def summary_file(*, consultation: Consultation, launch: LaunchContext, token: str | None,
                 html: str, link: str) -> SummaryFiling:
    """File the clinician summary to the EHR as a DocumentReference; record either outcome.
    The consultation is already saved: a failure here only says so."""
    client = SmartClient.objects.get(pk=launch.client_id)
    reason, document_id = "", ""
    if client.revoked_at is not None:
        reason = "this EHR's registration with BoneCare has been revoked"
    elif not filing_granted(launch.scopes):
        reason = "the EHR did not give BoneCare permission to file documents"
    elif token is None:
        reason = ("BoneCare's permission to use the record has expired: open BoneCare from "
                  "the EHR again to file it")
    else:
        try:
            answer = json_request(f"{client.iss}/DocumentReference", token=token,
                                  body=document_reference(consultation, launch, html, link))
            document_id = _document_id(answer)
            if not document_id:
                reason = "the EHR's answer did not say which document it made"
        except FetchFailed as failed:
            reason = failed.reason
    return SummaryFiling.objects.create(
        consultation=consultation, client=client, fhir_patient_id=launch.patient[:100],
        outcome="not_filed" if reason else "filed", document_id=document_id[:200],
        reason=reason[:300])


def document_reference(consultation: Consultation, launch: LaunchContext, html: str,
                       link: str) -> dict[str, object]:
    """The DocumentReference holding the summary (validated as FHIR R4)."""
    from fhir.resources.R4B.documentreference import DocumentReference

    created = consultation.created_at.isoformat()
    resource = {
        "resourceType": "DocumentReference", "status": "current", "docStatus": "final",
        "type": DOCUMENT_TYPE,
        "subject": {"reference": f"Patient/{launch.patient}"},
        "date": created,
        "description": f"BoneCare clinician summary (ruleset {consultation.ruleset_version}); "
                       f"consultation {consultation.pk}",
        "content": [
            {"attachment": {"contentType": "text/html", "language": "en-GB",
                            "data": base64.b64encode(html.encode()).decode(),
                            "title": "BoneCare clinician summary", "creation": created}},
            {"attachment": {"contentType": "text/html", "url": link,
                            "title": "The consultation in BoneCare"}},
        ],
    }
    if launch.fhir_user.startswith(("Practitioner/", "PractitionerRole/")):
        resource["author"] = [{"reference": launch.fhir_user}]
    if launch.encounter:
        resource["context"] = {"encounter": [{"reference": f"Encounter/{launch.encounter}"}]}
    DocumentReference.model_validate(resource)
    return resource


def _document_id(answer: object) -> str:
    if not isinstance(answer, dict):
        return ""
    if isinstance(answer.get("id"), str) and answer["id"]:
        return answer["id"]
    location = str(answer.get("_location") or "")
    parts = location.split("/DocumentReference/", 1)
    return parts[1].split("/", 1)[0] if len(parts) == 2 else ""
