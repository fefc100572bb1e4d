"""The seen-jti store and the per-EHR call count, shared by every worker: database tables,
or Redis when REDIS_URL is set (falling back to the tables while Redis is down).

A call is counted only once its JWT has been verified and its jti found new, so that nobody
can spend an EHR's allowance with forged tokens naming its issuer.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from redis.exceptions import RedisError

from bonecare.db import execute_hot
from options.api.throttling import _redis

from .models import CallCount, SeenJti

PURGE_EVERY_SECONDS = 60
_last_purge = [0.0]


def _redis_on():
    return "throttle" in settings.CACHES and _redis.worth_trying()


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def jti_record(*, client, jti, expires_at, period):
    """Record a verified JWT's id and count the call in the EHR's window.

    Return the calls counted in the window so far, or None when this issuer used the jti
    before and its token is still live (a replay, not counted).
    """
    now = timezone.now()
    window = int(time.time() // period)
    if _redis_on():
        try:
            return _redis_record(client, jti, expires_at, now, period, window)
        except (RedisError, OSError, ValueError) as exc:
            _redis.failed(exc)
    calls = _database_record(client, jti, now, expires_at, period, window)
    _purge(now, client, period, window, calls)
    return calls


def _redis_record(client, jti, expires_at, now, period, window):
    cache = caches["throttle"]
    ttl = max(1, int((expires_at - now).total_seconds()) + 1)
    if not cache.add(f"cds-jti:{_digest(client.iss)}:{_digest(jti)}", 1, ttl):
        _redis.answered()
        return None
    key = f"cds-calls:{client.pk}:{period}:{window}"
    calls = 1 if cache.add(key, 1, timeout=period + 1) else cache.incr(key)
    _redis.answered()
    return calls


def _database_record(client, jti, now, expires_at, period, window):
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    seen, counts = quote(SeenJti._meta.db_table), quote(CallCount._meta.db_table)
    # A jti whose earlier token has expired may be used again; a live one never.
    remember = (f"INSERT INTO {seen} (iss, jti, seen_at, expires_at) VALUES (%s, %s, %s, %s) "
                f"ON CONFLICT (iss, jti) DO UPDATE SET seen_at = excluded.seen_at, "
                f"expires_at = excluded.expires_at WHERE {seen}.expires_at < %s RETURNING 1")
    count = (f"INSERT INTO {counts} (client_id, period, window_index, calls) {{source}} "
             f"ON CONFLICT (client_id, period, window_index) DO UPDATE SET calls = "
             f"{counts}.calls + 1 RETURNING calls")
    first = [client.iss, jti, adapt(now), adapt(expires_at), adapt(now)]
    second = [client.pk, period, window]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement: counted only if remembered
            execute_hot(cursor, f"WITH new AS ({remember}) " + count.format(
                source="SELECT CAST(%s AS integer), CAST(%s AS integer), CAST(%s AS bigint), 1"
                       " FROM new"), first + second)
        else:
            cursor.execute(remember, first)
            if cursor.fetchone() is None:
                return None
            cursor.execute(count.format(source="VALUES (%s, %s, %s, 1)"), second)
        row = cursor.fetchone()
    return row[0] if row else None


def _purge(now, client, period, window, calls):
    if calls == 1:  # a new window: forget this EHR's older ones
        CallCount.objects.filter(client_id=client.pk, window_index__lt=window).delete()
    if time.monotonic() - _last_purge[0] > PURGE_EVERY_SECONDS:
        _last_purge[0] = time.monotonic()
        SeenJti.objects.filter(expires_at__lt=now).delete()
