"""Make the database or Redis unreachable inside a test, and read what was logged."""

import contextlib
import logging
import socket
from unittest import mock

from django.db import OperationalError

REFUSED = ('connection to server at "127.0.0.1", port 5432 failed: Connection refused\n'
           '\tIs the server running on that host and accepting TCP/IP connections?')


@contextlib.contextmanager
def database_down():
    """Make every query fail as it does when PostgreSQL has stopped."""

    def refuse(*args, **kwargs):
        raise OperationalError(REFUSED)

    with mock.patch("django.db.backends.utils.CursorWrapper._execute_with_wrappers",
                    side_effect=refuse):
        yield


def closed_port():
    """Return a local TCP port that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_cache_at(port):
    """Return a CACHES setting whose throttle cache is Redis on this local port."""
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttle": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": f"redis://127.0.0.1:{port}/0",
                     "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    }


@contextlib.contextmanager
def every_log_record(caplog, level=logging.INFO):
    """Collect records from every logger, Django's too (it does not propagate to the root)."""
    django_logger = logging.getLogger("django")
    django_logger.addHandler(caplog.handler)
    caplog.set_level(level)
    try:
        yield caplog.records
    finally:
        django_logger.removeHandler(caplog.handler)
