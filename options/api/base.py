"""What every API view shares: authentication, throttling, the error shape and the audit."""

import logging
from contextlib import nullcontext

from django.db import transaction
from rest_framework.exceptions import (
    APIException,
    AuthenticationFailed,
    NotAuthenticated,
    ValidationError,
)
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from options.failure import database_unavailable, unavailable_response

from .auth import AnonymousRateThrottle, ApiClientAuthentication, ClientRateThrottle, HasScope
from .errors import LengthRequired, api_exception_handler
from .models import ApiClient
from .parsers import LimitedJSONParser
from .services import api_call_record

logger = logging.getLogger(__name__)

OUTCOMES = {400: "invalid", 401: "denied", 403: "denied", 404: "not_found", 405: "invalid",
            406: "invalid", 409: "conflict", 411: "invalid", 413: "invalid", 415: "invalid",
            429: "denied"}


def _outcome(status_code):
    if status_code < 400:
        return "ok"
    return OUTCOMES.get(status_code, "error")


class ApiView(APIView):
    """Deny by default; every call by a client leaves one audit row whose outcome is what the
    client was told.

    The handler and its audit rows share one transaction when the operation writes or audits
    an evaluation (`writes = True`), so no row says "ok" for a call that ends in an error; the
    checks before it (token, scope, throttle) stay outside, so that a client's concurrent
    calls never queue on a lock. Calls without a valid token are counted per address
    (AnonymousRateThrottle), not audited one row each. While the database is unavailable
    the answer is 503 (options.failure) and nothing can be audited.
    """

    authentication_classes = [ApiClientAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    parser_classes = [LimitedJSONParser]
    renderer_classes = [JSONRenderer]
    metadata_class = None  # no OPTIONS self-description: the OpenAPI schema is the document
    required_scope = None
    route = ""
    query_parameters = ()  # any other query parameter is an error, not silently ignored
    writes = False

    def get_exception_handler(self):
        return api_exception_handler

    def handle_exception(self, exc):
        if database_unavailable(exc):
            return unavailable_response(self.request, exc)
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

    def dispatch(self, request, *args, **kwargs):
        """Run DRF's dispatch steps; the handler and its audit share a transaction."""
        self.args, self.kwargs = args, kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        self.audit = {}
        try:
            self.initial(request, *args, **kwargs)
        except Exception as exc:
            response = self.handle_exception(exc)
            if not database_unavailable(exc):
                self._record(response)
        else:
            response = self._handle(request, *args, **kwargs)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return self.response

    def _handle(self, request, *args, **kwargs):
        method = request.method.lower()
        handler = (getattr(self, method, self.http_method_not_allowed)
                   if method in self.http_method_names else self.http_method_not_allowed)
        failure = None
        with transaction.atomic() if self.writes else nullcontext():
            try:
                response = handler(request, *args, **kwargs)
            except Exception as exc:
                failure, response = exc, self.handle_exception(exc)
            failed = response.status_code >= 500
            if failed and self.writes:
                transaction.set_rollback(True)  # a server error undoes the operation's writes
            elif not failed:
                self._record(response)
        if failed and not database_unavailable(failure):
            self._record(response)  # after the rollback, so that it is kept
        return response

    def _record(self, response):
        client = _client(self.request)
        if client is None:
            return  # counted by AnonymousRateThrottle instead
        outcome = self.audit.pop("outcome", None) or _outcome(response.status_code)
        api_call_record(client=client, endpoint=f"{self.request.method} "
                        f"{self.route}"[:100], status_code=response.status_code,
                        outcome=outcome, **self.audit)


def _client(request):
    try:
        auth = request.auth
    except (APIException, AttributeError):
        return None
    return auth if isinstance(auth, ApiClient) else None
