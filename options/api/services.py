"""Write through the API: clients and their tokens, idempotent consultations, the call audit."""

import hashlib
import json
import secrets
import time
from collections.abc import Collection

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from options.consultation.models import Consultation
from options.consultation.services import consultation_create

from .models import ApiCallAudit, ApiClient, ClientConsultation
from .scopes import SCOPES
from .selectors import token_digest

CHANNEL = "api"


@transaction.atomic
def api_client_create(*, name: str, scopes: Collection[str],
                      by: AbstractBaseUser | AnonymousUser | None = None) -> tuple[ApiClient, str]:
    """Create a client with a new token; return (client, token). The token is not kept."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationError({"scopes": f"unknown scope(s): {', '.join(unknown)}; "
                                         f"allowed: {', '.join(SCOPES)}"})
    prefix = secrets.token_hex(6)
    token = f"{prefix}.{secrets.token_urlsafe(32)}"
    client = ApiClient(name=name, scopes=[s for s in SCOPES if s in scopes],
                       token_prefix=prefix, token_sha256=token_digest(token),
                       created_by=by if by is not None and by.is_authenticated else None)
    client.full_clean()
    client.save()
    return client, token


# When this process last recorded each token's use: {token prefix: time.monotonic()}.
_touched: dict[str, float] = {}


def api_client_touch(*, client: ApiClient, every_seconds: float = 60) -> None:
    """Record that a client was used, at most once a minute per worker process (one write,
    not one per call)."""
    now = time.monotonic()
    if now - _touched.get(client.token_prefix, -every_seconds - 1) > every_seconds:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        _touched[client.token_prefix] = now


def api_call_record(*, client: ApiClient, endpoint: str, status_code: int, outcome: str,
                    patient_ref: str = "", ruleset_version: str = "",
                    consultation: Consultation | None = None) -> None:
    """Write the audit row for one API call (in the caller's transaction, if any).

    One plain INSERT rather than Model.objects.create: every authenticated call runs it, and
    the ORM's model and SQL building cost more than the statement itself (make bench-api).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ApiCallAudit._meta.db_table} (created_at, client_id, endpoint,"
            " status_code, outcome, patient_ref, ruleset_version, consultation_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [connection.ops.adapt_datetimefield_value(timezone.now()), client.pk, endpoint,
             status_code, outcome, patient_ref or "", ruleset_version or "",
             consultation.pk if consultation is not None else None])


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different assessment."""


def request_digest(data: object) -> str:
    """Return a digest of a JSON body that ignores key order and spacing."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def consultation_create_once(*, client: ApiClient, data: object, key: str,
                             endpoint: str) -> tuple[Consultation, bool]:
    """Store and evaluate a consultation for a client; return (consultation, created).

    With a key, a retry returns the consultation the key first stored (created False),
    and the same key with a different assessment raises IdempotencyConflict. Runs in the
    caller's transaction (the API wraps every call in one), so the consultation, its owner
    row and the audit rows commit together, while a rejected assessment keeps its audit row.
    """
    digest = request_digest(data) if key else ""
    if key:
        # Serialize this client's keyed writes: a concurrent retry waits here, then replays.
        list(ApiClient.objects.select_for_update().filter(pk=client.pk).values_list("pk"))
        earlier = _owned_by_key(client, key, digest)
        if earlier is not None:
            return earlier, False
    # A savepoint that only a lost race rolls back: a refused assessment keeps its audit row.
    attempt = transaction.savepoint()
    try:
        consultation = consultation_create(data=data, channel=CHANNEL, client_name=client.name,
                                           endpoint=endpoint, audit=False)
        ClientConsultation.objects.create(client=client, consultation=consultation,
                                          idempotency_key=key, request_sha256=digest)
    except IntegrityError:
        # Where the lock above does not serialize, the unique key still holds: the request
        # that stored first wins, and this one replays it (or is a conflict).
        # The failed insert marked the transaction for rollback; undo to the savepoint,
        # which is known good, and carry on from there.
        transaction.set_rollback(False)
        transaction.savepoint_rollback(attempt)
        earlier = _owned_by_key(client, key, digest) if key else None
        if earlier is None:
            raise
        return earlier, False
    transaction.savepoint_commit(attempt)
    return consultation, True


def _owned_by_key(client: ApiClient, key: str, digest: str) -> Consultation | None:
    owned = (ClientConsultation.objects.select_related("consultation")
             .filter(client=client, idempotency_key=key).first())
    if owned is None:
        return None
    if owned.request_sha256 != digest:
        raise IdempotencyConflict(key)
    return owned.consultation
