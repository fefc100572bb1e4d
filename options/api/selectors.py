"""Read the REST API's records."""

import hashlib
import json

from django.db import connection

from .models import ApiClient


def token_digest(token: str) -> str:
    """Return the stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_prefix(token: str) -> str:
    """Return the public part of a token that finds its client."""
    prefix, _, _ = token.partition(".")
    return prefix


def api_client_by_token(token: str) -> ApiClient | None:
    """Return the live client this token belongs to, or None (unknown, wrong or revoked).

    The digest is compared by the database, in the WHERE clause: equal SHA-256 digests of a
    256-bit secret are not found by timing. Read at every call, so a revocation is seen by
    the next one. One plain SELECT rather than a queryset: every API call runs it, and
    building the query cost several times running it (make bench-api). The client is for
    reading (its id, name, scopes), not for saving.
    """
    prefix = token_prefix(token)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name, scopes FROM {ApiClient._meta.db_table} WHERE "
                       "token_prefix = %s AND token_sha256 = %s AND revoked_at IS NULL",
                       [prefix, token_digest(token)])
        row = cursor.fetchone()
    if row is None:
        return None
    client_id, name, scopes = row
    return ApiClient(id=client_id, name=name, token_prefix=prefix,
                     scopes=json.loads(scopes) if isinstance(scopes, str | bytes) else scopes)
