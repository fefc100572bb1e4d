"""The database is Django's own backend, set as Django documents it: no custom backend, no
prepared statements, and a reused connection's health checked before a request uses it, so
that a worker whose connection a restart broke replaces it instead of failing the request.
(tests/fault/test_database_outage.py restarts a real PostgreSQL under load and sees the
workers recover.)"""

import pytest
from django.conf import settings
from django.db import connection, connections


def test_settings_choose_a_stock_backend():
    engine = settings.DATABASES["default"]["ENGINE"]
    assert engine in ("django.db.backends.postgresql", "django.db.backends.sqlite3")
    assert type(connections["default"]).__module__ == f"{engine}.base"


def test_a_reused_connection_is_checked_before_a_request():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_an_api_call_prepares_no_statement(ehr_client, published_ruleset):
    from tests.api.helpers import minimal_assessment

    assert ehr_client.post("/api/v1/evaluate", minimal_assessment(),
                           format="json").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0
