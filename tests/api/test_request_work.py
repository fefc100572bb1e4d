"""What one API call costs the database: a few plain statements, each with one job.

DRF's own pattern: the authentication class finds the client by its token, the throttle
class counts the call, the evaluation reads which ruleset is published, and the view base
writes the call's audit row with the answer. No statement does two of these jobs (the token
check no longer reads the ruleset), and none is a prepared one. A publish and a revocation
are still seen by the very next call (tests/guidance/test_publish_reaches_every_interface.py and
tests/api/test_clients.py).
"""

import re
from datetime import UTC, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guidance.models import RuleSet
from options.api.models import ApiCallAudit, ApiClient
from options.http.models import CallCount

from .helpers import minimal_assessment

# Mid-minute, so that both calls fall in one throttle window (a new window also tidies
# away the client's older ones: one more statement, once a minute).
MID_MINUTE = datetime(2026, 11, 27, 9, 30, 5, tzinfo=UTC)
# Each statement's one job, by the table it names, in the order DRF runs them.
JOBS = [ApiClient, CallCount, RuleSet, ApiCallAudit]


def _evaluate(http):
    return http.post("/api/v1/evaluate", minimal_assessment(), format="json")


def _tables(sql):
    return [model for model in JOBS
            if re.search(rf'\b{model._meta.db_table}\b', sql)]


def test_an_evaluation_is_four_statements_each_with_one_job(ehr_client, published_ruleset):
    with time_machine.travel(MID_MINUTE):
        assert _evaluate(ehr_client).status_code == 200  # first call: touches the client
        with CaptureQueriesContext(connection) as queries:
            response = _evaluate(ehr_client)
    assert response.status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    assert [_tables(sql) for sql in statements] == [[model] for model in JOBS], statements
    assert not any(sql.lstrip().upper().startswith(("PREPARE", "EXECUTE"))
                   for sql in statements)
    assert response.json()["ruleset"]["version"] == published_ruleset.version


def test_a_refused_token_costs_no_ruleset_read(ehr_client, published_ruleset):
    ehr_client.credentials(HTTP_AUTHORIZATION="Token nope.nope")
    with CaptureQueriesContext(connection) as queries:
        assert _evaluate(ehr_client).status_code == 401
    assert not any(RuleSet._meta.db_table in q["sql"] for q in queries.captured_queries)


def test_no_published_ruleset_is_a_503(ehr_client):
    """No published ruleset: the answer is the 503 of every interface, not a crash."""
    response = _evaluate(ehr_client)
    assert response.status_code == 503
    assert response.json()["status"] == 503
