"""What one patient-view call costs PostgreSQL: four statements, each prepared once per
connection (bonecare/db.py), whatever the cards. (SQLite takes more: it has no statement
that inserts into several tables, so the call's rows are inserted one by one.)

The client by its issuer; the token's jti remembered and the call counted; which ruleset is
published; the call's rows (its draft, the cards to remember and its audit row). A revocation
and a publish must still be seen by the next call (test_trust.py, test_examples.py).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from options.cds_hooks.models import CdsCallAudit

from .helpers import PATIENT_VIEW, call, request_of


def _statements(client, cds_ehr, code):
    with CaptureQueriesContext(connection) as queries:
        response = call(client, cds_ehr, PATIENT_VIEW, request_of(code))
    assert response.status_code == 200, response.content
    return [q["sql"] for q in queries.captured_queries]


pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the statements of PostgreSQL")


@pytest.mark.parametrize("code", ["V01", "V07"])  # one card; cord compression's two
def test_a_patient_view_call_is_four_statements(client, cds_ehr, published_ruleset, code):
    _statements(client, cds_ehr, code)  # first call: statements prepared, client touched
    statements = _statements(client, cds_ehr, code)
    assert len(statements) == 4, statements
    assert all(s.startswith("EXECUTE bonecare_") for s in statements), statements
    assert CdsCallAudit.objects.filter(status_code=200).count() == 2
