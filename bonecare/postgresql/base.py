"""PostgreSQL through psycopg2, with the connection health check skipped while it is busy.

Django's CONN_HEALTH_CHECKS asks a reused connection "SELECT 1" before the first query of
every request: a round trip per request, which under load is a fifth of an evaluation's
cost (make bench-api). A connection that answered a request moments ago is as likely to work
as one that has just answered "SELECT 1", so the check is made only after the connection has
been idle for RECENT_SECONDS. What that costs: if PostgreSQL restarts within that second
after a request, the worker's next request fails with a 503 (options.failure) and the
broken connection is closed as that request ends; the request after it reconnects.
"""

import time

from django.core.signals import request_finished
from django.db import connections
from django.db.backends.postgresql import base

RECENT_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    """The PostgreSQL backend, health-checking a reused connection only after it was idle."""

    answered_at = float("-inf")  # when this connection last saw a request end without error

    def close_if_health_check_failed(self):
        if (self.connection is not None and not self.health_check_done
                and time.monotonic() - self.answered_at < RECENT_SECONDS):
            self.health_check_done = True  # it answered a moment ago
            return
        super().close_if_health_check_failed()


def _remember_answers(**kwargs):
    """Note, as each request ends, which connections came through it without an error."""
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        if (isinstance(connection, DatabaseWrapper) and connection.connection is not None
                and not connection.errors_occurred):
            connection.answered_at = now


request_finished.connect(_remember_answers)
