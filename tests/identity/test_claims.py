"""Claims grant roles only through the configured values, and only the selected CIS2 role."""

import pytest

from options.identity.claims import roles_from_claims
from options.identity.config import ProviderConfig


def config(**changes):
    values = {"issuer": "https://idp.example.nhs.uk", "client_id": "bonecare",
              "client_secret": "x",
              "role_values": {"clinician": frozenset({"BoneCare.Clinician", "R8000"}),
                              "editor": frozenset({"BoneCare.Editor", "B0360"})}}
    return ProviderConfig(**{**values, **changes})


CIS2_ROLES = [
    {"person_roleid": "555021935107", "org_code": "RYE", "role_code": "S8000:G8000:R8000",
     "activity_codes": ["B0264", "B0360"]},
    {"person_roleid": "555021935108", "org_code": "X26", "role_code": "S8000:G8001:R8003",
     "activity_codes": ["B0264"]},
]


@pytest.mark.parametrize(("claims", "expected"), [
    ({"roles": ["BoneCare.Clinician"]}, {"clinician"}),
    ({"roles": ["BoneCare.Clinician", "BoneCare.Editor", "Other.App"]}, {"clinician", "editor"}),
    ({"roles": "BoneCare.Editor"}, {"editor"}),
    ({"roles": ["bonecare.clinician"]}, set()),
    ({"roles": []}, set()),
    ({}, set()),
    ({"roles": {"BoneCare.Clinician": True}}, set()),
    ({"roles": [42, None, ["BoneCare.Clinician"]]}, set()),
    ({"email": "BoneCare.Clinician"}, set()),
], ids=["entra-app-role", "two-roles-and-another-apps", "single-string", "case-matters",
        "empty", "claim-absent", "an-object", "odd-items", "another-claim-never-read"])
def test_entra_id_app_roles(claims, expected):
    assert roles_from_claims(claims, config()) == expected


@pytest.mark.parametrize(("selected", "org_codes", "expected"), [
    ("555021935107", frozenset(), {"clinician", "editor"}),
    ("555021935108", frozenset(), set()),
    ("555021935107", frozenset({"RYE"}), {"clinician", "editor"}),
    ("555021935107", frozenset({"X26"}), set()),
    (None, frozenset(), set()),
    ("999", frozenset(), set()),
], ids=["selected-role-codes", "other-role-selected", "at-the-trust", "role-at-another-org",
        "no-role-selected", "unknown-role-selected"])
def test_cis2_reads_only_the_selected_role(selected, org_codes, expected):
    claims = {"nhsid_nrbac_roles": CIS2_ROLES}
    if selected:
        claims["selected_roleid"] = selected
    assert roles_from_claims(claims, config(roles_claim="nhsid_nrbac_roles",
                                            org_codes=org_codes)) == expected
