"""Count each client's calls per window, in storage every worker shares."""

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from .models import ThrottleCount


def calls_in_window(*, client_id, period, window_index):
    """Add one call to a client's window and return the calls counted so far.

    With REDIS_URL set, counts in Redis (the `throttle` cache); otherwise one atomic
    INSERT ... ON CONFLICT statement in the database (PostgreSQL or SQLite 3.35+), exact
    however many workers count at once and with no lock held beyond the statement.
    """
    if "throttle" in settings.CACHES:
        return _cache_count(client_id, period, window_index)
    calls = _database_count(client_id, period, window_index)
    if calls == 1:  # a new window: forget this client's older ones
        ThrottleCount.objects.filter(client_id=client_id,
                                     window_index__lt=window_index).delete()
    return calls


def _database_count(client_id, period, window_index):
    quote = connection.ops.quote_name
    table = quote(ThrottleCount._meta.db_table)
    columns = ", ".join(quote(c) for c in ("client_id", "period", "window_index"))
    sql = (f"INSERT INTO {table} ({columns}, {quote('calls')}) VALUES (%s, %s, %s, 1) "
           f"ON CONFLICT ({columns}) DO UPDATE SET {quote('calls')} = "
           f"{table}.{quote('calls')} + 1 RETURNING {quote('calls')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [client_id, period, window_index])
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
