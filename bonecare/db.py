"""Statements that run on every API call, prepared once per connection where that pays."""

from django.conf import settings


def execute_hot(cursor, sql, params):
    """Execute `sql` (%s placeholders, no other %) with `params` on a Django cursor.

    On BoneCare's PostgreSQL backend (bonecare.postgresql) the statement is prepared once per
    connection and then run with EXECUTE, so PostgreSQL plans it once rather than at every
    call; elsewhere (SQLite), or with BONECARE_DB_PREPARED_STATEMENTS off (a pooler in
    transaction mode, which hands each transaction any server connection), it runs as text.
    """
    prepare_once = getattr(cursor.db, "prepare_once", None)
    if prepare_once is None or not settings.BONECARE_DB_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    name = prepare_once(cursor, sql)
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params
                   else f"EXECUTE {name}", params)
