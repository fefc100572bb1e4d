"""Write a call's rows (the draft, the cards to remember, the audit row) in as few round
trips as the database allows: one statement on PostgreSQL (INSERTs chained as WITH ...
INSERT, atomic as one statement), one transaction on SQLite."""

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence

from django.db import connection, models, transaction
from django.utils import timezone

from .models import CdsCallAudit, CdsClient

# Rows of one table: (its model, [{column: value}]).
Batch = tuple[type[models.Model], list[dict[str, object]]]


def _insert_sql(model: type[models.Model],
                rows: Sequence[Mapping[str, object]]) -> tuple[str, list[object]]:
    """Return (INSERT statement, parameters) for rows of {column: value}."""
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    columns = list(rows[0])
    params = [adapt(v) if isinstance(v, datetime.datetime) else v
              for row in rows for v in row.values()]
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "
           f"({', '.join(quote(c) for c in columns)}) VALUES {placeholders}")
    return sql, params


def rows_insert(batches: Iterable[Batch]) -> None:
    """Insert every batch [(model, rows)] atomically (rows with JSON already as text)."""
    statements = [_insert_sql(model, rows) for model, rows in batches if rows]
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement
            *first, (last_sql, last_params) = statements
            with_sql = "".join(f"w{i} AS ({sql}), " for i, (sql, _) in enumerate(first))
            params = [p for _, ps in first for p in ps] + last_params
            cursor.execute(f"WITH {with_sql[:-2]} {last_sql}" if first else last_sql, params)
            return
        with transaction.atomic():
            for sql, params in statements:
                cursor.execute(sql, params)


def audit_row(*, client: CdsClient, service: str, request: Mapping[str, str] | None,
              status_code: int, outcome: str, patient_ref: str = "", ruleset_version: str = "",
              summary: Mapping[str, object] | None = None) -> Batch:
    """Return the audit row of one call (cds_hooks.CdsCallAudit) as columns."""
    request = request or {}
    return (CdsCallAudit, [{
        "created_at": timezone.now(), "client_id": client.pk, "service": service[:40],
        "hook": (request.get("hook") or "")[:40],
        "hook_instance": (request.get("hook_instance") or "")[:100],
        "fhir_patient_id": (request.get("patient_id") or "")[:100],
        "patient_ref": (patient_ref or "")[:64], "status_code": status_code,
        "outcome": outcome, "ruleset_version": ruleset_version or "",
        "result_summary": json.dumps(summary or {})}])
