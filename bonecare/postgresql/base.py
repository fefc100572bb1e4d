"""PostgreSQL through psycopg2: the health check skipped while a connection is busy, and the
hot statements prepared once per connection.

Django's CONN_HEALTH_CHECKS asks a reused connection "SELECT 1" before the first query of
every request: a round trip per request, a large part of what a short API call costs under
load (make bench-api). A connection that answered a request moments ago is as likely to work
as one that has just answered "SELECT 1", so the check is made only after the connection has
been idle for RECENT_SECONDS. What that costs: if PostgreSQL restarts within that second
after a request, the worker's next request fails with a 503 (options.failure) and the
broken connection is closed as that request ends; the request after it reconnects.

psycopg2 sends every statement as text, which PostgreSQL parses and plans afresh: for the
API's authentication statement planning costs more than running it (docs/speed.md, "REST
API"). `prepare_once` prepares such a statement on the
connection the first time it is used there (a new connection starts with none), and
bonecare.db.execute_hot runs it with EXECUTE.
"""

import hashlib
import re
import time

from django.core.signals import request_finished
from django.db import connections
from django.db.backends.postgresql import base

RECENT_SECONDS = 1.0
_PLACEHOLDER = re.compile(r"%s")


class DatabaseWrapper(base.DatabaseWrapper):
    """The PostgreSQL backend, health-checking a reused connection only after it was idle."""

    answered_at = float("-inf")  # when this connection last saw a request end without error

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared = set()  # names of the statements prepared on the open connection

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self.prepared = set()  # prepared statements live and die with their connection
        return connection

    def close_if_health_check_failed(self):
        if (self.connection is not None and not self.health_check_done
                and time.monotonic() - self.answered_at < RECENT_SECONDS):
            self.health_check_done = True  # it answered a moment ago
            return
        super().close_if_health_check_failed()

    def prepare_once(self, cursor, sql):
        """Return the name of `sql` (with %s placeholders) prepared on this connection,
        preparing it now if it is not yet. PREPARE outlives a rolled-back transaction."""
        name = "bonecare_" + hashlib.sha256(sql.encode()).hexdigest()[:16]
        if name not in self.prepared:
            numbers = iter(range(1, sql.count("%s") + 1))
            cursor.execute(f"PREPARE {name} AS "
                           + _PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql))
            self.prepared.add(name)
        return name


def _remember_answers(**kwargs):
    """Note, as each request ends, which connections came through it without an error."""
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        if (isinstance(connection, DatabaseWrapper) and connection.connection is not None
                and not connection.errors_occurred):
            connection.answered_at = now


request_finished.connect(_remember_answers)
