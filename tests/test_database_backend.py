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


# --- The API's hot statements, prepared once per connection (bonecare/db.py) ---

def _prepared_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'bonecare_%%'")
        return {row[0] for row in cursor.fetchall()}


def _hot(value):
    from bonecare.db import execute_hot

    with connection.cursor() as cursor:
        execute_hot(cursor, "SELECT CAST(%s AS integer) + 1, CAST(%s AS text)", [value, "x"])
        return cursor.fetchone()


def test_a_hot_statement_is_prepared_once_and_executed_by_name(db):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert _hot(1) == (2, "x")
    with CaptureQueriesContext(connection) as second:
        assert _hot(41) == (42, "x")
    assert [q["sql"].split()[0] for q in first.captured_queries] == ["PREPARE", "EXECUTE"]
    assert len(second.captured_queries) == 1
    name = second.captured_queries[0]["sql"].split()[1].partition("(")[0]
    assert name.startswith("bonecare_") and name in _prepared_names()


def test_a_new_connection_prepares_again(transactional_db):
    assert _hot(1) == (2, "x")
    connection.close()  # a worker's connection replaced (restart, CONN_MAX_AGE)
    assert _prepared_names() == set()  # the new connection has none...
    assert _hot(2) == (3, "x")  # ...and prepares on first use instead of failing
    assert len(_prepared_names()) == 1


def test_a_rolled_back_transaction_keeps_the_statement_prepared(db):
    from django.db import transaction

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert _hot(1) == (2, "x")
        raise ZeroDivisionError
    assert _hot(5) == (6, "x")  # PREPARE is not undone by ROLLBACK: still known by name


def test_prepared_statements_can_be_switched_off(db, settings):
    from django.test.utils import CaptureQueriesContext

    settings.BONECARE_DB_PREPARED_STATEMENTS = False  # behind a pooler in transaction mode
    before = _prepared_names()
    with CaptureQueriesContext(connection) as queries:
        assert _hot(1) == (2, "x")
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]
    assert _prepared_names() == before
