"""What one patient-view call costs the database: a few plain statements, whatever the
cards, each with one job.

The client by its issuer (authentication); the token's jti remembered (authentication: a
replay is refused before anything is counted); the call counted (the throttle); which
ruleset is published (the evaluation); the call's rows (its draft, the cards to remember and
its audit row), one statement on PostgreSQL, one transaction on SQLite. No statement does
two of these jobs, none is prepared. A revocation and a publish are still seen by the next
call (test_trust.py, test_examples.py).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guidance.models import RuleSet
from options.cds_hooks.models import CdsCallAudit, CdsClient, SeenJti
from options.http.models import CallCount

from .helpers import PATIENT_VIEW, call, request_of

JOBS = [CdsClient, SeenJti, CallCount, RuleSet]
# The call's rows: one WITH ... INSERT on PostgreSQL; on SQLite a savepoint, an INSERT per
# table (draft, cards, audit) and its release.
WRITES = {"postgresql": 1, "sqlite": 5}


def _statements(client, cds_ehr, code):
    with CaptureQueriesContext(connection) as queries:
        response = call(client, cds_ehr, PATIENT_VIEW, request_of(code))
    assert response.status_code == 200, response.content
    # Not the tidying of the EHR's older windows, once a window (when a minute turns).
    return [q["sql"] for q in queries.captured_queries
            if not q["sql"].startswith(f"DELETE FROM {_quoted(CallCount)}")]


def _quoted(model):
    return connection.ops.quote_name(model._meta.db_table)


def _jobs(sql):
    return [model for model in JOBS
            if re.search(rf'\b{model._meta.db_table}\b', sql)]


@pytest.mark.parametrize("code", ["V01", "V07"])  # one card; cord compression's two
def test_a_patient_view_call_is_a_few_statements_each_with_one_job(client, cds_ehr,
                                                                    published_ruleset, code):
    _statements(client, cds_ehr, code)  # first call: the process's first purges
    statements = _statements(client, cds_ehr, code)
    reads_and_counts, writes = statements[:len(JOBS)], statements[len(JOBS):]
    assert [_jobs(sql) for sql in reads_and_counts] == [[model] for model in JOBS], statements
    assert len(writes) == WRITES[connection.vendor], writes
    assert any(CdsCallAudit._meta.db_table in sql for sql in writes)
    assert not any(sql.lstrip().upper().startswith(("PREPARE", "EXECUTE"))
                   for sql in statements)
    assert CdsCallAudit.objects.filter(status_code=200).count() == 2
