"""The base view of every machine door: deny by default, one error shape, a 503 while the
database is down, and one audit row per call by a known client, written by the door's
`record_call` with the answer the client was told."""

import functools
from collections.abc import Callable, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.db import transaction
from django.http import HttpResponse
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from options.failure import database_unavailable, unavailable_response

from .errors import LengthRequired, exception_handler
from .parsers import LimitedJSONParser
from .renderers import CompactJSONRenderer, JSONContentNegotiation
from .throttles import AnonymousRateThrottle

ViewT = TypeVar("ViewT", bound="AuditedView")
P = ParamSpec("P")
# A door's handler method: (view, request, *url arguments) -> response.
Handler = Callable[Concatenate[ViewT, Request, P], Response]


def in_transaction(handler: Handler[ViewT, P]) -> Handler[ViewT, P]:
    """Run a handler and its call's audit row in one transaction: both commit or neither.

    An exception rolls everything back; AuditedView.finalize_response then records the error
    response after the rollback, so the row that says what the client was told is kept.
    """
    @functools.wraps(handler)
    def run(view: ViewT, request: Request, *args: P.args, **kwargs: P.kwargs) -> Response:
        with transaction.atomic():
            response = handler(view, request, *args, **kwargs)
            view.record_call(response)
        return response

    return run


class AuditedView(APIView):
    """Deny by default; every call by a known client leaves one audit row whose outcome is
    what the client was told (the door's `record_call`).

    A handler that writes is wrapped in `in_transaction`, so the row and the writes commit
    together and no row says "ok" for a call that ends in an error; every other response
    is recorded as it is finalized. The checks before the handler (credential, permission,
    throttle) run outside any transaction, so that a client's concurrent calls never queue
    on a lock. Calls without a valid credential are counted per address
    (AnonymousRateThrottle), not audited one row each. While the database is unavailable the
    answer is 503 (options.failure) and nothing can be audited.
    """

    authentication_classes = []
    permission_classes = [IsAuthenticated]
    throttle_classes = []
    parser_classes = [LimitedJSONParser]
    renderer_classes = [CompactJSONRenderer]
    content_negotiation_class = JSONContentNegotiation
    metadata_class = None  # no OPTIONS self-description: the OpenAPI schema is the document
    query_parameters = ()  # any other query parameter is an error, not silently ignored

    def get_exception_handler(self) -> Callable[[Exception, Mapping[str, Any]], Response]:
        return exception_handler

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if database_unavailable(exc):
            response = unavailable_response(self.request, exc)
            response.recorded = True  # nothing can be audited without the database
            return response
        return super().handle_exception(exc)

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
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

    def finalize_response(self, request: Request, response: HttpResponse, *args: object,
                          **kwargs: object) -> HttpResponse:
        if not getattr(response, "recorded", False):
            try:
                self.record_call(response)
            except Exception as exc:  # the audit failed: the client is told so, not "ok"
                response = self.handle_exception(exc)
                if not getattr(response, "recorded", False):
                    self.record_call(response)
        return super().finalize_response(request, response, *args, **kwargs)

    def record_call(self, response: HttpResponse) -> None:
        """Write this call's one audit row (each door's own), and mark the response
        recorded."""
        raise NotImplementedError
