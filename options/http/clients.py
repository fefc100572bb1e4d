"""What every door's client (an API client, an EHR on CDS Hooks) shares: revocation."""

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar

from django.utils import timezone


class RevocableClient(Protocol):
    """Either door's client model (ApiClient, CdsClient): what revocation needs of it."""

    revoked_at: datetime | None

    def save(self, *, update_fields: Iterable[str] | None = ...) -> None: ...


ClientT = TypeVar("ClientT", bound=RevocableClient)


def client_revoke(*, client: ClientT) -> ClientT:
    """Revoke a client for good: its calls are refused (401) from its next call on.

    Either door's client model: both keep `revoked_at`, and both check it at every call.
    """
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
    return client
