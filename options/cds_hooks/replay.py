"""The seen-jti store and the per-EHR call count, shared by every worker: database tables,
always, whether or not REDIS_URL is set.

A jti must be refused for its token's lifetime whatever happens to a cache: a Redis that was
down when the jti was first used, or that restarts without its data, would otherwise reopen
every live token. Redis could only ever front this check, and the database row must be
written for every new jti anyway; on PostgreSQL one statement records the jti and counts the
call, so a Redis round trip would add work, not save it.

A call is counted only once its JWT has been verified and its jti found new, so that nobody
can spend an EHR's allowance with forged tokens naming its issuer.
"""

import time

from django.db import connection, transaction
from django.utils import timezone

from bonecare.db import execute_hot

from .models import CallCount, SeenJti

# Expired jtis are forgotten at most once a minute per process, not at every call.
PURGE_EVERY_SECONDS = 60
_last_purge = [0.0]


def jti_record(*, client, jti, expires_at, period):
    """Record a verified JWT's id and count the call in the EHR's window.

    Return the calls counted in the window so far, or None when this issuer used the jti
    before and its token is still live (a replay, not counted).
    """
    now = timezone.now()
    window = int(time.time() // period)
    calls = _database_record(client, jti, now, expires_at, period, window)
    _purge(now, client, window, calls)
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
            rows = cursor.fetchall()
        else:  # one write transaction rather than two; RETURNING read to its end in it
            with transaction.atomic():
                cursor.execute(remember, first)
                if not cursor.fetchall():
                    return None
                cursor.execute(count.format(source="VALUES (%s, %s, %s, 1)"), second)
                rows = cursor.fetchall()
    return rows[0][0] if rows else None


def _purge(now, client, window, calls):
    if calls == 1:  # a new window: forget this EHR's older ones
        CallCount.objects.filter(client_id=client.pk, window_index__lt=window).delete()
    if time.monotonic() - _last_purge[0] > PURGE_EVERY_SECONDS:
        _last_purge[0] = time.monotonic()
        SeenJti.objects.filter(expires_at__lt=now).delete()
