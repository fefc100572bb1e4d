"""What every door's client (an API client, an EHR on CDS Hooks) shares: revocation."""

from django.utils import timezone


def client_revoke(*, client):
    """Revoke a client for good: its calls are refused (401) from its next call on.

    Either door's client model: both keep `revoked_at`, and both check it at every call.
    """
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
    return client
