"""Session limits for people signed in, and no caching of what Django serves."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

STARTED_KEY = "bonecare_session_started"
SEEN_KEY = "bonecare_last_seen"
# Write the last-seen time at most this often, so that reading a page rarely writes.
SEEN_RESOLUTION_SECONDS = 60

GetResponse = Callable[[HttpRequest], HttpResponse]


class SessionLimitsMiddleware:
    """Sign the user out after SESSION_IDLE_SECONDS idle or SESSION_ABSOLUTE_SECONDS in all.

    Django's cookie age alone slides forward whenever the session is saved, so the
    absolute limit is kept here from the first request after sign-in.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._signed_in(request) and self._expired(request.session):
            logout(request)
        response = self.get_response(request)
        if self._signed_in(request):
            self._stamp(request.session)
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        """A person signed in through a session; never an API client, which has none."""
        return SESSION_KEY in request.session

    @staticmethod
    def _expired(session: SessionBase) -> bool:
        now = time.time()
        started = session.get(STARTED_KEY)
        seen = session.get(SEEN_KEY)
        return (started is not None and now - started > settings.SESSION_ABSOLUTE_SECONDS) or (
            seen is not None and now - seen > settings.SESSION_IDLE_SECONDS
        )

    @staticmethod
    def _stamp(session: SessionBase) -> None:
        now = time.time()
        session.setdefault(STARTED_KEY, now)
        seen = session.get(SEEN_KEY)
        if seen is None or now - seen >= SEEN_RESOLUTION_SECONDS:
            session[SEEN_KEY] = now


class NoStoreMiddleware:
    """Forbid any cache, the browser's included, to keep a page or an API response.

    Every response Django makes may hold patient data or lead to it (consultations, prints,
    the form, the API); only static files, served before this by whitenoise, are cached.
    A view that sets its own Cache-Control keeps it.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
