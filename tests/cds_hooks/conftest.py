"""CDS Hooks personas: a registered EHR with its keys."""

import pytest

from options.cds_hooks.services import cds_client_create

from .helpers import Ehr


@pytest.fixture(scope="session")
def ehr_keys():
    """One EHR key pair for the session: RSA key generation is slow."""
    return Ehr()


@pytest.fixture
def cds_ehr(db, ehr_keys):
    """A registered EHR allowed every service; its client row is `ehr.client`."""
    ehr_keys.client = cds_client_create(name="Ward EHR", iss=ehr_keys.iss,
                                        jwks=ehr_keys.jwks(), services=[
                                            "bonecare-patient-view", "bonecare-order-select",
                                            "bonecare-order-sign"])
    return ehr_keys
