"""The seen-jti store, shared by every worker: a database table, always, whether or not
REDIS_URL is set.

A jti must be refused for its token's lifetime whatever happens to a cache: a Redis that was
down when the jti was first used, or that restarts without its data, would otherwise reopen
every live token. A call is counted (CdsClientThrottle) only once its JWT has been verified
and its jti found new, so that nobody can spend an EHR's allowance with forged tokens naming
its issuer.
"""

import datetime
import time

from django.db import connection
from django.utils import timezone

from .models import CdsClient, SeenJti

# Expired jtis are forgotten at most once a minute per process, not at every call.
PURGE_EVERY_SECONDS = 60
_last_purge = [0.0]


def jti_record(*, client: CdsClient, jti: str, expires_at: datetime.datetime) -> bool:
    """Record a verified JWT's id; return False when this issuer used it before and its
    token is still live (a replay), True otherwise.

    One INSERT ... ON CONFLICT: a jti whose earlier token has expired may be used again, a
    live one never, however many workers see it at once.
    """
    now = timezone.now()
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    seen = quote(SeenJti._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {seen} (iss, jti, seen_at, expires_at) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (iss, jti) DO UPDATE SET seen_at = excluded.seen_at, "
            f"expires_at = excluded.expires_at WHERE {seen}.expires_at < %s RETURNING 1",
            [client.iss, jti, adapt(now), adapt(expires_at), adapt(now)])
        new = bool(cursor.fetchall())
    if time.monotonic() - _last_purge[0] > PURGE_EVERY_SECONDS:
        _last_purge[0] = time.monotonic()
        SeenJti.objects.filter(expires_at__lt=now).delete()
    return new
