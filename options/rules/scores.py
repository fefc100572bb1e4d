"""SINS (Fisher 2010) and Mirels (Mirels 1989): the published point tables and bands."""

from collections.abc import Mapping

SINS_LOCATION = {
    **dict.fromkeys(("C1", "C2", "C7", "T1", "T2", "T11", "T12", "L1", "L5", "S1"), 3),
    **dict.fromkeys(("C3", "C4", "C5", "C6", "L2", "L3", "L4"), 2),
    **dict.fromkeys(tuple(f"T{n}" for n in range(3, 11)), 1),
    **dict.fromkeys(("S2", "S3", "S4", "S5"), 0),
}
SINS_PAIN = {"mechanical": 3, "mild": 1, "moderate": 1, "none": 0}
SINS_LESION = {"lytic": 2, "mixed": 1, "blastic": 0}
SINS_ALIGNMENT = {"subluxation": 4, "deformity": 2, "normal": 0}
SINS_COLLAPSE = {"over_50": 3, "under_50": 2, "involvement_over_50": 1, "none": 0}
SINS_POSTEROLATERAL = {"bilateral": 3, "unilateral": 1, "none": 0}

MIRELS_SITE = {"upper_limb": 1, "lower_limb": 2, "peritrochanteric": 3}
MIRELS_PAIN = {"none": 1, "mild": 1, "moderate": 2, "mechanical": 3}
MIRELS_LESION = {"blastic": 1, "mixed": 2, "lytic": 3}
MIRELS_SIZE = {"under_third": 1, "third_to_two_thirds": 2, "over_two_thirds": 3}


# Each component: the finding it reads and its point table (the result's `points` keys).
Components = dict[str, tuple[str, dict[str, int]]]
SINS_COMPONENTS = {
    "location": ("level", SINS_LOCATION),
    "pain": ("pain", SINS_PAIN),
    "lesion": ("lesion_type", SINS_LESION),
    "alignment": ("alignment", SINS_ALIGNMENT),
    "collapse": ("collapse", SINS_COLLAPSE),
    "posterolateral": ("posterolateral", SINS_POSTEROLATERAL),
}
MIRELS_COMPONENTS = {
    "site": ("site", MIRELS_SITE),
    "pain": ("pain", MIRELS_PAIN),
    "lesion": ("lesion_type", MIRELS_LESION),
    "cortical": ("cortical_involvement", MIRELS_SIZE),
}


def points(components: Components, findings: Mapping[str, str | None]
           ) -> tuple[dict[str, int], dict[str, tuple[int, ...]]]:
    """Return ({component: points}, {component: possible points}) for the findings given.

    An unknown finding (None) is never guessed: its component lies in the second dict with
    every value its table allows.
    """
    known, unknown = {}, {}
    for component, (finding, table) in components.items():
        value = findings.get(finding)
        if value is None:
            unknown[component] = tuple(sorted(set(table.values())))
        else:
            known[component] = table[value]
    return known, unknown


def possible_totals(known: dict[str, int], unknown: dict[str, tuple[int, ...]]
                    ) -> tuple[int, ...]:
    """Return every total the unknown components allow, as a sorted tuple."""
    totals = {sum(known.values())}
    for values in unknown.values():
        totals = {total + value for total in totals for value in values}
    return tuple(sorted(totals))


def sins(*, level: str, pain: str, lesion_type: str, alignment: str, collapse: str,
         posterolateral: str) -> int:
    """Return the Spinal Instability Neoplastic Score (0-18) of one spinal lesion."""
    return (
        SINS_LOCATION[level]
        + SINS_PAIN[pain]
        + SINS_LESION[lesion_type]
        + SINS_ALIGNMENT[alignment]
        + SINS_COLLAPSE[collapse]
        + SINS_POSTEROLATERAL[posterolateral]
    )


def sins_band(score: int) -> str:
    """Return stable (0-6), indeterminate (7-12) or unstable (13-18)."""
    if score <= 6:
        return "stable"
    if score <= 12:
        return "indeterminate"
    return "unstable"


def mirels(*, site: str, pain: str, lesion_type: str, cortical_involvement: str) -> int:
    """Return the Mirels score (4-12) of one long-bone lesion."""
    return (
        MIRELS_SITE[site]
        + MIRELS_PAIN[pain]
        + MIRELS_LESION[lesion_type]
        + MIRELS_SIZE[cortical_involvement]
    )


def mirels_band(score: int) -> str:
    """Return low (7 or less), borderline (8) or high (9 or more: prophylactic fixation)."""
    if score <= 7:
        return "low"
    if score == 8:
        return "borderline"
    return "high"
