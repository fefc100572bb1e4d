"""What every API view shares beyond the doors' base: the token, the scope, the client's
throttle, and the call's one audit row (api.ApiCallAudit)."""

from dataclasses import dataclass

from django.http import HttpResponse
from rest_framework.request import Request
from rest_framework.response import Response

from options.consultation.models import Consultation
from options.consultation.services import audit_patient_ref
from options.http.views import AuditedView

from .auth import ApiClientAuthentication, ClientRateThrottle, HasScope
from .services import api_call_record

OUTCOMES = {400: "invalid", 401: "denied", 403: "denied", 404: "not_found", 405: "invalid",
            406: "invalid", 409: "conflict", 411: "invalid", 413: "invalid", 415: "invalid",
            429: "denied"}


def _outcome(status_code: int) -> str:
    if status_code < 400:
        return "ok"
    return OUTCOMES.get(status_code, "error")


@dataclass(frozen=True)
class CallRecord:
    """What the audit row of one call says beyond its status: whom it was about, and what
    it caused (the ruleset that advised, the consultation stored or shown)."""

    patient_ref: str = ""
    ruleset_version: str = ""
    consultation: Consultation | None = None
    outcome: str = ""  # blank: follow the status code


class AuditedResponse(Response):
    """A response that carries its audit record from the handler that decided it."""

    def __init__(self, data: object = None, *, record: CallRecord, **kwargs: object) -> None:
        super().__init__(data, **kwargs)
        self.record = record


class ApiView(AuditedView):
    """A client's token, the view's scope and the client's rate; one ApiCallAudit row per
    call with a valid token (options.http.views.AuditedView says when it is written)."""

    authentication_classes = [ApiClientAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    required_scope = None
    route = ""

    def record_call(self, response: HttpResponse) -> None:
        """Write this call's one audit row, unless the caller has no valid token."""
        response.recorded = True
        client = getattr(self.request, "_auth", None)  # never authenticate again here
        if client is None:
            return  # counted by AnonymousRateThrottle instead
        record = getattr(response, "record", None) or CallRecord(
            patient_ref=_patient_ref(self.request, response))
        api_call_record(client=client, endpoint=f"{self.request.method} {self.route}"[:100],
                        status_code=response.status_code,
                        outcome=record.outcome or _outcome(response.status_code),
                        patient_ref=record.patient_ref, ruleset_version=record.ruleset_version,
                        consultation=record.consultation)


def _patient_ref(request: Request, response: HttpResponse) -> str:
    """Name the patient of a refused assessment in its audit row, when the body said."""
    if response.status_code != 400 or request.method != "POST":
        return ""
    data = getattr(request, "_full_data", None)  # parsed already, or never: do not parse now
    return audit_patient_ref(data) if isinstance(data, dict) else ""
