"""The CDS Hooks endpoints: discovery, the three hooks, feedback. Thin: the work is in
services; the error shape, the 503 and the anonymous throttle are the doors' shared base
(options.http)."""

from django.http import HttpResponse
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from guidance.codes import OBSERVATION_LISTS
from guidance.selectors import code_lists_published
from options.http.errors import ErrorItem
from options.http.parsers import LimitedJSONParser
from options.http.views import AuditedView

from .auth import CdsClientThrottle, CdsJwtAuthentication, ServiceAllowed
from .feedback import FeedbackInvalid, feedback_store
from .fetch import PrefetchUnavailable
from .fhir import RequestInvalid, text_printable
from .hooks import SERVICES, Service, prefetch_templates
from .services import cds_call_record, hook_answer, hook_answer_record, request_for_hook

OUTCOMES = {400: "invalid", 401: "denied", 403: "denied", 404: "not_found", 405: "invalid",
            411: "invalid", 412: "precondition", 413: "invalid", 415: "invalid",
            429: "denied", 503: "unavailable"}


class BadRequest(exceptions.APIException):
    """The request breaks CDS Hooks or FHIR; carries the paths of the problems."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Invalid request."

    def __init__(self, errors: list[ErrorItem]) -> None:
        super().__init__()
        self.errors = errors


class PreconditionFailed(BadRequest):
    status_code = status.HTTP_412_PRECONDITION_FAILED


class CdsJSONParser(LimitedJSONParser):
    limit_setting = "BONECARE_CDS_MAX_BODY_BYTES"


class CdsView(AuditedView):
    """Deny by default: a verified JWT from a registered, unrevoked EHR, allowed the
    service; one audit row per call by a known EHR (cds_hooks.CdsCallAudit)."""

    authentication_classes = [CdsJwtAuthentication]
    permission_classes = [ServiceAllowed]
    throttle_classes = [CdsClientThrottle]
    parser_classes = [CdsJSONParser]

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if isinstance(exc, RequestInvalid | FeedbackInvalid):
            exc = BadRequest(exc.errors)
        elif isinstance(exc, PrefetchUnavailable):
            exc = PreconditionFailed(exc.errors)
        return super().handle_exception(exc)

    def call_info(self) -> dict[str, str]:
        """The hook, hookInstance and patient id of the body, if it was parsed."""
        data = getattr(self.request, "_full_data", None)
        if not isinstance(data, dict):
            return {}
        context = data.get("context") if isinstance(data.get("context"), dict) else {}
        # As sent, even when refused, but never a control character (PostgreSQL refuses NUL).
        return {key: text_printable(value, 100) for key, value in (
            ("hook", data.get("hook")), ("hook_instance", data.get("hookInstance")),
            ("patient_id", context.get("patientId")))}

    def record_call(self, response: HttpResponse) -> None:
        """Write this call's one audit row, when the caller is a registered EHR."""
        response.recorded = True
        client = getattr(self.request._request, "cds_client", None)
        if client is None:
            return  # counted by AnonymousRateThrottle instead
        code = response.status_code
        outcome = ("replayed" if getattr(self.request._request, "cds_replayed", False)
                   else "ok" if code < 400 else OUTCOMES.get(code, "error"))
        cds_call_record(client=client, service=self.kwargs.get("service_id", "discovery"),
                        request=self.call_info(), status_code=code, outcome=outcome)


def _service(service_id: str) -> Service:
    service = SERVICES.get(service_id)
    if service is None:
        raise exceptions.NotFound("No such CDS service.")
    return service


class DiscoveryView(CdsView):
    """List the three services with their prefetch templates."""

    def get(self, request: Request) -> Response:
        templates = prefetch_templates(code_lists_published().codes_of(OBSERVATION_LISTS))
        return Response({"services": [{
            "id": s.id, "hook": s.hook, "title": s.title, "description": s.description,
            "prefetch": templates,
            "usageRequirements": "Send a JWT signed by a key registered with BoneCare. The "
                                 "EHR's problem list, recent laboratory results, allergies, "
                                 "medications and procedures are read; imaging findings and "
                                 "treatment responses are asked in BoneCare.",
        } for s in SERVICES.values()]})


class ServiceView(CdsView):
    """Answer one hook call with cards."""

    def post(self, request: Request, service_id: str) -> Response:
        service = _service(service_id)
        hook_request = request_for_hook(request.data, service=service)
        answer = hook_answer(service=service, request=hook_request, client=request.auth,
                             base_url=request.build_absolute_uri("/"))
        response = Response({"cards": answer.cards})
        hook_answer_record(answer=answer, client=request.auth, service=service,
                           request=self.call_info())
        response.recorded = True
        return response


class FeedbackView(CdsView):
    """Store what the clinician did with each card (accepted or overridden, and why)."""

    def post(self, request: Request, service_id: str) -> Response:
        service = _service(service_id)
        feedback_store(client=request.auth, service=service, body=request.data)
        return Response({})
