"""The test EHR (authorization server and FHIR server) for the SMART App Launch tests."""

import pytest
from joserfc.jwk import ECKey

from tests.smart.ehr import TestEhr, node_missing_reason


@pytest.fixture(scope="module")
def smart_client_key():
    """The confidential SMART client's EC P-384 key pair (it signs ES384 client assertions)."""
    return ECKey.generate_key("P-384", private=True, parameters={
        "kid": "bonecare-smart-key-1", "alg": "ES384", "use": "sig"})


@pytest.fixture(scope="module")
def running_ehr(live_server, tmp_path_factory, smart_client_key):
    """One test EHR per module, its apps' redirect URIs at the live server."""
    reason = node_missing_reason()
    if reason:
        pytest.skip(reason)
    ehr = TestEhr(tmp_path_factory.mktemp("smart-ehr"), app_url=live_server.url,
                  client_jwks={"keys": [smart_client_key.as_dict(private=False)]})
    ehr.start()
    yield ehr
    ehr.stop()


@pytest.fixture
def ehr(running_ehr):
    """The test EHR with its default user, no launches, no faults and no documents."""
    running_ehr.reset()
    yield running_ehr
    running_ehr.reset()
