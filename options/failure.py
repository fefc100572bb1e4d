"""Fail safely when the database or Redis goes away, and tell a load balancer whether to send
traffic: a 503 in the caller's shape with one log line, and the /healthz and /readyz probes.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.log import log_response
from redis.exceptions import RedisError

from guidance.selectors import NoPublishedRuleSet, ruleset_get_published
from options.http.errors import error_body

try:  # psycopg2 raises its own classes where Django's wrapper does not reach (closing)
    from psycopg2 import InterfaceError as PgInterfaceError
    from psycopg2 import OperationalError as PgOperationalError
except ImportError:  # pragma: no cover - SQLite-only installs
    PgInterfaceError = PgOperationalError = OperationalError

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PgOperationalError, PgInterfaceError)
# Addresses whose callers read JSON: the REST API, CDS Hooks and the form's calculator.
JSON_PATHS = ("/api/", "/cds-services", "/consultations/derive/")
MESSAGE = "The database is unavailable. Try again shortly."


def database_unavailable(exc):
    """Tell whether an exception means the database cannot be reached just now."""
    return isinstance(exc, DATABASE_UNAVAILABLE)


def _reason(exc):
    """Name the failure in a few words: the driver's first line, never a query or its data."""
    first_line = (str(exc).strip().splitlines() or [""])[0]
    return f"{exc.__class__.__name__}: {first_line[:160]}"


def unavailable_response(request, exc):
    """Answer 503 without touching the database or the session, and log it in one line."""
    if request.path.startswith(JSON_PATHS):
        response = JsonResponse(error_body(503, [{"path": "", "message": MESSAGE}]),
                                status=503)
    else:
        # No request, so no context processor runs: nothing looks up a user or a session.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(settings.BONECARE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # log_response marks the response as logged, so Django's request logger adds no second
    # line and no traceback.
    log_response("Database unavailable, answered 503: %s %s (%s)", request.method,
                 request.path, _reason(exc), response=response, request=request,
                 logger=logger, level="error")
    return response


def _probe_response(request, body, status):
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    if status >= 500:
        log_response("Not ready: %s", ", ".join(f"{name} {state}" for name, state in
                                                body["checks"].items() if state != "ok"),
                     response=response, request=request, logger=logger, level="warning")
    return response


def healthz(request):
    """Tell a load balancer the process is alive; touches nothing else."""
    return _probe_response(request, {"status": "alive"}, 200)


def _database_state():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"unavailable ({exc.__class__.__name__})"
    return "ok"


def _ruleset_state():
    try:
        ruleset_get_published()
    except NoPublishedRuleSet:
        return "none published"
    except DatabaseError as exc:
        return f"unavailable ({exc.__class__.__name__})"
    return "ok"


def _redis_state():
    if "throttle" not in settings.CACHES:
        return "not configured"
    try:
        caches["throttle"].get("bonecare:readyz")
    except (RedisError, OSError) as exc:
        return f"unavailable ({exc.__class__.__name__})"
    return "ok"


def readyz(request):
    """Tell a load balancer whether to send traffic: the database answers a trivial query,
    Redis (when REDIS_URL is set) answers, and a ruleset is published."""
    checks = {"database": _database_state()}
    checks["ruleset"] = _ruleset_state() if checks["database"] == "ok" else "unknown"
    checks["redis"] = _redis_state()
    ready = all(state in ("ok", "not configured") for state in checks.values())
    return _probe_response(request, {"status": "ready" if ready else "unavailable",
                                     "checks": checks}, 200 if ready else 503)


PROBES = {"/healthz": healthz, "/readyz": readyz}


class AvailabilityMiddleware:
    """Answer the probes before any session or sign-in work, and a lost database with 503.

    Place it just before SessionMiddleware. process_exception catches the failures raised in views
    (and in DRF views through the API's exception handler); a failure raised inside another
    middleware (a session or user lookup) is turned into a response by Django before it gets
    here, so handler500 (options.http.pages.server_error) answers those in the same way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None:
            if request.method not in ("GET", "HEAD"):
                return JsonResponse({"status": "method not allowed"}, status=405)
            return probe(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            return unavailable_response(request, exception)
        return None
