"""The test provider and BoneCare configured to trust it."""

import copy

import pytest

from options.identity.config import ProviderConfig
from tests.identity.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    KEY_CLIENT_ID,
    TestProvider,
    node_missing_reason,
    signing_key,
)

CLINICIAN_VALUE = "BoneCare.Clinician"
EDITOR_VALUE = "BoneCare.Editor"
DISPLAY_NAME = "Test Trust account"


def trusting(issuer, **changes):
    """BoneCare's configuration for a provider (the test client's secret, roles in "roles")."""
    values = {
        "issuer": issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "scopes": ("openid", "profile", "email", "roles"), "roles_claim": "roles",
        "role_values": {"clinician": frozenset({CLINICIAN_VALUE}),
                        "editor": frozenset({EDITOR_VALUE})},
        "display_name": DISPLAY_NAME,
    }
    return ProviderConfig(**{**values, **changes})


def with_private_key(provider, client_key):
    """The configuration of the client that proves itself with a private-key JWT."""
    return trusting(provider.issuer, client_id=KEY_CLIENT_ID, client_secret="",
                    private_key_pem=client_key.as_pem(private=True).decode(),
                    private_key_id=client_key.kid)


@pytest.fixture(scope="module")
def client_key():
    return signing_key("bonecare-client-key-1")


@pytest.fixture(scope="module")
def running_provider(live_server, tmp_path_factory, client_key):
    """One provider process per module, its redirect URIs at the live server."""
    reason = node_missing_reason()
    if reason:
        pytest.skip(reason)
    provider = TestProvider(tmp_path_factory.mktemp("provider"), rp_url=live_server.url,
                            client_key=client_key)
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(running_provider, settings):
    """The provider with no users and no faults, and BoneCare trusting it."""
    running_provider.users = {}
    running_provider.faults_set()
    settings.BONECARE_OIDC = trusting(running_provider.issuer)
    # As bonecare/settings.py does for a configured provider: its pages may follow our forms.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(running_provider.issuer)
    settings.CONTENT_SECURITY_POLICY = policy
    return running_provider
