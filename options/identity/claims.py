"""From a provider's claims to BoneCare role keys: the one place a claim grants a role.

Pure: claims in (a dict, as the ID token and userinfo carry them), role keys out. A value
the configuration does not name grants nothing; an unreadable claim grants nothing.
"""

from collections.abc import Mapping, Sequence, Set
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import ProviderConfig

# NHS CIS2: nhsid_nrbac_roles lists every role the person holds; selected_roleid names the
# one they chose at sign-in. Only the selected role's codes count.
CIS2_SELECTED_ROLE_CLAIM = "selected_roleid"


def roles_from_claims(claims: Mapping[str, object], config: "ProviderConfig") -> set[str]:
    """Return the keys of the roles that the claims grant under the configuration."""
    values = claim_values(claims, config.roles_claim, org_codes=config.org_codes)
    return {key for key, wanted in config.role_values.items() if values & wanted}


def claim_values(claims: Mapping[str, object], name: str, *,
                 org_codes: Set[str] = frozenset()) -> set[str]:
    """Return the set of strings the named claim carries.

    A string, a list of strings (Entra ID app roles or group ids), or a list of CIS2 role
    objects, of which only the selected one is read: its role code's parts
    ("S8000:G8000:R8000" gives all three) and its activity codes.
    """
    value = claims.get(name)
    if isinstance(value, str):
        return {value}
    if not isinstance(value, list):
        return set()
    strings = {item for item in value if isinstance(item, str)}
    roles = [item for item in value if isinstance(item, Mapping)]
    if roles:
        strings |= _selected_role_codes(roles, claims.get(CIS2_SELECTED_ROLE_CLAIM), org_codes)
    return strings


def _selected_role_codes(roles: Sequence[Mapping[str, object]], selected: object,
                         org_codes: Set[str]) -> set[str]:
    if not selected:
        return set()
    for role in roles:
        if role.get("person_roleid") != selected:
            continue
        if org_codes and role.get("org_code") not in org_codes:
            return set()
        codes = {part for part in str(role.get("role_code", "")).split(":") if part}
        activities = role.get("activity_codes")
        if isinstance(activities, list):
            codes |= {code for code in activities if isinstance(code, str)}
        return codes
    return set()
