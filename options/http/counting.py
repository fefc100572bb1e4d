"""Count calls per fixed window, in storage every worker shares: each client's calls (in
Redis when REDIS_URL is set, else in the database) and calls without a valid credential per
address (always in the database: they are the week's record of refused calls)."""

import logging
import threading
import time
from collections.abc import Mapping

from django.conf import settings
from django.core.cache import caches
from django.db import connection, models
from redis.exceptions import RedisError

from .models import AnonymousCallCount, CallCount

logger = logging.getLogger(__name__)

# After Redis fails, count in the database for this long before trying Redis again.
REDIS_RETRY_SECONDS = 5
# How long the anonymous counts are kept: they stand in for the audit of refused calls.
ANONYMOUS_KEEP_SECONDS = 7 * 86400


def parse_rate(rate: str) -> tuple[int, int]:
    """Turn '600/min' into (600, 60)."""
    count, _, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[:1]]
    return int(count), seconds


def calls_in_window(*, door: str, caller: int, period: int, window_index: int) -> int:
    """Add one call to a client's window and return the calls counted so far.

    With REDIS_URL set, counts in Redis (the `throttle` cache), falling back to the database
    while Redis is unreachable; otherwise one atomic INSERT ... ON CONFLICT statement in the
    database (PostgreSQL or SQLite 3.35+), exact however many workers count at once and with
    no lock held beyond the statement.
    """
    if "throttle" in settings.CACHES and redis_state.worth_trying():
        try:
            calls = _cache_count(f"{door}-throttle:{caller}:{period}:{window_index}", period)
        except (RedisError, OSError) as exc:
            redis_state.failed(exc)
        else:
            redis_state.answered()
            return calls
    calls = _database_count(CallCount, {"door": door, "caller": caller, "period": period,
                                        "window_index": window_index})
    if calls == 1:  # a new window: forget this client's older ones
        CallCount.objects.filter(door=door, caller=caller,
                                 window_index__lt=window_index).delete()
    return calls


def anonymous_calls_in_window(*, address: str, period: int, window_index: int) -> int:
    """Add one call without a valid credential to an address's window; return the calls so
    far. Always in the database: the counts are the record of refused calls, kept a week."""
    calls = _database_count(AnonymousCallCount, {"address": address, "period": period,
                                                 "window_index": window_index})
    if calls == 1:  # a new window: forget everyone's windows older than a week
        oldest = window_index - ANONYMOUS_KEEP_SECONDS // period
        AnonymousCallCount.objects.filter(period=period, window_index__lt=oldest).delete()
    return calls


def _database_count(model: type[models.Model], key: Mapping[str, str | int]) -> int:
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


def _cache_count(key: str, period: int) -> int:
    cache = caches["throttle"]
    if cache.add(key, 1, timeout=period + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        return 1


class RedisState:
    """Whether this process may use Redis, with one warning per outage, not one per call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0

    def worth_trying(self) -> bool:
        return time.monotonic() >= self._retry_at

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
        logger.warning("Redis unavailable (%s); counting calls in the database until it "
                       "answers again", exc.__class__.__name__)

    def answered(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            down_for, self._down_since = time.monotonic() - (self._down_since or 0), None
        logger.info("Redis answers again after %.0f s; counting calls in Redis", down_for)

    def forget(self) -> None:
        """Forget an earlier failure, as if the retry pause had passed (tests)."""
        with self._lock:
            self._retry_at, self._down_since = 0.0, None


redis_state = RedisState()
