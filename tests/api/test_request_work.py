"""What one API call costs the database: the statements an evaluation needs, and no more.

The call's token check, its throttle count and the question "which ruleset is published?"
are one statement; its audit row is the second. A publish and a revocation must still be
seen by the very next call (tests/guidance/test_publish_reaches_every_interface.py and
tests/api/test_clients.py).
"""

from datetime import UTC, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from options.api.models import ApiCallAudit

from .helpers import minimal_assessment

# Mid-minute, so that both calls fall in one throttle window (a new window also tidies
# away the client's older ones: a third statement, once a minute).
MID_MINUTE = datetime(2026, 11, 27, 9, 30, 5, tzinfo=UTC)


def _evaluate(http):
    return http.post("/api/v1/evaluate", minimal_assessment(), format="json")


def _text(sql):
    """The statement as written: on PostgreSQL the hot ones run by name (bonecare/db.py)."""
    if not sql.startswith("EXECUTE bonecare_"):
        return sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s",
                       [sql.split()[1].partition("(")[0]])
        return cursor.fetchone()[0].partition(" AS ")[2]


def test_an_evaluation_is_two_statements(ehr_client, published_ruleset):
    with time_machine.travel(MID_MINUTE):
        assert _evaluate(ehr_client).status_code == 200  # first call: touches the client
        with CaptureQueriesContext(connection) as queries:
            response = _evaluate(ehr_client)
    assert response.status_code == 200
    statements = [_text(q["sql"]) for q in queries.captured_queries]
    assert len(statements) == 2, statements
    assert statements[0].startswith("INSERT INTO") and "guidance_ruleset" in statements[0]
    assert ApiCallAudit._meta.db_table in statements[1]
    assert response.json()["ruleset"]["version"] == published_ruleset.version


def test_no_published_ruleset_read_with_the_token_is_a_503(ehr_client):
    """No published ruleset: the answer is the 503 of every interface, not a crash."""
    response = _evaluate(ehr_client)
    assert response.status_code == 503
    assert response.json()["status"] == 503
