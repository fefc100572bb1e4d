"""Count calls per window, in storage every worker shares: each client's calls, and calls
without a valid token per address."""

import json
import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from redis.exceptions import RedisError

from bonecare.db import execute_hot
from guidance.selectors import published_key_sql

from .models import AnonymousCallCount, ApiClient, ThrottleCount

logger = logging.getLogger(__name__)

# After Redis fails, count in the database for this long before trying Redis again.
REDIS_RETRY_SECONDS = 5
# How long the anonymous counts are kept: they stand in for the audit of refused calls.
ANONYMOUS_KEEP_SECONDS = 7 * 86400


def client_authenticate_counted(*, prefix, digest, period, window_index):
    """Find the live client whose token has this prefix and digest, count this call in its
    window, and return the client with `calls_in_window` and `published_key` set; None for a
    bad token.

    Without Redis, one statement does it all (INSERT ... SELECT ... ON CONFLICT ... RETURNING):
    a revoked or unknown token matches no row, so it is neither counted nor let in, and a
    revocation is seen by the next call. The same statement reads which ruleset is published
    (guidance.selectors.published_key_sql), so that an evaluation needs no statement of its
    own to find it. The digest is compared by the database: equal SHA-256 digests of a
    256-bit secret are not found by timing.
    """
    if "throttle" in settings.CACHES and _redis.worth_trying():
        client = _client_get(prefix, digest)
        if client is not None:
            client.calls_in_window = calls_in_window(client_id=client.pk, period=period,
                                                     window_index=window_index)
        return client
    quote = connection.ops.quote_name
    clients, counts = (quote(m._meta.db_table) for m in (ApiClient, ThrottleCount))
    published, published_params = published_key_sql()
    sql = (f"INSERT INTO {counts} (client_id, period, window_index, calls) "
           f"SELECT id, CAST(%s AS integer), CAST(%s AS bigint), 1 FROM {clients}"
           f" WHERE token_prefix = %s AND token_sha256 = %s"
           f" AND revoked_at IS NULL ON CONFLICT (client_id, period, window_index) DO UPDATE"
           f" SET calls = {counts}.calls + 1 RETURNING client_id, calls,"
           f" (SELECT name FROM {clients} WHERE id = {counts}.client_id),"
           f" (SELECT scopes FROM {clients} WHERE id = {counts}.client_id), "
           + ", ".join(published))
    with connection.cursor() as cursor:
        execute_hot(cursor, sql, [period, window_index, prefix, digest, *published_params])
        row = cursor.fetchone()
    if row is None:
        return None
    client_id, calls, name, scopes, *published_key = row
    if calls == 1:  # a new window: forget this client's older ones
        ThrottleCount.objects.filter(client_id=client_id,
                                     window_index__lt=window_index).delete()
    client = _client(client_id, name, scopes, prefix, published_key)
    client.calls_in_window = calls
    return client


def _client_get(prefix, digest):
    published, published_params = published_key_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name, scopes, {', '.join(published)} FROM "
                       f"{ApiClient._meta.db_table} WHERE token_prefix = %s AND "
                       "token_sha256 = %s AND revoked_at IS NULL",
                       [*published_params, prefix, digest])
        row = cursor.fetchone()
    return None if row is None else _client(*row[:3], prefix, row[3:])


def _client(client_id, name, scopes, prefix, published_key):
    """Return the authenticated client, carrying the published ruleset's key as read."""
    client = ApiClient(id=client_id, name=name, scopes=_json(scopes), token_prefix=prefix)
    client.published_key = tuple(published_key)
    return client


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def calls_in_window(*, client_id, period, window_index):
    """Add one call to a client's window and return the calls counted so far.

    With REDIS_URL set, counts in Redis (the `throttle` cache), falling back to the database
    while Redis is unreachable; otherwise one atomic INSERT ... ON CONFLICT statement in the
    database (PostgreSQL or SQLite 3.35+), exact however many workers count at once and with
    no lock held beyond the statement.
    """
    if "throttle" in settings.CACHES and _redis.worth_trying():
        try:
            calls = _cache_count(client_id, period, window_index)
        except (RedisError, OSError) as exc:
            _redis.failed(exc)
        else:
            _redis.answered()
            return calls
    calls = _database_count(ThrottleCount, {"client_id": client_id, "period": period,
                                            "window_index": window_index})
    if calls == 1:  # a new window: forget this client's older ones
        ThrottleCount.objects.filter(client_id=client_id,
                                     window_index__lt=window_index).delete()
    return calls


def anonymous_calls_in_window(*, address, period, window_index):
    """Add one call without a valid token to an address's window; return the calls so far.

    Always in the database: the counts are the record of refused calls, kept for a week.
    """
    calls = _database_count(AnonymousCallCount, {"address": address, "period": period,
                                                 "window_index": window_index})
    if calls == 1:  # a new window: forget everyone's windows older than a week
        oldest = window_index - ANONYMOUS_KEEP_SECONDS // period
        AnonymousCallCount.objects.filter(period=period, window_index__lt=oldest).delete()
    return calls


def _database_count(model, key):
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(c) for c in key)
    placeholders = ", ".join(["%s"] * len(key))
    sql = (f"INSERT INTO {table} ({columns}, {quote('calls')}) VALUES ({placeholders}, 1) "
           f"ON CONFLICT ({columns}) DO UPDATE SET {quote('calls')} = "
           f"{table}.{quote('calls')} + 1 RETURNING {quote('calls')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, list(key.values()))
        return cursor.fetchone()[0]


def _cache_count(client_id, period, window_index):
    cache = caches["throttle"]
    key = f"api-throttle:{client_id}:{period}:{window_index}"
    if cache.add(key, 1, timeout=period + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        return 1


class _RedisState:
    """Whether this process may use Redis, with one warning per outage, not one per call."""

    def __init__(self):
        self._lock = threading.Lock()
        self._down_since = None
        self._retry_at = 0.0

    def worth_trying(self):
        return time.monotonic() >= self._retry_at

    def failed(self, exc):
        with self._lock:
            self._retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
        logger.warning("Redis unavailable (%s); counting API calls in the database until it "
                       "answers again", exc.__class__.__name__)

    def answered(self):
        if self._down_since is None:
            return
        with self._lock:
            down_for, self._down_since = time.monotonic() - (self._down_since or 0), None
        logger.info("Redis answers again after %.0f s; counting API calls in Redis", down_for)


_redis = _RedisState()
