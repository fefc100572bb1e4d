"""One JSON shape for every error of a machine door (the REST API, CDS Hooks):
{"status", "title", "errors": [{"path", "message"}]}."""

import logging
from collections.abc import Mapping
from typing import Any, TypedDict

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from options.consultation.services import AssessmentInvalid, NoPublishedRuleSet

logger = logging.getLogger(__name__)


class ErrorItem(TypedDict):
    """One error: where in the request ("" for the request as a whole), and what is wrong."""

    path: str
    message: str


class ErrorBody(TypedDict):
    status: int
    title: str
    errors: list[ErrorItem]


TITLES = {
    400: "Invalid request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    411: "Length required",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests",
    503: "Service unavailable",
}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class LengthRequired(exceptions.APIException):
    """A body sent without Content-Length (chunked): Django would read it as empty."""

    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_detail = "Send the body with a Content-Length header, not chunked."
    default_code = "length_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"


class AssessmentRejected(exceptions.APIException):
    """The assessment breaks the contract; carries the validator's field paths."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The assessment is not valid."

    def __init__(self, errors: list[ErrorItem]) -> None:
        super().__init__()
        self.errors = errors


def error_body(status_code: int, errors: list[ErrorItem], title: str | None = None) -> ErrorBody:
    """Return the error document for a status and a list of {"path", "message"}."""
    return {"status": status_code, "title": title or TITLES.get(status_code, "Error"),
            "errors": errors}


def _flatten(detail: object, path: str = "") -> list[ErrorItem]:
    """Turn DRF's nested error detail into [{"path", "message"}]."""
    if isinstance(detail, dict):
        return [item for key, value in detail.items()
                for item in _flatten(value, f"{path}.{key}" if path else str(key))]
    if isinstance(detail, list):
        return [item for value in detail for item in _flatten(value, path)]
    # "detail" and "non_field_errors" are DRF's names for "the request as a whole".
    whole = path in ("detail", "non_field_errors")
    return [{"path": "" if whole else path, "message": str(detail)}]


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response:
    """Render every exception a machine door raises in the one error shape."""
    if isinstance(exc, AssessmentInvalid):
        exc = AssessmentRejected(exc.errors)
    elif isinstance(exc, NoPublishedRuleSet):
        exc = exceptions.APIException(str(exc))
        exc.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    response = drf_exception_handler(exc, context)
    if response is None:
        # A bug, not bad input: keep the traceback in the log (never the body) and answer in
        # the same shape rather than with Django's HTML page.
        logger.error("Unhandled error in %s", context["view"].__class__.__name__,
                     exc_info=exc)
        return Response(error_body(500, [{"path": "", "message": "Internal error."}],
                                   "Internal error"), status=500)
    errors = getattr(exc, "errors", None) or _flatten(response.data)
    title = "Invalid assessment" if isinstance(exc, AssessmentRejected) else None
    response.data = error_body(response.status_code, errors, title)
    return response


def error_response(status_code: int, message: str, path: str = "") -> Response:
    """Return a DRF Response in the error shape."""
    return Response(error_body(status_code, [{"path": path, "message": message}]),
                    status=status_code)


@csrf_exempt  # it reads nothing and changes nothing: a POST gets the 404, not the CSRF page
def not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Answer any unknown address under a door's prefix in the error shape, not Django's
    HTML page."""
    return JsonResponse(error_body(404, [{"path": "", "message": "No such API address."}]),
                        status=404)
