"""What every API view shares: authentication, throttling, the error shape and the audit."""

import functools
import logging
from dataclasses import dataclass

from django.db import transaction
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotAuthenticated,
    ValidationError,
)
from rest_framework.response import Response
from rest_framework.views import APIView

from options.consultation.services import audit_patient_ref
from options.failure import database_unavailable, unavailable_response

from .auth import AnonymousRateThrottle, ApiClientAuthentication, ClientRateThrottle, HasScope
from .errors import LengthRequired, api_exception_handler
from .models import ApiClient
from .parsers import LimitedJSONParser
from .renderers import ApiJSONRenderer, JSONContentNegotiation
from .services import api_call_record

logger = logging.getLogger(__name__)

OUTCOMES = {400: "invalid", 401: "denied", 403: "denied", 404: "not_found", 405: "invalid",
            406: "invalid", 409: "conflict", 411: "invalid", 413: "invalid", 415: "invalid",
            429: "denied"}


def _outcome(status_code):
    if status_code < 400:
        return "ok"
    return OUTCOMES.get(status_code, "error")


@dataclass(frozen=True)
class CallRecord:
    """What the audit row of one call says beyond its status: whom it was about, and what
    it caused (the ruleset that advised, the consultation stored or shown)."""

    patient_ref: str = ""
    ruleset_version: str = ""
    consultation: object = None
    outcome: str = ""  # blank: follow the status code


class AuditedResponse(Response):
    """A response that carries its audit record from the handler that decided it."""

    def __init__(self, data=None, *, record, **kwargs):
        super().__init__(data, **kwargs)
        self.record = record


def in_transaction(handler):
    """Run a handler and its call's audit row in one transaction: both commit or neither.

    An exception rolls everything back; ApiView.finalize_response then records the error
    response after the rollback, so the row that says what the client was told is kept.
    """
    @functools.wraps(handler)
    def run(view, request, *args, **kwargs):
        with transaction.atomic():
            response = handler(view, request, *args, **kwargs)
            view.record_call(response)
        return response

    return run


class ApiView(APIView):
    """Deny by default; every call by a client leaves one audit row (api.ApiCallAudit) whose
    outcome is what the client was told.

    A handler that writes is wrapped in `in_transaction`, so the row and the writes commit
    together and no row says "ok" for a call that ends in an error; every other response
    is recorded as it is finalized. The checks before the handler (token, scope, throttle)
    run outside any transaction, so that a client's concurrent calls never queue on a lock.
    Calls without a valid token are counted per address (AnonymousRateThrottle), not
    audited one row each. While the database is unavailable the answer is 503
    (options.failure) and nothing can be audited.
    """

    authentication_classes = [ApiClientAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    parser_classes = [LimitedJSONParser]
    renderer_classes = [ApiJSONRenderer]
    content_negotiation_class = JSONContentNegotiation
    metadata_class = None  # no OPTIONS self-description: the OpenAPI schema is the document
    required_scope = None
    route = ""
    query_parameters = ()  # any other query parameter is an error, not silently ignored

    def get_exception_handler(self):
        return api_exception_handler

    def handle_exception(self, exc):
        if database_unavailable(exc):
            response = unavailable_response(self.request, exc)
            response.recorded = True  # nothing can be audited without the database
            return response
        return super().handle_exception(exc)

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)
        except (NotAuthenticated, AuthenticationFailed):
            throttle = AnonymousRateThrottle()
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())
            raise
        if (request.META.get("HTTP_TRANSFER_ENCODING", "").lower().endswith("chunked")
                and not request.META.get("CONTENT_LENGTH")):
            raise LengthRequired()  # Django would read a chunked body as empty
        unknown = sorted(set(request.query_params) - set(self.query_parameters))
        if unknown:
            raise ValidationError({name: "unknown query parameter" for name in unknown})

    def finalize_response(self, request, response, *args, **kwargs):
        if not getattr(response, "recorded", False):
            try:
                self.record_call(response)
            except Exception as exc:  # the audit failed: the client is told so, not "ok"
                response = self.handle_exception(exc)
                if not getattr(response, "recorded", False):
                    self.record_call(response)
        return super().finalize_response(request, response, *args, **kwargs)

    def record_call(self, response):
        """Write this call's one audit row, unless the caller has no valid token."""
        response.recorded = True
        client = getattr(self.request, "_auth", None)
        if not isinstance(client, ApiClient):
            return  # counted by AnonymousRateThrottle instead
        record = getattr(response, "record", None) or CallRecord(
            patient_ref=_patient_ref(self.request, response))
        api_call_record(client=client, endpoint=f"{self.request.method} {self.route}"[:100],
                        status_code=response.status_code,
                        outcome=record.outcome or _outcome(response.status_code),
                        patient_ref=record.patient_ref, ruleset_version=record.ruleset_version,
                        consultation=record.consultation)


def _patient_ref(request, response):
    """Name the patient of a refused assessment in its audit row, when the body said."""
    if response.status_code != 400 or request.method != "POST":
        return ""
    data = getattr(request, "_full_data", None)  # parsed already, or never: do not parse now
    return audit_patient_ref(data) if isinstance(data, dict) else ""
