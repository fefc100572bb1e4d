"""The PostgreSQL backend checks a reused connection's health only after it was idle.

A connection that came through a request without an error less than a second ago is not
asked "SELECT 1" again before the next one; one idle for longer is, and a broken one is then
replaced before the request uses it. (tests/fault/test_database_outage.py restarts a real
PostgreSQL under load and sees the workers recover.)
"""

import time

import pytest
from django.db import connection, connections

from bonecare.postgresql import base

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the PostgreSQL backend only")


@pytest.fixture
def checks(db, monkeypatch):
    """Count the health checks the connection makes; start each test as a request would."""
    asked = []
    wrapper = connections["default"]  # the wrapper itself: monkeypatch restores its attributes
    monkeypatch.setattr(wrapper, "health_check_enabled", True)
    monkeypatch.setattr(wrapper, "is_usable", lambda: asked.append(1) or True)
    wrapper.ensure_connection()
    return asked


def _next_request_queries():
    connection.health_check_done = False  # what Django does as a request starts
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")


def test_settings_choose_this_backend():
    assert isinstance(connections["default"], base.DatabaseWrapper)


def test_a_connection_that_just_answered_is_not_checked_again(checks):
    base._remember_answers()  # what the end of a request does (request_finished)
    _next_request_queries()
    assert checks == []


def test_a_connection_idle_for_a_second_is_checked(checks, monkeypatch):
    base._remember_answers()  # what the end of a request does (request_finished)
    later = time.monotonic() + base.RECENT_SECONDS + 0.1
    monkeypatch.setattr(base.time, "monotonic", lambda: later)
    _next_request_queries()
    assert checks == [1]


def test_a_request_that_failed_leaves_the_next_one_checked(checks):
    connection.answered_at = float("-inf")
    connection.errors_occurred = True
    base._remember_answers()  # what the end of a request does (request_finished)
    connection.errors_occurred = False
    _next_request_queries()
    assert checks == [1]
