"""The seen-jti store and the per-client call count, shared by every worker: a database
table, or Redis when REDIS_URL is set (falling back to the table while Redis is down)."""

import datetime
import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from redis.exceptions import RedisError

from options.api.throttling import _redis

from .models import SeenJti

PURGE_EVERY_SECONDS = 60
_last_purge = [0.0]


def _redis_on():
    return "throttle" in settings.CACHES and _redis.worth_trying()


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def jti_first_use(*, iss, jti, expires_at):
    """Record a JWT id; return False when this issuer used it before and it is still live."""
    now = timezone.now()
    if _redis_on():
        try:
            ttl = max(1, int((expires_at - now).total_seconds()) + 1)
            first = caches["throttle"].add(f"cds-jti:{_digest(iss)}:{_digest(jti)}", 1, ttl)
        except (RedisError, OSError) as exc:
            _redis.failed(exc)
        else:
            _redis.answered()
            return first
    return _database_first_use(iss, jti, now, expires_at)


def _database_first_use(iss, jti, now, expires_at):
    quote = connection.ops.quote_name
    table = quote(SeenJti._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    # A jti whose earlier token has expired may be used again; a live one never.
    sql = (f"INSERT INTO {table} (iss, jti, seen_at, expires_at) VALUES (%s, %s, %s, %s) "
           f"ON CONFLICT (iss, jti) DO UPDATE SET seen_at = excluded.seen_at, "
           f"expires_at = excluded.expires_at WHERE {table}.expires_at < %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [iss, jti, adapt(now), adapt(expires_at), adapt(now)])
        first = cursor.rowcount == 1
    _purge(now)
    return first


def _purge(now):
    if time.monotonic() - _last_purge[0] > PURGE_EVERY_SECONDS:
        _last_purge[0] = time.monotonic()
        SeenJti.objects.filter(expires_at__lt=now).delete()


def counted_in_database():
    """Tell whether calls are counted in the seen-jti table (no Redis to count them in)."""
    return not _redis_on()


def window_start(period):
    """Return when the current throttle window began."""
    return datetime.datetime.fromtimestamp(time.time() // period * period, tz=datetime.UTC)


def calls_in_window(*, iss, period, calls_before=None):
    """Return how many calls this issuer made in the current window, this one included.

    Without Redis every call's jti is a row, so the table already counts the calls: the
    client's lookup counted those before this one (`calls_before`).
    """
    if _redis_on():
        key = f"cds-calls:{_digest(iss)}:{period}:{int(time.time() // period)}"
        try:
            cache = caches["throttle"]
            if cache.add(key, 1, timeout=period + 1):
                return 1
            return cache.incr(key)
        except (RedisError, OSError, ValueError) as exc:
            _redis.failed(exc)
    if calls_before is not None:
        return calls_before + 1
    table = connection.ops.quote_name(SeenJti._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE iss = %s AND seen_at >= %s",
                       [iss, connection.ops.adapt_datetimefield_value(window_start(period))])
        return cursor.fetchone()[0]
