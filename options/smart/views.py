"""The SMART App Launch 2.x door: EHR launch, standalone launch, the callback, the form
pre-filled from the record, filing the summary back, and BoneCare's public JWK Set.

A launch either ends signed in with the record read, or is refused with a page that says why
and one audit row (SmartLaunch, and a refused sign-in in the account audit). Nothing the EHR
sends is trusted before it is checked: the `iss` must be registered, the `state` must be one
this browser's session started (used once), the ID token must verify against the EHR's keys,
and the token must carry a patient.
"""

import secrets
import time

import requests
from authlib.common.errors import AuthlibBaseError
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from joserfc.errors import JoseError

from options.cds_hooks.fetch import PrefetchUnavailable
from options.choices import field_name
from options.identity.backends import PROVIDER_BACKEND
from options.web.consultation_form import ConsultationForm, data_from_assessment
from options.web.presenters import conditions_said_once, consultation_view, inputs_view
from options.web.presenters.draft import draft_banner, record_answers
from options.web.views.access import clinician_required
from options.web.views.consultations import consultation_form_page, consultation_submit

from .keys import SigningKeyMissing, public_key_set
from .models import SmartClient
from .oauth import LaunchRefused, configuration_read, oauth_app
from .scopes import filing_granted, scopes_asked
from .services import (
    LaunchContext,
    card_compare,
    ehr_account,
    launch_record,
    read_failure_words,
    record_mapped,
    refusal_audit,
    smart_client_for,
    summary_file,
)
from .vault import token_get, token_keep

PENDING = "smart_pending"
LAUNCH = "smart_launch"
PENDING_SECONDS = 600
PENDING_MAX = 5


def _refused(request: HttpRequest, *, kind: str, reason: str, words: str, status: int = 400,
             client: SmartClient | None = None, iss: object = "", **fields: object
             ) -> HttpResponse:
    """The refusal's page and its audit rows."""
    launch_record(kind=kind, outcome="refused", request=request, client=client,
                  iss=iss or (client.iss if client else ""), reason=reason, **fields)
    refusal_audit(request=request, reason=f"SMART launch: {reason}",
                  subject=str(fields.get("fhir_user", "")))
    return render(request, "smart/refused.html", {"words": words, "reason": reason},
                  status=status)


@require_GET
def launch(request: HttpRequest) -> HttpResponse:
    """EHR launch: /smart/launch?iss=…&launch=…"""
    iss, launch_id = request.GET.get("iss", ""), request.GET.get("launch", "")
    client = smart_client_for(iss)
    if client is None:
        return _refused(request, kind="ehr", reason="unknown_iss", iss=iss,
                        words="The EHR that opened BoneCare is not registered with it, so "
                              "BoneCare will not read its record or sign anyone in from it.")
    if not launch_id or len(launch_id) > 500:
        return _refused(request, kind="ehr", reason="no_launch", client=client,
                        words="The EHR opened BoneCare without a launch context.")
    return _authorize(request, client, kind="ehr", launch=launch_id)


@require_GET
def standalone_page(request: HttpRequest) -> HttpResponse:
    """Choose a registered EHR to open a patient from (standalone launch)."""
    clients = SmartClient.objects.filter(revoked_at__isnull=True).only("pk", "name")
    return render(request, "smart/standalone.html", {"clients": clients})


@require_GET
def standalone_start(request: HttpRequest) -> HttpResponse:
    """A link, not a form: the answer is a redirect to the EHR, which the page's
    Content-Security-Policy (form-action 'self') would stop after a form's POST."""
    client = SmartClient.objects.filter(pk=_int(request.GET.get("client")),
                                        revoked_at__isnull=True).first()
    if client is None:
        return _refused(request, kind="standalone", reason="unknown_client",
                        words="Choose one of the EHRs listed on the page.")
    return _authorize(request, client, kind="standalone")


def _int(value: object) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else 0


def _authorize(request: HttpRequest, client: SmartClient, *, kind: str,
               launch: str = "") -> HttpResponse:
    try:
        metadata = configuration_read(client)
        app = oauth_app(client, metadata)
    except LaunchRefused as refused:
        return _refused(request, kind=kind, reason=refused.reason, words=refused.words,
                        client=client, status=502)
    except SigningKeyMissing:
        return _refused(request, kind=kind, reason="no_signing_key", client=client, status=503,
                        words="BoneCare's signing key for this EHR is not configured. Tell "
                              "the BoneCare administrator.")
    extra = {"launch": launch} if launch else {}
    redirect_uri = _redirect_uri(request)
    asked = app.create_authorization_url(
        redirect_uri, scope=scopes_asked(standalone=kind == "standalone"),
        aud=client.iss, **extra)
    app.save_authorize_data(request, redirect_uri=redirect_uri, **asked)
    pending = {s: p for s, p in request.session.get(PENDING, {}).items()
               if time.time() - p["at"] < PENDING_SECONDS}
    pending = dict(list(pending.items())[-(PENDING_MAX - 1):])
    pending[asked["state"]] = {"client": client.pk, "kind": kind, "at": time.time(),
                               "metadata": metadata}
    request.session[PENDING] = pending
    return redirect(asked["url"])


def _redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("smart-callback"))


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The EHR's answer: check state (once), exchange the code, verify the ID token, find the
    clinician, read the record with the token; then the pre-filled form."""
    state = request.GET.get("state", "")
    pending_all = request.session.get(PENDING, {})
    pending = pending_all.pop(state, None) if isinstance(state, str) else None
    request.session[PENDING] = pending_all
    if pending is None or time.time() - pending["at"] >= PENDING_SECONDS:
        return _refused(request, kind="ehr", reason="state_unknown",
                        words="This answer from the EHR is not for a launch this browser "
                              "started, or it has been used already. Open BoneCare from the "
                              "EHR again.")
    kind = pending["kind"]
    client = SmartClient.objects.filter(pk=pending["client"], revoked_at__isnull=True).first()
    if client is None:
        return _refused(request, kind=kind, reason="revoked",
                        words="This EHR's registration with BoneCare has been revoked.")
    if request.GET.get("error"):
        return _refused(request, kind=kind, reason="ehr_refused", client=client,
                        words="The EHR did not authorise BoneCare "
                              f"({request.GET['error'][:60]}).")
    try:
        token = oauth_app(client, pending["metadata"]).authorize_access_token(
            request, leeway=60, claims_options={
                "iss": {"essential": True, "value": pending["metadata"]["issuer"]},
                "aud": {"essential": True, "value": client.client_id}})
    except (JoseError, ValueError) as error:
        return _refused(request, kind=kind, reason="id_token_invalid", client=client,
                        words="The EHR's proof of who you are (its ID token) did not pass "
                              f"BoneCare's checks ({type(error).__name__}).")
    except AuthlibBaseError as error:
        return _refused(request, kind=kind, reason="token_refused", client=client,
                        words=f"The EHR refused to give BoneCare access ({error.error}).")
    except (requests.RequestException, SigningKeyMissing):
        return _refused(request, kind=kind, reason="token_endpoint_unreachable",
                        client=client, status=502,
                        words="BoneCare could not reach the EHR's authorisation server.")
    return _signed(request, client, kind, token)


def _signed(request: HttpRequest, client: SmartClient, kind: str,
            token: dict) -> HttpResponse:
    claims = token.get("userinfo") or {}
    fhir_user = str(claims.get("fhirUser") or "")
    patient = token.get("patient")
    scopes = str(token.get("scope") or "").split()
    audit = {"kind": kind, "client": client, "fhir_user": fhir_user, "scopes": scopes}
    if not claims:
        return _refused(request, reason="no_id_token", words="The EHR did not say who you "
                        "are (no ID token).", **audit)
    if not fhir_user:
        return _refused(request, reason="no_fhir_user", words="The EHR did not say who you "
                        "are in its record (no fhirUser).", **audit)
    if not isinstance(patient, str) or not patient:
        return _refused(request, reason="no_patient", words="The EHR did not say which "
                        "patient to open (no patient context).", **audit)
    audit["patient"] = patient
    access, expires_in = token.get("access_token"), _int(str(token.get("expires_in", "")))
    if not access or expires_in <= 0 or float(token.get("expires_at") or 0) <= time.time():
        return _refused(request, reason="token_expired", words="The access the EHR gave "
                        "BoneCare has already expired. Open BoneCare from the EHR again.",
                        **audit)
    try:
        user = ehr_account(client=client, fhir_user=fhir_user, request=request)
    except LaunchRefused as refused:
        return _refused(request, reason=refused.reason, words=refused.words, status=403,
                        **audit)
    try:
        record = record_mapped(client=client, token=access, patient_id=patient, scopes=scopes)
    except PrefetchUnavailable as unavailable:
        return _refused(request, reason="record_unreadable", status=502,
                        words="BoneCare could not read the patient's record from the EHR: "
                              f"{read_failure_words(unavailable)}. Nobody has been signed "
                              "in; open BoneCare from the EHR again.", **audit)
    card = card_compare(token.get("appContext"), user=user, patient=patient,
                        assessment=record.assessment)
    login(request, user, backend=PROVIDER_BACKEND)
    request.session[LAUNCH] = {
        "card": card,
        "id": secrets.token_urlsafe(16), "client_id": client.pk, "ehr": client.name,
        "patient": patient, "encounter": str(token.get("encounter") or ""),
        "fhir_user": fhir_user, "scopes": scopes,
        "need_patient_banner": bool(token.get("need_patient_banner", True)),
        "record": {"assessment": record.assessment, "sources": record.sources,
                   "notes": record.notes, "not_read": record.not_read,
                   "patient": record.patient}}
    launch_record(outcome="signed_in", request=request, user=user, **audit)
    response = redirect("smart-consultation")
    token_keep(request, response, access, expires_in)
    return response


def _smart_context(request: HttpRequest, launch: dict) -> dict[str, object]:
    record = launch["record"]
    assessment = record["assessment"]
    from_record = [{"field": name, "name": field_name(name),
                    "source": record["sources"].get(name, "")}
                   for name in record_answers(assessment)]
    return {"smart": {
        "launch_id": launch["id"], "ehr": launch["ehr"], "patient_id": launch["patient"],
        "patient": record["patient"] if launch["need_patient_banner"] else {},
        "banner_wanted": launch["need_patient_banner"], "from_record": from_record,
        "to_answer": draft_banner(assessment)["to_answer"], "not_read": record["not_read"],
        "notes": record["notes"], "may_file": filing_granted(launch["scopes"]),
        "access_expired": token_get(request) is None,
        "card": launch.get("card")}}


@clinician_required
@require_http_methods(["GET", "POST"])
def consultation(request: HttpRequest) -> HttpResponse:
    """The form pre-filled from the launch's record; saving files the summary back."""
    launch = request.session.get(LAUNCH)
    if launch is None:
        return render(request, "smart/no_launch.html", status=404)
    extra = _smart_context(request, launch)
    if request.method == "GET":
        form = ConsultationForm(data_from_assessment(launch["record"]["assessment"]))
        return consultation_form_page(request, form, **extra)
    if request.POST.get("smart_launch") != launch["id"]:
        return render(request, "smart/no_launch.html", {"other_launch": True}, status=409)
    answer = consultation_submit(request, **extra)
    if isinstance(answer, HttpResponse):
        return answer
    link = request.build_absolute_uri(reverse("consultation-detail", args=[answer.pk]))
    context = {**consultation_view(answer), "inputs": inputs_view(answer), "link": link}
    conditions_said_once(context["options"])
    summary_file(consultation=answer, launch=LaunchContext.from_session(launch),
                 token=token_get(request),
                 html=render_to_string("smart/summary_document.html", context), link=link)
    return redirect("consultation-detail", pk=answer.pk)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """BoneCare's public signing key(s), for EHRs that register it as a confidential
    asymmetric client."""
    response = JsonResponse(public_key_set())
    response["Cache-Control"] = "public, max-age=3600"
    return response
